"""Request and response bodies of the waitlist API."""

from __future__ import annotations

from typing import Annotated

import msgspec

Slug = Annotated[str, msgspec.Meta(max_length=64)]
Altcha = Annotated[str, msgspec.Meta(max_length=4000)]
Day = Annotated[str, msgspec.Meta(max_length=10)]
# A local day-time "HH:MM" (checked by the use case, 422 naming the field).
Time = Annotated[str, msgspec.Meta(max_length=8)]


class JoinRequest(msgspec.Struct, forbid_unknown_fields=True, rename={"from_": "from"}):
    site: Slug
    name: Annotated[str, msgspec.Meta(max_length=400)]
    service: Slug | None = None
    # A one-stop visit instead: 2 to 5 service slugs, or a package's slug.
    services: Annotated[list[Slug], msgspec.Meta(max_length=5)] | None = None
    package: Slug | None = None
    from_: Day | None = None
    to: Day | None = None
    # The local day-times the places must lie within: start at or after `earliest`,
    # end at or before `latest` (a one-stop visit: its first start, last end).
    earliest: Time | None = None
    latest: Time | None = None
    email: Annotated[str, msgspec.Meta(max_length=400)] | None = None
    phone: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    language: Annotated[str, msgspec.Meta(max_length=16)] | None = None
    altcha: Altcha | None = None


class Joined(msgspec.Struct):
    reference: str
    token: str
    status: str
    leave_url: str


class HeldPlace(msgspec.Struct):
    """One held appointment of the offer: when (ISO 8601 in the site's zone), which
    service (its name in the entry's language) and with whom."""

    slot_id: int
    starts_at: str
    ends_at: str
    service: str
    service_name: str
    agency_name: str | None = None


class OfferView(msgspec.Struct):
    slot_ids: list[int]
    expires_at: str
    # The held place: when (ISO 8601 in the site's zone) and where.
    starts_at: str | None = None
    ends_at: str | None = None
    site: str | None = None
    site_name: str | None = None
    address: str | None = None
    # Every held appointment in time order (a one-stop offer holds a whole visit).
    appointments: list[HeldPlace] = msgspec.field(default_factory=list)


class EntryView(msgspec.Struct):
    reference: str
    status: str
    site: str
    service: str
    first_day: str
    last_day: str
    offers: int
    # The local day-times ("HH:MM") the entry accepts, when given.
    earliest: str | None = None
    latest: str | None = None
    offer: OfferView | None = None
    booking_reference: str | None = None
    # A one-stop entry: all its services (``service`` is the first) and its package.
    services: list[str] = msgspec.field(default_factory=list)
    package: str | None = None
    # The package's name in the entry's language.
    package_name: str | None = None
    # Names to show (the service's in the entry's language), the site's zone, the
    # language the visitor joined in, and once booked the booking's manage link.
    site_name: str | None = None
    service_name: str | None = None
    timezone: str | None = None
    language: str | None = None
    manage_url: str | None = None
    # Waiting again because the agency withdrew the time last offered (the visitor
    # may have the offer's message still): the page says so.
    offer_withdrawn: bool = False


class Claimed(msgspec.Struct):
    reference: str
    manage_token: str
    status: str


class AgencyWaitlistCount(msgspec.Struct):
    """How many wait for one of the agency's services at one site: all on the list, and
    those whose days include one of the days asked for."""

    site: str
    service: str
    service_name: str
    waiting: int
    waiting_these_days: int
