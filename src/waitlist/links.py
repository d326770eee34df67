"""The waitlist page's link, and the link token that messages carry instead of the
entry's token.

The entry's token is shown once, in the answer to joining; only its SHA-256 is
stored. An offer goes out later and cannot know it, so it carries a *link token*: an
HMAC under the server secret (:mod:`wcr.server_secret`) of the entry's id, reference
and token digest, computed when the message is sent and never stored. It opens the
entry like its token does (look, claim, leave), and dies after two rotations of the
secret. The database alone yields neither.
"""

from __future__ import annotations

from wcr import server_secret

from .records import EntryRecord

PURPOSE = "waitlist-link"


def entry_url(public_url: str, language: str, reference: str, token: str) -> str:
    """The token rides in the fragment: it never reaches a server log or a Referer."""
    return f"{public_url.rstrip('/')}/{language}/waitlist/{reference}#t={token}"


def _message(entry: EntryRecord) -> str:
    return f"{entry.id}:{entry.reference}:{entry.token_hash}"


def link_token(entry: EntryRecord) -> str:
    return server_secret.sign(PURPOSE, _message(entry))


def opens(entry: EntryRecord, token: str | None) -> bool:
    """True when ``token`` is the entry's link token (under a secret still kept)."""
    return server_secret.verify(PURPOSE, _message(entry), token)


def message_link(entry: EntryRecord, public_url: str) -> str:
    """The entry's page as a message links it, made at sending time."""
    return entry_url(public_url, entry.language, entry.reference, link_token(entry))
