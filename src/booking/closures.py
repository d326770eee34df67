"""Closed days: an agency does not receive at a site on a day (a holiday, a sick day).

Closing records the day (new weekly patterns leave it out) and withdraws the day's
free slots ahead, in one transaction. Slots with bookings stay unless the clerk says
what becomes of the people: ``cancel`` (each booking ends as an agency withdrawal, the
visitor is told) or ``move`` (each single appointment goes to the nearest free time of
the same service at the site on a later day, and the visitor is told of the new time;
where none is free it is cancelled). An appointment inside a one-stop visit is dropped
from the visit, the other agencies' appointments stand (as a withdrawal does). Each
booking changes in its own transaction, along the usual lock order, after its slot is
withdrawn, so no new booking arrives meanwhile.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from piccolo.engine.base import Engine

from wcr import events
from wcr.catalogue import public as catalogue
from wcr.clock import now
from wcr.database import retrying_deadlocks, write_transaction
from wcr.errors import Conflict, InvalidInput, NotFound
from wcr.timezones import local_range, today

from . import bookings
from . import repository as repo
from .agency_records import ClosedDayRecord
from .events import BookingChange, PlacesAdded, SlotsWithdrawn
from .notice import QUIET, Notice
from .publishing import MAX_AHEAD
from .records import AgencyBooking, SlotFacts

log = logging.getLogger("wcr.closures")

# How far ahead a moved appointment may land.
MOVE_WITHIN_DAYS = 28


class BookedHandling(StrEnum):
    KEEP = "keep"
    CANCEL = "cancel"
    MOVE = "move"


class Outcome(StrEnum):
    KEPT = "kept"
    CANCELLED = "cancelled"
    MOVED = "moved"
    DROPPED = "dropped"  # one appointment of a one-stop visit
    UNCHANGED = "unchanged"  # changed by its visitor meanwhile


@dataclass(frozen=True)
class PersonOutcome:
    booking: AgencyBooking
    slot: SlotFacts
    outcome: Outcome
    moved_to: SlotFacts | None = None


@dataclass
class Closure:
    site: catalogue.Site
    day: date
    reason: str
    dry_run: bool
    closed_day_id: int | None = None
    withdrawn: list[SlotFacts] = field(default_factory=list)
    booked: list[SlotFacts] = field(default_factory=list)
    people: list[PersonOutcome] = field(default_factory=list)


async def close_day(
    engine: Engine[Any],
    agency: catalogue.Agency,
    *,
    site_slug: str,
    day: date,
    reason: str,
    handling: str,
    dry_run: bool,
    notice: Notice = QUIET,
) -> Closure:
    try:
        booked_handling = BookedHandling(handling)
    except ValueError:
        raise InvalidInput.field("bookings", "keep, cancel or move") from None
    site = await catalogue.site_by_slug(site_slug)
    await catalogue.ensure_serves(agency, site)
    if day < today(site.tz):
        raise InvalidInput.field("date", "a day that is past cannot be closed")
    if day > (now() + MAX_AHEAD).date():
        raise InvalidInput.field("date", "at most 2 years ahead")
    closure = Closure(site=site, day=day, reason=reason.strip(), dry_run=dry_run)
    free, people = await _the_day(agency, closure)
    if dry_run:
        closure.withdrawn = free
        planned = {
            BookedHandling.KEEP: Outcome.KEPT,
            BookedHandling.CANCEL: Outcome.CANCELLED,
            BookedHandling.MOVE: Outcome.MOVED,
        }[booked_handling]
        closure.people = [PersonOutcome(b, s, planned) for b, s in people]
        return closure
    keep = booked_handling == BookedHandling.KEEP
    withdrawn, late = await retrying_deadlocks(
        lambda: _withdraw_the_free(engine, agency, closure, keep=keep)
    )
    facts = await repo.slots_by_id(withdrawn)
    closure.withdrawn = [facts[i] for i in withdrawn]
    if keep:
        _, people = await _the_day(agency, closure)  # by now: those booked meanwhile too
        closure.people = [PersonOutcome(b, s, Outcome.KEPT) for b, s in people]
        return closure
    await _the_day(agency, closure)  # the slots booked by now, into closure.booked
    booked_ids = sorted({s.id for s in closure.booked} | set(late))
    for slot_id in booked_ids:
        await retrying_deadlocks(functools.partial(_withdraw_booked, engine, agency, slot_id))
    # Read after the withdrawals (which waited for any booking under way): everybody
    # booked in these slots, those who booked since the day was looked at included.
    people = await _people_in(agency, closure, booked_ids)
    closure.booked = sorted(
        (await repo.slots_by_id(booked_ids)).values(), key=lambda s: s.starts_at
    )
    for booking, slot in people:
        closure.people.append(await _one(engine, booking, slot, booked_handling, notice))
    log.info(
        "%s closed %s on %s: %d free slots withdrawn, %d bookings %s",
        agency.slug,
        site.slug,
        day,
        len(closure.withdrawn),
        len(people),
        booked_handling,
    )
    return closure


async def _withdraw_the_free(
    engine: Engine[Any], agency: catalogue.Agency, closure: Closure, *, keep: bool
) -> tuple[list[int], list[int]]:
    """Record the closed day and withdraw its free slots (a place only held for a
    waitlist entry counts as free): the ids withdrawn, and those booked meanwhile.

    A slot booked while the day closed (see repo.booked_among) is no free one: with
    ``keep`` it is put back, its free places offered again; else it stays withdrawn
    and its people are handled with the others."""
    start, end = local_range(closure.day, closure.day, closure.site.tz)
    async with write_transaction(engine):
        at = now()
        closure.closed_day_id = await repo.save_closed_day(
            agency.id, closure.site.id, closure.day, closure.reason, at
        )
        withdrawn = await repo.withdraw_free_slots(agency.id, closure.site.id, start, end, at)
        if not withdrawn:
            return [], []
        await events.emit(SlotsWithdrawn(slot_ids=tuple(withdrawn), at=at))
        late = sorted(await repo.booked_among(withdrawn))
        if late and keep:
            await repo.restore_slots(late)
            await events.emit(PlacesAdded(slot_ids=tuple(late), at=at))
        return [i for i in withdrawn if i not in late], late


async def _people_in(
    agency: catalogue.Agency, closure: Closure, slot_ids: list[int]
) -> list[tuple[AgencyBooking, SlotFacts]]:
    if not slot_ids:
        return []
    start, end = local_range(closure.day, closure.day, closure.site.tz)
    facts = await repo.slots_by_id(slot_ids)
    return [
        (b, facts[b.slot_id])
        for b in await repo.agency_bookings(agency.id, start, end)
        if b.slot_id in facts
    ]


async def _withdraw_booked(engine: Engine[Any], agency: catalogue.Agency, slot_id: int) -> None:
    async with write_transaction(engine):
        if await repo.withdraw_slot(slot_id, agency.id, only_if_unbooked=False):
            await events.emit(SlotsWithdrawn(slot_ids=(slot_id,), at=now()))


async def _the_day(
    agency: catalogue.Agency, closure: Closure
) -> tuple[list[SlotFacts], list[tuple[AgencyBooking, SlotFacts]]]:
    """The day's free slots ahead, and the people booked in its slots ahead (which go
    into ``closure.booked``)."""
    start, end = local_range(closure.day, closure.day, closure.site.tz)
    at = now()
    ahead = [
        s
        for s in await repo.find_slots(
            start=start, end=end, site_id=closure.site.id, agency_id=agency.id
        )
        if not s.withdrawn and s.starts_at > at
    ]
    held = await repo.agency_bookings(agency.id, start, end)
    # A slot counts as booked by its bookings, not by ``booked``: a place held for a
    # waitlist entry is no booking, and it is withdrawn with the free ones.
    with_people = {b.slot_id for b in held}
    closure.booked = [s for s in ahead if s.id in with_people]
    by_slot = {s.id: s for s in closure.booked}
    people = [(b, by_slot[b.slot_id]) for b in held if b.slot_id in by_slot]
    return [s for s in ahead if s.id not in with_people], people


async def _one(
    engine: Engine[Any],
    booking: AgencyBooking,
    slot: SlotFacts,
    handling: BookedHandling,
    notice: Notice,
) -> PersonOutcome:
    record = await repo.booking_by_reference(booking.reference)
    if record is None:  # pragma: no cover - bookings are never deleted
        return PersonOutcome(booking, slot, Outcome.UNCHANGED)
    if len(await repo.itinerary(record.id)) > 1:
        try:
            await bookings.withdraw_appointment(engine, record.id, slot.id)
        except Conflict:
            pass  # the visit changed meanwhile: cancel it, if it still stands
        else:
            return PersonOutcome(booking, slot, Outcome.DROPPED)
    elif handling == BookedHandling.MOVE:
        for target in await _targets(slot):
            try:
                await bookings.reschedule(engine, record, [target.id], notice=notice)
            except (Conflict, InvalidInput, NotFound):
                continue  # taken meanwhile, or the booking changed: the next one
            return PersonOutcome(booking, slot, Outcome.MOVED, moved_to=target)
    try:
        await bookings.cancel_booking(engine, record.id, BookingChange.WITHDRAWN)
    except Conflict:
        return PersonOutcome(booking, slot, Outcome.UNCHANGED)  # cancelled by them meanwhile
    return PersonOutcome(booking, slot, Outcome.CANCELLED)


async def _targets(slot: SlotFacts) -> list[SlotFacts]:
    """Free slots of the same service at the site on the following days, nearest day
    first and, within a day, nearest to the old time of day."""
    tz = slot.tz
    old = slot.starts_at.astimezone(tz)
    first = old.date() + timedelta(days=1)
    start, end = local_range(first, first + timedelta(days=MOVE_WITHIN_DAYS - 1), tz)
    free = await repo.find_slots(
        start=start,
        end=end,
        site_id=slot.site_id,
        service_id=slot.service_id,
        bookable_only=True,
        limit=500,
    )

    def distance(other: SlotFacts) -> tuple[date, float]:
        local = other.starts_at.astimezone(tz)
        minutes = abs((local.hour * 60 + local.minute) - (old.hour * 60 + old.minute))
        return local.date(), minutes

    return sorted(free, key=distance)[:10]


async def list_closed(agency: catalogue.Agency, first: date, last: date) -> list[ClosedDayRecord]:
    return await repo.closed_days(agency.id, first, last)


async def reopen(engine: Engine[Any], agency: catalogue.Agency, closed_day_id: int) -> None:
    """Forget the closed day: patterns may fill it again (withdrawn slots stay so)."""
    async with write_transaction(engine):
        if not await repo.delete_closed_day(closed_day_id, agency.id):
            raise NotFound(f"no closed day {closed_day_id} of yours")


def local_start(slot: SlotFacts) -> datetime:
    return slot.starts_at.astimezone(slot.tz)
