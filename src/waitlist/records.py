"""What the waitlist hands out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class EntryStatus(StrEnum):
    WAITING = "waiting"
    OFFERED = "offered"  # a place is held for it right now
    BOOKED = "booked"
    LEFT = "left"
    LAPSED = "lapsed"


class HoldStatus(StrEnum):
    HELD = "held"
    CLAIMED = "claimed"
    EXPIRED = "expired"
    DECLINED = "declined"


OPEN = (EntryStatus.WAITING, EntryStatus.OFFERED)


@dataclass(frozen=True, kw_only=True)
class NewEntry:
    reference: str
    token_hash: str
    site_id: int
    service_id: int
    first_day: date
    last_day: date
    name: str
    email: str | None
    phone: str | None
    language: str
    hold_minutes: int
    max_offers: int
    email_service: str | None
    phone_service: str | None
    at: datetime


@dataclass(frozen=True, kw_only=True)
class EntryRecord:
    id: int
    reference: str
    token_hash: str
    site_id: int
    service_id: int
    first_day: date
    last_day: date
    name: str
    email: str | None
    phone: str | None
    language: str
    status: EntryStatus
    offers: int
    hold_minutes: int
    max_offers: int
    booking_reference: str | None
    created_at: datetime


@dataclass(frozen=True, kw_only=True)
class HoldRecord:
    id: int
    entry_id: int
    slot_id: int
    status: HoldStatus
    expires_at: datetime
