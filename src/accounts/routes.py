from .controllers import AuthController

ROUTES = [AuthController]
