"""Request and response bodies of the agency portal's API: names beside the slugs,
pattern previews, slot edits, closed days (msgspec, validated by Litestar)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from .schemas import AgencyBookingView, AgencySlotView, Capacity

Reason = Annotated[str, msgspec.Meta(max_length=200)]


class NamedSite(msgspec.Struct):
    slug: str
    name: str
    timezone: str


class NamedService(msgspec.Struct):
    slug: str
    name: str


class AgencyPortalProfile(msgspec.Struct):
    slug: str
    name: str
    sites: list[str]  # slugs of the sites it serves (publishes at)
    # The same sites with their names, and the agency's services with theirs.
    site_details: list[NamedSite] = msgspec.field(default_factory=list)
    services: list[NamedService] = msgspec.field(default_factory=list)


class AgencySlot(AgencySlotView, kw_only=True):
    """A slot with the names a clerk reads (in the ``lang`` asked for)."""

    site_name: str = ""
    service_name: str = ""


class AgencyBooking(AgencyBookingView, kw_only=True):
    site_name: str = ""
    service_name: str = ""


class SkippedSlot(msgspec.Struct):
    """A slot (or, without start and end, a whole day) a pattern left out, and why:
    ``overlap`` (another slot of the service there), ``closed_day``, ``clock_change``."""

    date: str
    reason: str
    start: str | None = None
    end: str | None = None


class PublishedSlots(msgspec.Struct):
    created: int
    slots: list[AgencySlot]
    # Readable lines, as before; ``skipped_slots`` says the same for scripts and pages.
    skipped: list[str] = msgspec.field(default_factory=list)
    skipped_slots: list[SkippedSlot] = msgspec.field(default_factory=list)


class PatternPreview(msgspec.Struct):
    """What publishing the same body would do now: nothing is written."""

    would_create: int
    days: int
    first: str | None  # the first slot's start
    last: str | None  # the last slot's end
    skipped_slots: list[SkippedSlot]


class SlotEdit(msgspec.Struct, forbid_unknown_fields=True):
    """New capacity (never below the places booked), or new times (while nobody has
    booked), or both."""

    capacity: Capacity | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None


class ClosureRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Close a day at a site: its free slots are withdrawn. Booked appointments are
    kept unless ``bookings`` is ``cancel`` (the people are told) or ``move`` (to the
    nearest free time of the same service on a later day, else cancelled; told too).
    ``dry_run`` shows what would happen and changes nothing."""

    site: Annotated[str, msgspec.Meta(max_length=64)]
    date: dt.date
    reason: Reason = ""
    bookings: Annotated[str, msgspec.Meta(max_length=16)] = "keep"
    dry_run: bool = False


class ClosureSlot(msgspec.Struct):
    id: int
    service: str
    service_name: str
    start: str
    end: str
    booked: int


class ClosurePerson(msgspec.Struct):
    reference: str
    name: str
    language: str
    service_name: str
    start: str
    # What happened (or would): kept, cancelled, moved, dropped (one appointment of a
    # one-stop visit); moved ones carry their new time.
    outcome: str
    new_start: str | None = None


class ClosureResult(msgspec.Struct):
    id: int | None  # the closed day (None on a dry run)
    site: str
    site_name: str
    date: str
    reason: str
    dry_run: bool
    withdrawn: list[ClosureSlot]
    booked: list[ClosureSlot]
    people: list[ClosurePerson]


class ClosedDayView(msgspec.Struct):
    id: int
    site: str
    date: str
    reason: str
