"""Request and response bodies of the waitlist API."""

from __future__ import annotations

from typing import Annotated

import msgspec

Slug = Annotated[str, msgspec.Meta(max_length=64)]
Altcha = Annotated[str, msgspec.Meta(max_length=4000)]
Day = Annotated[str, msgspec.Meta(max_length=10)]


class JoinRequest(msgspec.Struct, forbid_unknown_fields=True, rename={"from_": "from"}):
    site: Slug
    name: Annotated[str, msgspec.Meta(max_length=400)]
    service: Slug | None = None
    from_: Day | None = None
    to: Day | None = None
    email: Annotated[str, msgspec.Meta(max_length=400)] | None = None
    phone: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    language: Annotated[str, msgspec.Meta(max_length=16)] | None = None
    altcha: Altcha | None = None


class Joined(msgspec.Struct):
    reference: str
    token: str
    status: str
    leave_url: str


class OfferView(msgspec.Struct):
    slot_ids: list[int]
    expires_at: str


class EntryView(msgspec.Struct):
    reference: str
    status: str
    site: str
    service: str
    first_day: str
    last_day: str
    offers: int
    offer: OfferView | None = None
    booking_reference: str | None = None


class Claimed(msgspec.Struct):
    reference: str
    manage_token: str
    status: str
