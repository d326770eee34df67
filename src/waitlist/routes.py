from .controllers import WaitlistController

ROUTES = [WaitlistController]
