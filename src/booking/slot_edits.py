"""An agency changes one of its slots ahead: capacity (never below the places booked)
and times (while nobody has booked it).

Both are single conditional updates (:func:`.repository.set_capacity`,
:func:`.repository.move_free_slot`): a booking racing an edit waits for the slot's row
and then sees the new capacity, so the database never holds more bookings than places
(its CHECK says the same). New times are checked for overlap under the service's lock,
as publishing is.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from piccolo.engine.base import Engine

from wcr import events
from wcr.catalogue import public as catalogue
from wcr.clock import now
from wcr.database import write_transaction
from wcr.errors import Conflict, InvalidInput, NotFound
from wcr.timezones import local_instant

from . import repository as repo
from .agency_schemas import SlotEdit
from .events import PlacesAdded
from .publishing import MAX_AHEAD, MAX_SLOT_LENGTH
from .records import SlotFacts


def _refusal(field: str, code: str, message: str, **extra: Any) -> Conflict:
    return Conflict(
        f"{field}: {message}",
        errors=[{"field": field, "message": message}],
        extra={"code": code, **extra},
    )


async def own_slot(agency: catalogue.Agency, slot_id: int) -> SlotFacts:
    """The agency's slot; another agency's is answered like an unknown one."""
    facts = (await repo.slots_by_id([slot_id])).get(slot_id)
    if facts is None or facts.agency_id != agency.id:
        raise NotFound(f"no slot {slot_id} of yours")
    return facts


async def edit_slot(
    engine: Engine[Any], agency: catalogue.Agency, slot_id: int, data: SlotEdit
) -> SlotFacts:
    slot = await own_slot(agency, slot_id)
    if data.capacity is None and data.start is None and data.end is None:
        raise InvalidInput.field("capacity", "give capacity, or start and end, or both")
    if (data.start is None) != (data.end is None):
        raise InvalidInput.field("end" if data.start else "start", "give start and end together")
    times = _new_times(slot, data)
    async with write_transaction(engine):
        at = now()
        if times is not None:
            await repo.lock_service(slot.service_id)
            clash = await repo.overlapping_other_slot(
                slot.id, slot.site_id, slot.service_id, *times
            )
            if clash is not None:
                raise _refusal(
                    "start",
                    "overlap",
                    "overlaps another slot of this service at this site",
                    overlapping_start=clash.astimezone(slot.tz).isoformat(),
                )
            if not await repo.move_free_slot(slot.id, agency.id, *times, at):
                raise await _why(slot.id, "start", at)
        if data.capacity is not None and not await repo.set_capacity(
            slot.id, agency.id, data.capacity, at
        ):
            raise await _why(slot.id, "capacity", at)
        # A raised capacity or a new time may fit who waits (offers take places
        # conditionally, so telling once too often costs a query, nothing more).
        await events.emit(PlacesAdded(slot_ids=(slot.id,), at=at))
    return (await repo.slots_by_id([slot.id]))[slot.id]


def _new_times(slot: SlotFacts, data: SlotEdit) -> tuple[datetime, datetime] | None:
    """The asked start and end in UTC, checked as publishing checks them; None when
    the body changes no time."""
    if data.start is None or data.end is None:
        return None
    start = local_instant(data.start, slot.tz, "start")
    end = local_instant(data.end, slot.tz, "end")
    if end <= start:
        raise InvalidInput.field("end", "must be after start")
    if end - start > MAX_SLOT_LENGTH:
        raise InvalidInput.field("end", "a slot lasts at most 12 hours")
    if start <= now():
        raise InvalidInput.field("start", "slots must start in the future")
    if start > now() + MAX_AHEAD:
        raise InvalidInput.field("start", "slots can be published at most 2 years ahead")
    return None if (start, end) == (slot.starts_at, slot.ends_at) else (start, end)


async def _why(slot_id: int, field: str, at: datetime) -> Conflict:
    """Why the conditional update found no row (read after the database decided)."""
    slot = (await repo.slots_by_id([slot_id]))[slot_id]
    if slot.withdrawn:
        return _refusal(field, "withdrawn", "the slot is withdrawn")
    if slot.starts_at <= at:
        return _refusal(field, "past", "the slot has begun or is over")
    if field == "start":
        return _refusal(
            field, "booked", "people have booked this slot: its times stay", booked=slot.booked
        )
    return _refusal(
        field,
        "below_booked",
        f"{slot.booked} places are booked: the capacity cannot be less",
        booked=slot.booked,
    )
