from .agency_pages import AgencyPortalPage
from .controllers import AgencyController, PublicBookingController
from .manage_pages import ManagePage
from .pages import BookingPages
from .visit_controllers import VisitController

ROUTES = [
    PublicBookingController,
    AgencyController,
    VisitController,
    BookingPages,
    ManagePage,
    AgencyPortalPage,
]
