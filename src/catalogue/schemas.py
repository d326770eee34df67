from __future__ import annotations

import msgspec


class SiteView(msgspec.Struct):
    slug: str
    name: str
    timezone: str
    address: str
    opening_hours: dict[str, list[list[str]]]


class AgencyView(msgspec.Struct):
    slug: str
    name: str


class ServiceView(msgspec.Struct):
    slug: str
    name: str
    agency: str
    duration_minutes: int
    names: dict[str, str]
