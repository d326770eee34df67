from .controllers import AuditController
from .pages import AuditPages

ROUTES = [AuditController, AuditPages]
