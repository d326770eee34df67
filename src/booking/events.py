"""What the booking feature tells the rest of the system (see :mod:`wcr.events`).

Both events are emitted inside the transaction of the change, so a subscriber's writes
(notifications' outbox rows; later the waitlist's holds) commit with it or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from wcr.events import Event


class BookingChange(StrEnum):
    BOOKED = "booked"
    RESCHEDULED = "rescheduled"
    CANCELLED = "cancelled"  # by the visitor
    WITHDRAWN = "withdrawn"  # the agency withdrew the slot


@dataclass(frozen=True)
class TimedAppointment:
    slot_id: int
    starts_at: datetime


@dataclass(frozen=True, kw_only=True)
class BookingChanged(Event):
    """A booking was made or changed; its visitor is to be told."""

    booking_id: int
    change: BookingChange
    version: int
    email: str | None
    phone: str | None
    # The visit's appointments after the change (empty when it ended).
    appointments: tuple[TimedAppointment, ...]
    # Reminders before each appointment, from the deployment's settings.
    reminders: tuple[timedelta, ...]
    at: datetime
    # Nobody is to be told (the booking was made silent, as the demo's are).
    silent: bool = False


class FreedBecause(StrEnum):
    CANCELLED = "cancelled"
    RESCHEDULED = "rescheduled"
    DROPPED = "dropped"
    WITHDRAWN = "withdrawn"
    HOLD_ENDED = "hold_ended"  # a waitlist hold ran out or was declined


@dataclass(frozen=True, kw_only=True)
class PlaceFreed(Event):
    """A place in each of ``slot_ids`` became free again (one each)."""

    slot_ids: tuple[int, ...]
    because: FreedBecause
    at: datetime


@dataclass(frozen=True, kw_only=True)
class PlacesAdded(Event):
    """New places: ``slot_ids`` were published, or their capacity was raised."""

    slot_ids: tuple[int, ...]
    at: datetime


@dataclass(frozen=True, kw_only=True)
class SlotsWithdrawn(Event):
    """The agency withdrew ``slot_ids`` (one by one or by closing a day). Bookings in
    them are changed by booking itself, after; a place held in them for somebody else
    (the waitlist's) must end inside this transaction, or it could still be claimed."""

    slot_ids: tuple[int, ...]
    at: datetime
