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
    WITHDRAWN = "withdrawn"  # the agency withdrew one of its slots: the offer fell away


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
    # A one-stop entry: all its services (``service_id`` is the first of them) and
    # the package it waits for, if any; empty for a single service.
    services: tuple[int, ...] = ()
    package_id: int | None = None
    # Local day-times ("HH:MM") a place must start at or after, end at or before.
    earliest: str | None = None
    latest: str | None = None


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
    # A one-stop entry's services, ids ascending (empty: the single ``service_id``),
    # and its package (whose days and hours apply), if any.
    services: tuple[int, ...] = ()
    package_id: int | None = None
    # Local day-times ("HH:MM") a place must start at or after, end at or before.
    earliest: str | None = None
    latest: str | None = None

    def accepts_times(self, start: str, end: str) -> bool:
        """Whether a place (or visit) from local ``start`` to ``end`` ("HH:MM") fits."""
        return (self.earliest is None or self.earliest <= start) and (
            self.latest is None or self.latest >= end
        )

    @property
    def one_stop(self) -> bool:
        return bool(self.services)

    @property
    def service_ids(self) -> tuple[int, ...]:
        """Every service the entry waits for: a one-stop visit's, or the one."""
        return self.services or (self.service_id,)


@dataclass(frozen=True, kw_only=True)
class HoldRecord:
    id: int
    entry_id: int
    slot_id: int
    status: HoldStatus
    expires_at: datetime


# --- what the statistics and the staff pages count (wcr.stats, the agency portal) ---


@dataclass(frozen=True, kw_only=True)
class HoldFact:
    """One offer: the entry's service, when the held place starts, how it ended."""

    service_id: int
    starts_at: datetime
    status: HoldStatus


@dataclass(frozen=True, kw_only=True)
class OfferDay:
    """Offers of places of one service on one local day at a site: made, booked by the
    visitor (claimed), and run out unanswered (lapsed)."""

    service_id: int
    day: date
    offered: int = 0
    claimed: int = 0
    lapsed: int = 0
