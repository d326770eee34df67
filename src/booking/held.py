"""Booking places that are already taken for the visitor: the waitlist's holds.

A waitlist hold takes its place with the same conditional update as a booking
(:func:`take_held_place`), so while it is held nobody can book it. Claiming the hold
makes the booking on those places without touching ``booked`` again. Both run in the
caller's write transaction (the waitlist's), which is why nothing here opens one.
"""

from __future__ import annotations

from datetime import datetime

from wcr.tokens import digest, new_manage_token, new_reference

from . import repository as repo
from .bookings import _announce
from .contact import Contact
from .events import BookingChange
from .events import TimedAppointment as Timed
from .notice import Notice
from .records import Marked, NewBooking


async def take_held_place(slot_id: int, at: datetime) -> datetime | None:
    """One place of the slot for a hold; its start, or None when it had none free."""
    return await repo.take_place(slot_id, at)


async def give_back_place(slot_id: int) -> None:
    await repo.free_place(slot_id)


async def book_held(
    slot_ids: list[int], contact: Contact, at: datetime, notice: Notice
) -> tuple[str, str]:
    """A confirmed booking of places held for ``contact``: (reference, manage token)."""
    token = new_manage_token()
    reference = new_reference()
    booking_id = await repo.insert_booking(
        NewBooking(
            reference=reference,
            token_hash=digest(token),
            name=contact.name,
            email=contact.email,
            phone=contact.phone,
            language=contact.language,
            at=at,
            silent=notice.silent,
            email_key=contact.email_key,
            phone_key=contact.phone_key,
            company_id=None,
            advice_language=None,
            package_id=None,
        )
    )
    facts = await repo.slots_by_id(slot_ids)
    visit = sorted(facts.values(), key=lambda s: (s.starts_at, s.id))
    ordered = [slot.id for slot in visit]
    await repo.insert_appointments(booking_id, ordered, at)
    await _announce(
        booking_id,
        BookingChange.BOOKED,
        Marked(version=0, email=contact.email, phone=contact.phone, silent=notice.silent),
        [Timed(slot.id, slot.starts_at) for slot in visit],
        at,
        notice=notice,
    )
    return reference, token
