"""Joining, viewing and leaving the waitlist, each one write transaction."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from piccolo.engine.base import Engine

from wcr import events
from wcr.booking import public as booking
from wcr.clock import now
from wcr.database import is_unique_violation, write_transaction
from wcr.errors import Conflict, InvalidInput, NotFound
from wcr.tokens import digest, matches, new_manage_token, new_reference, normalise_reference

from . import repository as repo
from .events import EndedBecause, EntryEnded
from .records import OPEN, EntryRecord, EntryStatus, HoldStatus, NewEntry

# How far ahead a visitor may wait: as far as agencies publish, roughly.
MAX_RANGE = timedelta(days=92)
DEFAULT_RANGE = timedelta(days=30)


def parse_day(raw: str | None, field: str) -> date | None:
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput.field(field, "a day as YYYY-MM-DD") from None


def day_range(first: date | None, last: date | None, today: date) -> tuple[date, date]:
    first = first or today
    last = last or first + DEFAULT_RANGE
    if first < today:
        raise InvalidInput.field("from", "the first day cannot be in the past")
    if last < first:
        raise InvalidInput.field("to", "the last day cannot be before the first")
    if last - first > MAX_RANGE:
        raise InvalidInput.field("to", f"at most {MAX_RANGE.days} days of waiting")
    return first, last


async def join(
    engine: Engine[Any],
    *,
    site_id: int,
    service_id: int,
    first: date,
    last: date,
    contact: booking.Contact,
    hold_minutes: int,
    max_offers: int,
) -> tuple[str, str]:
    """A new waiting entry: (reference, token). 409 when the contact already waits
    for the service (the unique index decides)."""
    token = new_manage_token()
    reference = new_reference()
    entry = NewEntry(
        reference=reference,
        token_hash=digest(token),
        site_id=site_id,
        service_id=service_id,
        first_day=first,
        last_day=last,
        name=contact.name,
        email=contact.email,
        phone=contact.phone,
        language=contact.language,
        hold_minutes=hold_minutes,
        max_offers=max_offers,
        email_service=f"{contact.email_key}:{service_id}" if contact.email_key else None,
        phone_service=f"{contact.phone_key}:{service_id}" if contact.phone_key else None,
        at=now(),
    )
    try:
        async with write_transaction(engine):
            await repo.insert_entry(entry)
    except Exception as error:
        if is_unique_violation(error):
            raise Conflict("this contact is already on the waitlist for this service") from None
        raise
    return reference, token


async def authorised(reference: str, token: str | None) -> EntryRecord:
    entry = await repo.entry_by_reference(normalise_reference(reference))
    if entry is None or not token or not matches(token, entry.token_hash):
        raise NotFound("no waitlist entry with that reference and token")
    return entry


async def leave(engine: Engine[Any], entry: EntryRecord) -> None:
    """Leave the list; a place held for the entry passes on to the next one."""
    if entry.status not in OPEN:
        raise Conflict(f"the entry is {entry.status}; it is no longer on the list")
    async with write_transaction(engine):
        at = now()
        if not await repo.end_entry(entry.id, EntryStatus.LEFT, at):
            raise Conflict("the entry is no longer on the list")
        released = await repo.end_holds(entry.id, HoldStatus.DECLINED)
        await give_back(released, at)
        await events.emit(
            EntryEnded(
                entry_id=entry.id,
                reference=entry.reference,
                email=entry.email,
                phone=entry.phone,
                language=entry.language,
                because=EndedBecause.LEFT,
                at=at,
            )
        )


async def give_back(slot_ids: list[int], at: datetime) -> None:
    """Return held places and tell everyone (the waitlist itself offers them on)."""
    for slot_id in sorted(slot_ids):
        await booking.give_back_place(slot_id)
    if slot_ids:
        await events.emit(
            booking.PlaceFreed(
                slot_ids=tuple(sorted(slot_ids)),
                because=booking.FreedBecause.HOLD_ENDED,
                at=at,
            )
        )
