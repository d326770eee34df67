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


class TextLanguages(msgspec.Struct):
    """The language each text is in: the one asked for, or a fallback (English, German)."""

    name: str
    description: str
    bring: str


class ServiceView(msgspec.Struct):
    slug: str
    name: str
    agency: str
    duration_minutes: int
    names: dict[str, str]
    # Who it is for and what happens, and what to bring, in ``lang`` (or its fallback).
    description: str = ""
    bring: list[str] = msgspec.field(default_factory=list)
    # Slugs of the sites that offer it.
    sites: list[str] = msgspec.field(default_factory=list)
    text_languages: TextLanguages | None = None
