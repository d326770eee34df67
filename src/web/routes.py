from .booking_pages import BookingPages
from .pages import STATIC, PageController

ROUTES = [PageController, BookingPages, STATIC]
