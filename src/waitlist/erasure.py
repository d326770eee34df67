"""A person's entries for data protection (:mod:`wcr.privacy`): found by address or
number, ended on an erasure request without a word to them, and erased.

These run inside the caller's write transaction (the purge's batch, the erasure's
one transaction), as booking's do for its rows.
"""

from __future__ import annotations

from wcr.booking import public as booking
from wcr.clock import now

from . import repository as repo
from .entries import take_off
from .records import OPEN, EntryRecord

# Domains whose addresses may deliver to one mailbox (booking's ``mailbox`` decides).
_ALIASES = ("gmail.com", "googlemail.com")


def _domains(email: str) -> list[str]:
    asked = booking.mailbox(email).rpartition("@")[2]
    candidates = {email.casefold().rpartition("@")[2], asked, *_ALIASES}
    return sorted(d for d in candidates if booking.mailbox(f"x@{d}").endswith(f"@{asked}"))


async def entries_of(*, key: str, email: str | None, phone: str | None) -> list[EntryRecord]:
    """The entries made with this address (as the mailbox booking counts by: the one
    its open entries' keys hold) or number (E.164)."""
    found = await repo.entries_of_contact(
        key=key, email=email, phone=phone, domains=_domains(email) if email else []
    )
    same = booking.mailbox(email) if email else None
    return [
        entry
        for entry in found
        if (phone and entry.phone == phone)
        or (email and entry.email and booking.mailbox(entry.email) == same)
    ]


async def leave_silently(entries: list[EntryRecord]) -> list[str]:
    """The open ones leave the list as by the visitor's own "leave" (a place held for
    them passes on to the next entry), but nobody is told; their references."""
    left = []
    at = now()
    for entry in sorted(entries, key=lambda e: e.id):
        if entry.status not in OPEN or not await take_off(entry, at, silent=True):
            continue
        left.append(entry.reference)
    return left


async def erase_entries(entry_ids: list[int]) -> int:
    """Their names, addresses, numbers and contact keys erased; how many had some."""
    return await repo.erase_entries(sorted(entry_ids))
