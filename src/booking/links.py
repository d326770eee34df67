"""The visitor's manage link, and the link token that messages carry instead of the
manage token.

The manage token is shown once, in the booking's answer and on its confirmation page;
only its SHA-256 is stored. A message that goes out later (a reminder, a change, an
agency's withdrawal) cannot know it, so it carries a *link token*: an HMAC under the
server secret (:mod:`wcr.server_secret`) of the booking's id and its token's digest.
The token is computed when the message is sent and never stored; it opens the booking
like the manage token does, and dies with it (a new manage token, a new link token) or
after two rotations of the secret. The database alone yields neither.
"""

from __future__ import annotations

from wcr import server_secret

from .records import BookingRecord

PURPOSE = "manage-link"


def manage_url(public_url: str, reference: str, token: str) -> str:
    """The token rides in the fragment, which browsers never send to a server."""
    return f"{public_url}/manage/{reference}#t={token}"


def _message(booking: BookingRecord) -> str:
    return f"{booking.id}:{booking.reference}:{booking.token_hash}"


def link_token(booking: BookingRecord) -> str:
    return server_secret.sign(PURPOSE, _message(booking))


def opens(booking: BookingRecord, token: str) -> bool:
    """True when ``token`` is the booking's link token (under a secret still kept)."""
    return server_secret.verify(PURPOSE, _message(booking), token)


def message_link(booking: BookingRecord, public_url: str) -> str:
    """The manage link a message carries, made at sending time."""
    return manage_url(public_url, booking.reference, link_token(booking))
