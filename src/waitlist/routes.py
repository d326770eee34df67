from .agency_controllers import AgencyWaitlistController
from .controllers import WaitlistController
from .pages import WaitlistPages

ROUTES = [WaitlistController, WaitlistPages, AgencyWaitlistController]
