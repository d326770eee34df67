from .controllers import SmsStatusController

ROUTES = [SmsStatusController]
