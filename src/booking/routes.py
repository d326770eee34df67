from .agency_controllers import AgencyController, AgencyFeedController
from .agency_pages import AgencyPortalPage
from .controllers import PublicBookingController
from .manage_pages import ManagePage
from .pages import BookingPages
from .visit_controllers import VisitController

ROUTES = [
    PublicBookingController,
    AgencyController,
    AgencyFeedController,
    VisitController,
    BookingPages,
    ManagePage,
    AgencyPortalPage,
]
