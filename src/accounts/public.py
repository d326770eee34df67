"""What other features use of accounts: the guards, the providers, who is signed in
(also for the app's staff rate limit: :func:`staff_of_request`)."""

from . import guards
from .deps import PROVIDERS, current_staff, guarded_site
from .records import Role, Staff
from .service import create_staff, staff_of_request

__all__ = [
    "PROVIDERS",
    "Role",
    "Staff",
    "create_staff",
    "current_staff",
    "guarded_site",
    "guards",
    "staff_of_request",
]
