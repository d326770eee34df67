"""Request and response bodies of the booking API (msgspec, validated by Litestar)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec

from wcr.database import MAX_ID

SlotId = Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)]
MAX_VISIT_SLOTS = 5
# ISO 639 codes, checked against Babel's list by wcr.booking.advice (422 naming the field).
LanguageCode = Annotated[str, msgspec.Meta(max_length=16)]
Languages = Annotated[list[LanguageCode], msgspec.Meta(max_length=20)]
# The solution of GET /api/v1/challenge (base64 of ALTCHA's JSON, a few hundred bytes).
Altcha = Annotated[str, msgspec.Meta(max_length=4000)]


class BookingRequest(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(max_length=400)]
    slot_id: SlotId | None = None
    slot_ids: Annotated[list[SlotId], msgspec.Meta(max_length=MAX_VISIT_SLOTS)] | None = None
    email: Annotated[str, msgspec.Meta(max_length=400)] | None = None
    phone: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    language: Annotated[str, msgspec.Meta(max_length=16)] | None = None
    # A firm's key (or the X-Company-Key header): name is then the employee who comes.
    company_key: Annotated[str, msgspec.Meta(max_length=128)] | None = None
    altcha: Altcha | None = None
    # Held in this language: every slot's adviser must speak it (422 otherwise).
    advice_language: LanguageCode | None = None
    # Booked as this one-stop package: its site, services, weekdays and hours hold.
    package: Annotated[str, msgspec.Meta(max_length=64)] | None = None


class RescheduleRequest(msgspec.Struct, forbid_unknown_fields=True):
    slot_id: SlotId | None = None
    slot_ids: Annotated[list[SlotId], msgspec.Meta(max_length=MAX_VISIT_SLOTS)] | None = None
    altcha: Altcha | None = None


class AppointmentView(msgspec.Struct):
    slot_id: int
    position: int
    site: str
    agency: str
    service: str
    service_name: str
    start: str
    end: str
    site_name: str
    address: str
    # The service's content in the booking's language; ``text_languages`` says which
    # language each text is in where it fell back (English or German).
    description: str = ""
    bring: list[str] = msgspec.field(default_factory=list)
    text_languages: dict[str, str] = msgspec.field(default_factory=dict)


class BookingView(msgspec.Struct):
    reference: str
    status: str
    name: str
    email: str | None
    phone: str | None
    language: str
    created_at: str
    appointments: list[AppointmentView]
    # The language the appointments are held in (German when none was asked for).
    advice_language: str = "de"
    package: str | None = None
    # The contact as the confirmation page shows it (a•••@example.org, +49 151 •••• 789),
    # whether SMS go to the phone, and why not (the warnings of BookingCreated).
    masked_email: str | None = None
    masked_phone: str | None = None
    sms: bool = False
    warnings: list[BookingWarning] = msgspec.field(default_factory=list)


class BookingWarning(msgspec.Struct):
    """Something the visitor should know about the booking, e.g. that no SMS will come."""

    field: str  # the input it is about
    code: str  # no-sms-not-mobile, no-sms-region
    message: str  # readable, in the booking's language


class BookingCreated(msgspec.Struct):
    reference: str
    manage_token: str
    status: str
    appointments: list[AppointmentView]
    manage_url: str
    # Whether SMS go to the phone given (false without one); warnings say why not.
    sms: bool = False
    warnings: list[BookingWarning] = msgspec.field(default_factory=list)
    advice_language: str = "de"
    package: str | None = None


class CancelResult(msgspec.Struct):
    status: str


class SlotView(msgspec.Struct):
    id: int
    site: str
    agency: str
    service: str
    start: str
    end: str
    remaining: int
    # Languages the adviser speaks besides German (ISO 639).
    languages: list[str] = msgspec.field(default_factory=list)


class Availability(msgspec.Struct):
    slots: list[SlotView]


class FreeDay(msgspec.Struct):
    date: str  # YYYY-MM-DD, the site's day
    free: int  # free slots of the service, or one-stop options of the visit


class FreeDays(msgspec.Struct):
    days: list[FreeDay]


Capacity = Annotated[int, msgspec.Meta(ge=1, le=1000)]
# "08:00" as clerks type it (msgspec's own time type insists on seconds).
LocalTime = Annotated[
    str,
    msgspec.Meta(pattern=r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$", examples=["08:00", "15:30"]),
]


class SlotPublication(msgspec.Struct, forbid_unknown_fields=True):
    """One slot (``start``/``end``) or a weekly pattern (``from_date``…``slot_minutes``)."""

    site: Annotated[str, msgspec.Meta(max_length=64)]
    service: Annotated[str, msgspec.Meta(max_length=64)]
    capacity: Capacity = 1
    start: datetime | None = None
    end: datetime | None = None
    from_date: date | None = None
    to_date: date | None = None
    weekdays: (
        Annotated[list[Annotated[int, msgspec.Meta(ge=1, le=7)]], msgspec.Meta(max_length=7)] | None
    ) = None
    start_time: LocalTime | None = None
    end_time: LocalTime | None = None
    slot_minutes: Annotated[int, msgspec.Meta(ge=5, le=720)] | None = None
    # ISO 639 codes of the languages the adviser speaks besides German, e.g. ["ar"].
    languages: Languages | None = None


class CalendarForm(msgspec.Struct):
    token: Annotated[str, msgspec.Meta(max_length=64)]


class AgencyProfile(msgspec.Struct):
    slug: str
    name: str
    sites: list[str]  # slugs of the sites it serves (publishes at)


class AgencySlotView(msgspec.Struct):
    id: int
    site: str
    service: str
    start: str
    end: str
    capacity: int
    booked: int
    withdrawn: bool
    languages: list[str] = msgspec.field(default_factory=list)


class SlotsCreated(msgspec.Struct):
    created: int
    slots: list[AgencySlotView]
    skipped: list[str] = msgspec.field(default_factory=list)


class AgencyBookingView(msgspec.Struct):
    reference: str
    status: str
    name: str
    email: str | None
    phone: str | None
    language: str
    slot_id: int
    site: str
    service: str
    start: str
    end: str


class PackageView(msgspec.Struct):
    slug: str
    name: str
    site: str
    services: list[str]
    names: dict[str, str]
    # ISO weekdays it is offered on (empty: every day), and its local hours, if any.
    weekdays: list[int] = msgspec.field(default_factory=list)
    opens: str | None = None
    closes: str | None = None


class OptionAppointment(msgspec.Struct):
    slot_id: int
    service: str
    agency: str
    start: str
    end: str
    languages: list[str] = msgspec.field(default_factory=list)


class VisitOption(msgspec.Struct):
    start: str
    end: str
    idle_minutes: int
    slot_ids: list[int]
    appointments: list[OptionAppointment]


class VisitOptions(msgspec.Struct):
    options: list[VisitOption]
