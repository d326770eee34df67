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

from wcr.catalogue import public as catalogue
from wcr.clock import now as utc_now
from wcr.database import write_transaction
from wcr.errors import Conflict, Forbidden, InvalidInput, NotFound
from wcr.timezones import combine, local_instant

from . import bookings
from . import repository as repo
from .events import BookingChange
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


def _expand(pattern: WeeklyPattern, tz: ZoneInfo) -> tuple[list[Planned], list[str]]:
    planned: list[Planned] = []
    skipped: list[str] = []
    days = (
        pattern.first + timedelta(days=n) for n in range((pattern.last - pattern.first).days + 1)
    )
    for day in (d for d in days if d.isoweekday() in pattern.weekdays):
        # Walk in real elapsed time between the day's local bounds: on the DST days
        # the session is an hour shorter or longer, never a duplicated wall time.
        first, last = combine(day, pattern.start, tz), combine(day, pattern.end, tz)
        if first is None or last is None:
            skipped.append(f"{day.isoformat()}: the clocks skip that time")
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


async def publish(
    engine: Engine[Any], agency: catalogue.Agency, data: SlotPublication
) -> tuple[list[int], list[str]]:
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
    async with write_transaction(engine):
        await repo.lock_service(service.id)
        existing = await repo.overlapping_slots(
            site.id, service.id, planned[0].starts_at, planned[-1].ends_at
        )
        clash = _first_clash(planned, existing)
        if clash is not None:
            raise Conflict(
                f"a slot from {clash.starts_at.astimezone(tz).isoformat()} overlaps "
                "another slot of this service at this site"
            )
        ids = await repo.insert_slots(
            [
                NewSlot(
                    site_id=site.id,
                    service_id=service.id,
                    agency_id=agency.id,
                    starts_at=p.starts_at,
                    ends_at=p.ends_at,
                    capacity=data.capacity,
                )
                for p in planned
            ],
            now,
        )
    return ids, skipped


def _first_clash(
    planned: list[Planned], existing: list[tuple[datetime, datetime]]
) -> Planned | None:
    """Sweep both sorted lists once: O(n + m) for patterns of thousands of slots."""
    j = 0
    for slot in planned:
        while j < len(existing) and existing[j][1] <= slot.starts_at:
            j += 1
        if j < len(existing) and existing[j][0] < slot.ends_at:
            return slot
    return None


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
    async with write_transaction(engine):
        if not await repo.withdraw_slot(slot_id, agency.id, only_if_unbooked=not force):
            raise Conflict(
                "the slot has bookings; withdraw with force=true to cancel them "
                "(the people are told)"
            )
    if not force:
        return 0
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
