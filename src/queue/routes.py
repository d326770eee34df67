from .controllers import DeskController, LiveController, TicketController

ROUTES = [DeskController, TicketController, LiveController]
