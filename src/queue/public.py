"""What other features use of the queue: its domain events (the notifications send
the ticket's messages from them), whether such news still holds, and the ticket
page's link."""

from .events import TicketMoment, TicketNews
from .news import still_holds
from .tokens import ticket_link

__all__ = ["TicketMoment", "TicketNews", "still_holds", "ticket_link"]
