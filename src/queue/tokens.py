"""A ticket's token: what opens the visitor's ticket page, derived, never stored.

The token is an HMAC of the ticket's id and day under the server secret
(:mod:`wcr.server_secret`), so the desk can show or print a ticket's link again at
any time, and the database alone yields no working token. It stops working two
rotations of the secret later (a ticket lives a day).
"""

from __future__ import annotations

from wcr import server_secret

from .records import Ticket

PURPOSE = "ticket"


def _message(ticket: Ticket) -> str:
    return f"{ticket.id}:{ticket.day.isoformat()}"


def ticket_token(ticket: Ticket) -> str:
    return server_secret.sign(PURPOSE, _message(ticket))


def opens(ticket: Ticket, token: str | None) -> bool:
    return server_secret.verify(PURPOSE, _message(ticket), token)
