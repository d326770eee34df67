from .controllers import DeskController, LiveController, TicketController
from .pages import QueuePages

ROUTES = [DeskController, TicketController, LiveController, QueuePages]
