"""Offering freed places to the waiting entries, inside the transaction that freed them.

Design: booking emits :class:`PlaceFreed` inside the transaction of every change that
frees or adds places (cancellation, reschedule away, dropped appointment, force
withdrawal, publishing, a capacity raised) and the waitlist ends holds the same way.
:func:`offer_freed` runs right there, on the same connection: for each slot, in
ascending id order, it takes the place with booking's own conditional update
(``booked = booked + 1 WHERE booked < capacity``) and then picks the earliest-joined
waiting entry that fits (site, service alone or in a one-stop set, local day; never
one that held this slot before; its day-times, if any, accepting the slot's local
start and end), with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL so
concurrent frees pick different entries. So the capacity alone guarantees that a
place is never both held and booked and never held twice; if the change rolls back,
so does the offer, and if it commits, the offer (and the outbox rows of its messages)
commit with it.

A **one-stop entry** (a package, or 2-5 services) fits only when the freed place
completes a whole visit: booking's one-stop search (:func:`booking.visits_through`:
the site's gap, idle and order rules, the package's days and hours) runs for the
entry's services on the slot's local day, with the freed slot as the only one of its
service. Of the visits found, only those the entry's day-times accept (the first
start at or after ``earliest``, the last end at or before ``latest``) count; the
earliest is taken: its other places in ascending slot id
order by the same conditional update, except that a slot row another transaction
holds locked counts as full rather than being waited for (that transaction may be
waiting for the freed slot this one holds: a deadlock). If one is full, those taken
are given back and the next visit is tried; if none completes, the entry is passed
over (it keeps waiting) and the next entry in joining order is tried, so single and
one-stop entries are offered in the order they joined. The hold covers every slot of
the visit, and claiming it books them as one visit. (On PostgreSQL an entry passed
over stays locked until the freeing transaction ends, so a concurrent offer skips it
meanwhile: a chance missed at worst, never a place held twice.)
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from wcr import events
from wcr.booking import public as booking

from . import repository as repo
from .entries import give_back
from .events import OfferMade
from .records import EntryRecord

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


# A set of services (and package) whose visits the freed place cannot complete: the
# later entries waiting for the same set are passed over without a second search.
# (Their day-times are part of the key: another entry of the set may accept a visit.)
VisitKey = tuple[tuple[int, ...], int | None, str | None, str | None]


def local_times(first: booking.SlotFacts, last: booking.SlotFacts | None = None) -> tuple[str, str]:
    """The local start of ``first`` and end of ``last`` (default: the same slot) as
    "HH:MM" (an end on a later day is "24:00"), as ``earliest`` and ``latest`` are."""
    start = first.starts_at.astimezone(first.tz)
    end = (last or first).ends_at.astimezone(first.tz)
    return start.strftime("%H:%M"), end.strftime("%H:%M") if end.date() == start.date() else "24:00"


async def visits_in_times(facts: booking.SlotFacts, entry: EntryRecord) -> list[tuple[int, ...]]:
    """The visits through the freed slot (:func:`booking.visits_through`, earliest
    first) that the entry's day-times accept: first start and last end."""
    visits = await booking.visits_through(facts, entry.service_ids, entry.package_id)
    if entry.earliest is None and entry.latest is None:
        return visits
    slots = await booking.slots_by_id({slot_id for visit in visits for slot_id in visit})
    slots[facts.id] = facts
    fitting = []
    for visit in visits:
        first = min((slots[i] for i in visit), key=lambda s: s.starts_at)
        last = max((slots[i] for i in visit), key=lambda s: s.ends_at)
        if entry.accepts_times(*local_times(first, last)):
            fitting.append(visit)
    return fitting


async def complete_visit(
    facts: booking.SlotFacts, entry: EntryRecord, at: datetime
) -> dict[int, datetime] | None:
    """The places of the earliest visit of the entry's services (in its day-times)
    that the freed slot (already taken for the hold) completes, now taken too: slot
    id → start."""
    for visit in await visits_in_times(facts, entry):
        taken: dict[int, datetime] = {}
        for slot_id in visit:  # ascending
            if slot_id == facts.id:
                taken[slot_id] = facts.starts_at
                continue
            starts_at = await booking.take_other_place(slot_id, at)
            if starts_at is None:
                break
            taken[slot_id] = starts_at
        else:
            return taken
        for slot_id in sorted(taken):  # full after all: the next visit, or none
            if slot_id != facts.id:
                await booking.give_back_place(slot_id)
    return None


async def next_fitting(
    facts: booking.SlotFacts,
    day: date,
    starts_at: datetime,
    at: datetime,
    passed: set[VisitKey],
) -> tuple[EntryRecord, dict[int, datetime]] | None:
    """The earliest-joined entry the freed place (taken already) fits, with the places
    held for it: the one, or a whole visit's. One-stop entries whose visits it does not
    complete are passed over (their sets remembered in ``passed``)."""
    after = 0
    while True:
        # The slot's own times are a first filter for one-stop entries too: a visit
        # through it starts no later and ends no earlier.
        entry = await repo.next_waiting(
            facts.site_id, facts.service_id, day, local_times(facts), facts.id, after=after
        )
        if entry is None:
            return None
        after = entry.id
        if not entry.one_stop:
            return entry, {facts.id: starts_at}
        key = (entry.service_ids, entry.package_id, entry.earliest, entry.latest)
        if key in passed:
            continue
        places = await complete_visit(facts, entry, at)
        if places is not None:
            return entry, places
        passed.add(key)


async def offer_slot(facts: booking.SlotFacts, at: datetime) -> int:
    """Hold the slot's free places for the next fitting entries; how many were held."""
    if facts.withdrawn or facts.starts_at <= at:
        return 0
    slot_id = facts.id
    day = facts.starts_at.astimezone(facts.tz).date()
    if not await repo.anyone_waiting(facts.site_id, facts.service_id, day, local_times(facts)):
        return 0
    held = 0
    passed: set[VisitKey] = set()
    while True:
        # The place first, the entry second: an entry locked while the slot turns out
        # full would make concurrent offers skip it (SKIP LOCKED), out of joining order.
        starts_at = await booking.take_held_place(slot_id, at)
        if starts_at is None:
            return held
        found = await next_fitting(facts, day, starts_at, at, passed)
        if found is None or not await repo.mark_offered(found[0].id):
            # Nobody waits for it (or, unreachable with the row lock, the entry was
            # offered meanwhile): the places go back, as free as they were.
            for taken in sorted(found[1] if found else {slot_id}):
                await booking.give_back_place(taken)
            return held
        entry, places = found
        first = min(places.values())
        expires_at = hold_until(at, first, entry.hold_minutes)
        for taken in sorted(places):
            await repo.insert_hold(entry.id, taken, expires_at, at)
        held += 1
        await events.emit(
            OfferMade(
                entry_id=entry.id,
                reference=entry.reference,
                email=entry.email,
                phone=entry.phone,
                language=entry.language,
                slot_ids=tuple(sorted(places)),
                starts_at=first,
                expires_at=expires_at,
                at=at,
            )
        )


async def offers_withdrawn(event: booking.SlotsWithdrawn) -> None:
    """The agency withdrew slots: the holds in them end (all of a one-stop hold's
    places), their entries wait again in their place in line, and the hold's other
    places are offered on. In the withdrawing transaction, so a claim either booked
    before it (and booking changes that booking) or finds no hold."""
    ended = await repo.withdraw_holds(event.slot_ids)
    if not ended:
        return
    await repo.reopen_unoffered(sorted({entry_id for entry_id, _ in ended}))
    # The withdrawn slots' places go back too (booked keeps counting holds and
    # bookings only); they are never offered again, being withdrawn.
    await give_back([slot_id for _, slot_id in ended], event.at)
