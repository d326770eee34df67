"""What other features use of accounts: the guards, the providers, who is signed in
(also for the app's staff rate limit: :func:`staff_of_request`), the staff forms'
protection (:mod:`.forms`) and the accounts an admin manages (:mod:`.team`)."""

from . import forms, guards, team
from .deps import PROVIDERS, current_staff, guarded_site
from .records import Role, Staff, StaffAccount
from .service import MIN_PASSWORD_LENGTH, create_staff, staff_of_request

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "PROVIDERS",
    "Role",
    "Staff",
    "StaffAccount",
    "create_staff",
    "current_staff",
    "forms",
    "guarded_site",
    "guards",
    "staff_of_request",
    "team",
]
