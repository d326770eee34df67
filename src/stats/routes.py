from .controllers import StatsController
from .pages import StatsPages

ROUTES = [StatsController, StatsPages]
