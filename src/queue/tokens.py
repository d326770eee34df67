"""A ticket's token: what opens the visitor's ticket page, derived, never stored.

The token is an HMAC of the ticket's id and day under the server secret
(:mod:`wcr.server_secret`), so the desk can show or print a ticket's link again at
any time, and the database alone yields no working token. It stops working two
rotations of the secret later (a ticket lives a day).
"""

from __future__ import annotations

from datetime import date

from wcr import server_secret

from .records import Ticket

PURPOSE = "ticket"


def _message(ticket_id: int, day: date) -> str:
    return f"{ticket_id}:{day.isoformat()}"


def token_of(ticket_id: int, day: date) -> str:
    """The token of the ticket ``ticket_id`` of the site's local ``day``."""
    return server_secret.sign(PURPOSE, _message(ticket_id, day))


def ticket_token(ticket: Ticket) -> str:
    return token_of(ticket.id, ticket.day)


def opens(ticket: Ticket, token: str | None) -> bool:
    return server_secret.verify(PURPOSE, _message(ticket.id, ticket.day), token)


def ticket_link(public_url: str, ticket_id: int, day: date) -> str:
    """The visitor's ticket page, its token in the fragment (never sent to a server)."""
    return f"{public_url.rstrip('/')}/ticket/{ticket_id}#{token_of(ticket_id, day)}"
