"""Claiming an offer: the held places become a booking, once."""

from __future__ import annotations

from typing import Any

from piccolo.engine.base import Engine

from wcr.booking import public as booking
from wcr.clock import now
from wcr.database import write_transaction
from wcr.errors import Conflict

from . import repository as repo
from .records import EntryRecord, EntryStatus


async def claim(engine: Engine[Any], entry: EntryRecord, notice: booking.Notice) -> tuple[str, str]:
    """Book the places held for the entry: (booking reference, manage token).

    The hold's conditional update (``status = 'held' AND expires_at > now``) lets one
    claim through; a second, or one after the hold ended, gets 409. The places were
    taken when the hold was made, so the booking does not take them again.
    """
    async with write_transaction(engine):
        at = now()
        slot_ids = await repo.claim_holds(entry.id, at)
        if not slot_ids:
            raise Conflict("no place is held for this entry (claimed already, or it ran out)")
        contact = booking.Contact(
            name=entry.name, email=entry.email, phone=entry.phone, language=entry.language
        )
        # A one-stop hold's places are one visit (the package's, if it was one).
        reference, token = await booking.book_held(
            slot_ids, contact, at, notice, package_id=entry.package_id
        )
        await repo.end_entry(entry.id, EntryStatus.BOOKED, at, booking_reference=reference)
    return reference, token
