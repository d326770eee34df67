"""Request and response bodies of the booking API (msgspec, validated by Litestar)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec

from wcr.database import MAX_ID

SlotId = Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)]
MAX_VISIT_SLOTS = 5
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


class BookingView(msgspec.Struct):
    reference: str
    status: str
    name: str
    email: str | None
    phone: str | None
    language: str
    created_at: str
    appointments: list[AppointmentView]


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


class Availability(msgspec.Struct):
    slots: list[SlotView]


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


class OptionAppointment(msgspec.Struct):
    slot_id: int
    service: str
    agency: str
    start: str
    end: str


class VisitOption(msgspec.Struct):
    start: str
    end: str
    idle_minutes: int
    slot_ids: list[int]
    appointments: list[OptionAppointment]


class VisitOptions(msgspec.Struct):
    options: list[VisitOption]
