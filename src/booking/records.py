"""Typed records of the booking feature, and the statuses its rows can take."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from wcr.catalogue import public as catalogue
from wcr.i18n import localised

# Every office holds its appointments in German; slots list the languages besides.
GERMAN = "de"


def pack_codes(codes: tuple[str, ...] | list[str]) -> str:
    """The stored form of a slot's languages or a package's weekdays: ",ar,uk," ("" for none)."""
    return f",{','.join(codes)}," if codes else ""


def unpack_codes(stored: str | None) -> tuple[str, ...]:
    return tuple(code for code in (stored or "").split(",") if code)


class BookingStatus(StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class NoPlace(StrEnum):
    """Why a place could not be taken."""

    FULL = "full"  # also withdrawn or begun: the slot exists but takes nobody
    NO_SLOT = "no slot"


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
    service_descriptions: dict[str, str] = field(default_factory=dict)
    service_bring: dict[str, list[str]] = field(default_factory=dict)
    # Languages the adviser speaks besides German (ISO 639), as published.
    languages: tuple[str, ...] = ()

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

    def service_content(self, language: str) -> catalogue.ServiceContent:
        """Name, description and what to bring, with the language each is in."""
        return catalogue.service_content(
            self.service,
            self.service_names,
            self.service_descriptions,
            self.service_bring,
            language,
        )

    def offers(self, advice_language: str | None) -> bool:
        """Whether an appointment here can be held in that language (German always)."""
        return advice_language in (None, GERMAN) or advice_language in self.languages


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
    languages: tuple[str, ...] = ()


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
    advice_language: str | None = None
    package_id: int | None = None


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
    advice_language: str | None = None  # held in this language (None: German)
    package_id: int | None = None  # booked as this one-stop package


@dataclass(frozen=True)
class AppointmentStep:
    """One appointment of a booking with the booking versions it spans: what a message
    written at any version was about (the versions rise with each change)."""

    booking_id: int
    position: int
    slot_id: int
    status: AppointmentStatus
    version: int  # the booking's version that made it
    ended_version: int | None  # the one that ended it (cancelled, moved away)

    def stood_at(self, version: int) -> bool:
        """Part of the visit as it stood at ``version``."""
        return self.version <= version and (
            self.ended_version is None or self.ended_version > version
        )

    def ended_at(self, version: int) -> bool:
        """Ended by the change to ``version``."""
        return self.ended_version == version


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
    id: int = 0
    # ISO weekdays it is offered on (empty: every day) and the local hours, if any.
    weekdays: tuple[int, ...] = ()
    opens: time | None = None
    closes: time | None = None

    def allows(self, start: datetime, end: datetime, tz: ZoneInfo) -> bool:
        """Whether an appointment from ``start`` to ``end`` lies in its days and hours."""
        first, last = start.astimezone(tz), end.astimezone(tz)
        if self.weekdays and first.isoweekday() not in self.weekdays:
            return False
        if self.opens is not None and first.time() < self.opens:
            return False
        late = last.date() > first.date() or last.time() > (self.closes or time.max)
        return not (self.closes is not None and late)
