"""Offering freed places to the waiting entries, inside the transaction that freed them.

Design: booking emits :class:`PlaceFreed` inside the transaction of every change that
frees or adds places (cancellation, reschedule away, dropped appointment, force
withdrawal, publishing, a capacity raised) and the waitlist ends holds the same way.
:func:`offer_freed` runs right there, on the same connection: for each slot, in
ascending id order, it picks the earliest-joined waiting entry that fits (site,
service, local day; never one that held this slot before), with ``FOR UPDATE SKIP
LOCKED`` on PostgreSQL so concurrent frees pick different entries, and takes the
place for it with booking's own conditional update (``booked = booked + 1 WHERE
booked < capacity``). So the capacity alone guarantees that a place is never both
held and booked and never held twice; if the change rolls back, so does the offer,
and if it commits, the offer (and the outbox rows of its messages) commit with it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from wcr import events
from wcr.booking import public as booking

from . import repository as repo
from .events import OfferMade

# A place that starts soon is held for at most this share of the time left, so the
# next entry still has a chance when the first does not answer.
SOON_SHARE = 0.5
MIN_HOLD = timedelta(minutes=2)


def hold_until(at: datetime, starts_at: datetime, hold_minutes: int) -> datetime:
    full = timedelta(minutes=hold_minutes)
    soon = (starts_at - at) * SOON_SHARE
    return at + max(min(full, soon), min(MIN_HOLD, starts_at - at))


async def offer_freed(event: booking.PlaceFreed | booking.PlacesAdded) -> None:
    slots = await booking.slots_by_id(set(event.slot_ids))
    for slot_id in sorted(slots):  # ascending: the one lock order
        await offer_slot(slots[slot_id], event.at)


async def offer_slot(facts: booking.SlotFacts, at: datetime) -> int:
    """Hold the slot's free places for the next fitting entries; how many were held."""
    if facts.withdrawn or facts.starts_at <= at:
        return 0
    slot_id = facts.id
    day = facts.starts_at.astimezone(facts.tz).date()
    if not await repo.anyone_waiting(facts.site_id, facts.service_id, day):
        return 0
    held = 0
    while True:
        # The place first, the entry second: an entry locked while the slot turns out
        # full would make concurrent offers skip it (SKIP LOCKED), out of joining order.
        starts_at = await booking.take_held_place(slot_id, at)
        if starts_at is None:
            return held
        entry = await repo.next_waiting(facts.site_id, facts.service_id, day, slot_id)
        if entry is None or not await repo.mark_offered(entry.id):
            # Nobody waits for it (or, unreachable with the row lock, the entry was
            # offered meanwhile): the place goes back, as free as it was.
            await booking.give_back_place(slot_id)
            return held
        expires_at = hold_until(at, starts_at, entry.hold_minutes)
        await repo.insert_hold(entry.id, slot_id, expires_at, at)
        held += 1
        await events.emit(
            OfferMade(
                entry_id=entry.id,
                reference=entry.reference,
                email=entry.email,
                phone=entry.phone,
                language=entry.language,
                slot_ids=(slot_id,),
                starts_at=starts_at,
                expires_at=expires_at,
                at=at,
            )
        )
