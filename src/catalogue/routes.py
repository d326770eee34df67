from .controllers import CatalogueController

ROUTES = [CatalogueController]
