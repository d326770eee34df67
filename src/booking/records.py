"""Typed records of the booking feature, and the statuses its rows can take."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from wcr.i18n import localised


class BookingStatus(StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class AppointmentStatus(StrEnum):
    ACTIVE = "active"
    CANCELLED = "cancelled"  # with its booking: still shown as it was
    REPLACED = "replaced"  # rescheduled away
    DROPPED = "dropped"  # taken out of a one-stop visit, the rest stays


@dataclass(frozen=True)
class SlotFacts:
    id: int
    site_id: int
    site: str
    site_name: str
    address: str
    tz: ZoneInfo
    agency_id: int
    agency: str
    service_id: int
    service: str
    service_names: dict[str, str]
    starts_at: datetime
    ends_at: datetime
    capacity: int
    booked: int
    withdrawn: bool

    @property
    def start_local(self) -> str:
        """ISO 8601 in the site's zone, as the API shows times."""
        return self.starts_at.astimezone(self.tz).isoformat()

    @property
    def end_local(self) -> str:
        return self.ends_at.astimezone(self.tz).isoformat()

    @property
    def remaining(self) -> int:
        return max(0, self.capacity - self.booked)

    def service_name(self, language: str) -> str:
        return localised(self.service_names, language, self.service)


@dataclass(frozen=True)
class SlotTime:
    """Just what the one-stop search needs of a free slot."""

    id: int
    service_id: int
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class NewSlot:
    site_id: int
    service_id: int
    agency_id: int
    starts_at: datetime
    ends_at: datetime
    capacity: int


@dataclass(frozen=True)
class NewBooking:
    reference: str
    token_hash: str
    name: str
    email: str | None
    phone: str | None
    language: str
    at: datetime
    silent: bool = False
    email_key: str | None = None
    phone_key: str | None = None
    company_id: int | None = None


@dataclass(frozen=True)
class CompanyRecord:
    id: int
    name: str


@dataclass(frozen=True)
class BookingRecord:
    id: int
    reference: str
    token_hash: str
    name: str
    email: str | None
    phone: str | None
    language: str
    status: BookingStatus
    version: int
    created_at: datetime
    company_id: int | None = None  # booked with that company's key


@dataclass(frozen=True)
class Marked:
    """A booking right after its version was raised: what a message needs of it."""

    version: int
    email: str | None
    phone: str | None
    silent: bool = False


@dataclass(frozen=True)
class BookingInSlot:
    id: int
    reference: str


@dataclass(frozen=True)
class AgencyBooking:
    """A booking as the agency that owns the slot sees it."""

    reference: str
    status: BookingStatus
    name: str
    email: str | None
    phone: str | None
    language: str
    slot_id: int


@dataclass(frozen=True)
class PackageInfo:
    """A one-stop offer of a site: its services in their usual order."""

    slug: str
    names: dict[str, str]
    site: str
    services: list[str]
