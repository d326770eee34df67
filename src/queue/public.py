"""What other features use of the queue: its domain events (the notifications send
the ticket's messages from them), whether such news still holds, and the ticket
page's link."""

from . import remote, setup  # the admin's: remote check-in, counters and profiles
from .events import TicketMoment, TicketNews
from .news import still_holds
from .tokens import ticket_link

__all__ = ["TicketMoment", "TicketNews", "remote", "setup", "still_holds", "ticket_link"]

# --- data protection (wcr.privacy): finding and erasing a visitor's data -------------
from .records import Ticket, TicketKind, TicketStatus
from .repository import erase_tickets, tickets_by_id, tickets_issued_before, tickets_of_contact

__all__ += [
    "Ticket",
    "TicketKind",
    "TicketStatus",
    "erase_tickets",
    "tickets_by_id",
    "tickets_issued_before",
    "tickets_of_contact",
]

# --- statistics (wcr.stats): the lines per service and local day ----------------------
from .repository import attendance_days, service_days, visitor_days  # noqa: E402 - a block of its own, after the others
from .stats_records import Attendance, ServiceDay, VisitorDay  # noqa: E402 - a block of its own, after the others

__all__ += [
    "Attendance",
    "ServiceDay",
    "VisitorDay",
    "attendance_days",
    "service_days",
    "visitor_days",
]
