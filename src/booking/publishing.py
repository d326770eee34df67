"""Partner agencies publish and withdraw their slots.

Overlap is checked and the slots inserted inside one write transaction that first
locks the service row (PostgreSQL) or holds SQLite's write lock (BEGIN IMMEDIATE),
so two concurrent publications for one service cannot both pass the check.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from piccolo.engine.base import Engine

from wcr import events
from wcr.catalogue import public as catalogue
from wcr.clock import now as utc_now
from wcr.database import retrying_deadlocks, write_transaction
from wcr.errors import Conflict, Forbidden, InvalidInput, NotFound
from wcr.timezones import combine, local_instant

from . import advice, bookings
from . import repository as repo
from .agency_records import Skipped, SkipReason
from .events import BookingChange, PlacesAdded, SlotsWithdrawn
from .records import NewSlot
from .schemas import SlotPublication

log = logging.getLogger("wcr.publishing")

MAX_PATTERN_DAYS = 366
MAX_SLOTS_PER_REQUEST = 5000
MAX_SLOT_LENGTH = timedelta(hours=12)
# Agencies publish at most two years ahead: further is a typo, and would let one key
# fill the tables with slots nobody can book.
MAX_AHEAD = timedelta(days=731)


@dataclass(frozen=True)
class Planned:
    starts_at: datetime
    ends_at: datetime


def _single(data: SlotPublication, tz: ZoneInfo) -> list[Planned]:
    if data.start is None or data.end is None:
        raise InvalidInput.field("end" if data.start else "start", "give start and end")
    start = local_instant(data.start, tz, "start")
    end = local_instant(data.end, tz, "end")
    if end <= start:
        raise InvalidInput.field("end", "must be after start")
    if end - start > MAX_SLOT_LENGTH:
        raise InvalidInput.field("end", "a slot lasts at most 12 hours")
    return [Planned(start, end)]


@dataclass(frozen=True)
class WeeklyPattern:
    first: date
    last: date
    weekdays: frozenset[int]
    start: time
    end: time
    step: timedelta


def _weekly_pattern(data: SlotPublication) -> WeeklyPattern:
    """The pattern fields of ``data``, checked; errors name the field at fault."""
    for field in ("from_date", "to_date", "weekdays", "start_time", "end_time", "slot_minutes"):
        if getattr(data, field) is None:
            raise InvalidInput.field(field, "required for a pattern")
    first, last = cast("date", data.from_date), cast("date", data.to_date)
    if last < first:
        raise InvalidInput.field("to_date", "must not be before from_date")
    if (last - first).days + 1 > MAX_PATTERN_DAYS:
        raise InvalidInput.field("to_date", f"a pattern covers at most {MAX_PATTERN_DAYS} days")
    start = time.fromisoformat(cast("str", data.start_time))
    end = time.fromisoformat(cast("str", data.end_time))
    if end <= start:
        raise InvalidInput.field("end_time", "must be after start_time")
    return WeeklyPattern(
        first=first,
        last=last,
        weekdays=frozenset(data.weekdays or ()),
        start=start,
        end=end,
        step=timedelta(minutes=cast("int", data.slot_minutes)),
    )


def _expand(pattern: WeeklyPattern, tz: ZoneInfo) -> tuple[list[Planned], list[Skipped]]:
    planned: list[Planned] = []
    skipped: list[Skipped] = []
    days = (
        pattern.first + timedelta(days=n) for n in range((pattern.last - pattern.first).days + 1)
    )
    for day in (d for d in days if d.isoweekday() in pattern.weekdays):
        # Walk in real elapsed time between the day's local bounds: on the DST days
        # the session is an hour shorter or longer, never a duplicated wall time.
        first, last = combine(day, pattern.start, tz), combine(day, pattern.end, tz)
        if first is None or last is None:
            skipped.append(Skipped(day, SkipReason.CLOCK_CHANGE))
            continue
        at = first
        while at + pattern.step <= last:
            planned.append(Planned(at, at + pattern.step))
            at += pattern.step
        if len(planned) > MAX_SLOTS_PER_REQUEST:
            raise InvalidInput.field(
                "slot_minutes", f"at most {MAX_SLOTS_PER_REQUEST} slots a request"
            )
    return planned, skipped


def _is_pattern(data: SlotPublication) -> bool:
    return data.start is None and data.end is None


@dataclass(frozen=True)
class Plan:
    """What a publication would create, checked but not yet against existing slots."""

    site: catalogue.Site
    service: catalogue.Service
    planned: list[Planned]
    skipped: list[Skipped]
    pattern: bool


async def publish(
    engine: Engine[Any], agency: catalogue.Agency, data: SlotPublication
) -> tuple[list[int], list[Skipped]]:
    """Create the slots; a pattern leaves out those that overlap existing slots or fall
    on the agency's closed days, and says which (``Skipped``). A single slot that
    overlaps, or a pattern of which nothing is left, is 409."""
    languages = advice.clean_codes(data.languages)  # the adviser's, 422 on "languages"
    plan = await _plan(agency, data)
    site, service = plan.site, plan.service
    async with write_transaction(engine):
        await repo.lock_service(service.id)
        await catalogue.offer_service(service, site)  # the site offers what it publishes
        planned, skipped = await _leave_out(plan, agency)
        if not planned:
            raise _nothing_left(plan, skipped)
        ids = await repo.insert_slots(
            [
                NewSlot(
                    site_id=site.id,
                    service_id=service.id,
                    agency_id=agency.id,
                    starts_at=p.starts_at,
                    ends_at=p.ends_at,
                    capacity=data.capacity,
                    languages=languages,
                )
                for p in planned
            ],
            utc_now(),
        )
        # Inside the transaction: the waitlist holds the new places for who waits.
        await events.emit(PlacesAdded(slot_ids=tuple(ids), at=utc_now()))
    return ids, in_order(plan.skipped + skipped)


async def preview(
    agency: catalogue.Agency, data: SlotPublication
) -> tuple[catalogue.Site, list[Planned], list[Skipped]]:
    """What :func:`publish` would create and leave out now; writes nothing."""
    advice.clean_codes(data.languages)
    plan = await _plan(agency, data)
    planned, skipped = await _leave_out(plan, agency)
    return plan.site, planned, in_order(plan.skipped + skipped)


async def _leave_out(plan: Plan, agency: catalogue.Agency) -> tuple[list[Planned], list[Skipped]]:
    """The planned slots that fit, and those left out: on a closed day, or overlapping."""
    planned, skipped = plan.planned, []
    tz = plan.site.tz
    if plan.pattern:
        first = planned[0].starts_at.astimezone(tz).date()
        last = planned[-1].starts_at.astimezone(tz).date()
        closed = await repo.closed_day_dates(agency.id, plan.site.id, first, last)
        if closed:
            kept = []
            for p in planned:
                day = p.starts_at.astimezone(tz).date()
                if day in closed:
                    skipped.append(Skipped(day, SkipReason.CLOSED_DAY, p.starts_at, p.ends_at))
                else:
                    kept.append(p)
            planned = kept
    if planned:
        existing = await repo.overlapping_slots(
            plan.site.id, plan.service.id, planned[0].starts_at, planned[-1].ends_at
        )
        planned, clashing = _split_clashes(planned, existing)
        skipped += [
            Skipped(p.starts_at.astimezone(tz).date(), SkipReason.OVERLAP, p.starts_at, p.ends_at)
            for p in clashing
        ]
    return planned, skipped


def in_order(skipped: list[Skipped]) -> list[Skipped]:
    return sorted(skipped, key=lambda s: (s.day, s.starts_at.timestamp() if s.starts_at else 0))


def _nothing_left(plan: Plan, skipped: list[Skipped]) -> Exception:
    if not plan.pattern:
        clash = plan.planned[0]
        return Conflict(
            f"a slot from {clash.starts_at.astimezone(plan.site.tz).isoformat()} overlaps "
            "another slot of this service at this site",
            extra={"code": "overlap"},
        )
    return Conflict(
        "every slot of the pattern overlaps an existing slot or falls on a closed day",
        extra={"code": "nothing_left", "skipped": len(skipped)},
    )


async def _plan(agency: catalogue.Agency, data: SlotPublication) -> Plan:
    site = await catalogue.site_by_slug(data.site)
    service = await catalogue.service_by_slug(data.service)
    if service.agency_id != agency.id:
        raise Forbidden(f"the service {data.service!r} belongs to another agency")
    await catalogue.ensure_serves(agency, site)
    tz = site.tz
    if _is_pattern(data):
        pattern = _weekly_pattern(data)
        if pattern.last > (utc_now() + MAX_AHEAD).date():
            raise InvalidInput.field("to_date", "slots can be published at most 2 years ahead")
        planned, skipped = _expand(pattern, tz)
    else:
        planned, skipped = _single(data, tz), []
    if not planned:
        raise InvalidInput.field("weekdays", "the pattern yields no slot in that range")
    now = utc_now()
    past = [p for p in planned if p.starts_at <= now]
    if past:
        field = "from_date" if _is_pattern(data) else "start"
        raise InvalidInput.field(field, "slots must start in the future")
    if planned[-1].starts_at > now + MAX_AHEAD:
        field = "to_date" if _is_pattern(data) else "start"
        raise InvalidInput.field(field, "slots can be published at most 2 years ahead")
    return Plan(site, service, planned, skipped, pattern=_is_pattern(data))


def _split_clashes(
    planned: list[Planned], existing: list[tuple[datetime, datetime]]
) -> tuple[list[Planned], list[Planned]]:
    """(free, clashing): one sweep of both sorted lists, O(n + m) for patterns of
    thousands of slots (existing slots of one service at one site never overlap, so
    sorted by start they are sorted by end too)."""
    free, clashing = [], []
    j = 0
    for slot in planned:
        while j < len(existing) and existing[j][1] <= slot.starts_at:
            j += 1
        if j < len(existing) and existing[j][0] < slot.ends_at:
            clashing.append(slot)
        else:
            free.append(slot)
    return free, clashing


async def withdraw(
    engine: Engine[Any], agency: catalogue.Agency, slot_id: int, *, force: bool
) -> int:
    """Withdraw a slot; returns how many bookings were cancelled or changed with it."""
    facts = (await repo.slots_by_id([slot_id])).get(slot_id)
    if facts is None or facts.agency_id != agency.id:
        # Another agency's slot is answered like an unknown one: no probing of ids.
        raise NotFound(f"no slot {slot_id} of yours")
    if facts.withdrawn:
        raise Conflict("the slot is already withdrawn")
    has_bookings = Conflict(
        "the slot has bookings; withdraw with force=true to cancel them (the people are told)"
    )

    async def withdrawing() -> None:
        async with write_transaction(engine):
            if not await repo.withdraw_slot(slot_id, agency.id, only_if_unbooked=not force):
                raise has_bookings
            await events.emit(SlotsWithdrawn(slot_ids=(slot_id,), at=utc_now()))
            if not force and await repo.booked_among([slot_id]):
                raise has_bookings

    await retrying_deadlocks(withdrawing)
    return await _end_bookings_in(engine, slot_id) if force else 0


async def _end_bookings_in(engine: Engine[Any], slot_id: int) -> int:
    """The bookings of a slot withdrawn by force: how many were cancelled or changed."""
    # Withdrawn first, so no new booking can arrive; then each booking is changed in its
    # own transaction along the usual lock order (booking, then slots ascending). A
    # one-stop visit loses only this appointment; a booking of this slot alone ends.
    cancelled = 0
    for row in await repo.bookings_in_slot(slot_id):
        if len(await repo.itinerary(row.id)) > 1:
            try:
                await bookings.withdraw_appointment(engine, row.id, slot_id)
            except Conflict:
                pass  # changed meanwhile: cancel it, if it still stands
            else:
                cancelled += 1
                log.info("booking %s: appointment in slot %s withdrawn", row.reference, slot_id)
                continue
        try:
            await bookings.cancel_booking(engine, row.id, BookingChange.WITHDRAWN)
        except Conflict:
            continue  # the visitor cancelled at the same moment
        cancelled += 1
        log.info("booking %s cancelled: slot %s withdrawn", row.reference, slot_id)
    return cancelled
