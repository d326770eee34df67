from .controllers import AgencyController, PublicBookingController
from .visit_controllers import VisitController

ROUTES = [PublicBookingController, AgencyController, VisitController]
