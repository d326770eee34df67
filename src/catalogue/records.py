"""What the catalogue hands to the rest of the system: typed, frozen records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from wcr.i18n import localised, localised_in
from wcr.timezones import zone

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Site:
    id: int
    slug: str
    name: str
    address: str
    timezone: str
    # ISO weekday ("1".."7") to local opening intervals [["08:00", "16:00"], ...].
    opening_hours: dict[str, list[list[str]]] = field(default_factory=dict)
    handover_minutes: int = 5
    max_idle_minutes: int = 60
    checkin_early_minutes: int = 30
    checkin_late_minutes: int = 15
    max_recalls: int = 2

    @property
    def tz(self) -> ZoneInfo:
        return zone(self.timezone)


@dataclass(frozen=True)
class SiteSettings:
    """What an admin sets of a site (:mod:`.sites` checks it)."""

    name: str
    address: str
    timezone: str = "Europe/Berlin"
    # ISO weekday ("1".."7") to local [open, close] intervals, "HH:MM".
    opening_hours: dict[str, list[list[str]]] = field(default_factory=dict)
    handover_minutes: int = 5
    max_idle_minutes: int = 60
    checkin_early_minutes: int = 30
    checkin_late_minutes: int = 15
    max_recalls: int = 2


@dataclass(frozen=True)
class Agency:
    id: int
    slug: str
    name: str


@dataclass(frozen=True)
class ServiceContent:
    """What a visitor reads of a service in one language. Each text comes by the one
    fallback rule (:func:`wcr.i18n.localised`); ``*_lang`` is the language it is in,
    for a ``lang`` attribute where that is not the page's (WCAG 3.1.2)."""

    slug: str
    name: str
    name_lang: str
    description: str
    description_lang: str
    bring: tuple[str, ...]
    bring_lang: str


def service_content(
    slug: str,
    names: dict[str, str],
    descriptions: dict[str, str],
    bring: dict[str, list[str]],
    language: str,
) -> ServiceContent:
    name, name_lang = localised_in(names, language, slug)
    description, description_lang = localised_in(descriptions, language, "")
    items, bring_lang = localised_in(bring, language, [])
    return ServiceContent(
        slug=slug,
        name=name,
        name_lang=name_lang,
        description=description,
        description_lang=description_lang if description else language,
        bring=tuple(items),
        bring_lang=bring_lang if items else language,
    )


@dataclass(frozen=True)
class Service:
    id: int
    slug: str
    agency_id: int
    agency: str  # the agency's slug
    duration_minutes: int
    names: dict[str, str]
    # Per language: who it is for and what happens; the list of what to bring.
    descriptions: dict[str, str] = field(default_factory=dict)
    bring: dict[str, list[str]] = field(default_factory=dict)

    def name(self, language: str) -> str:
        return localised(self.names, language, self.slug)

    def content(self, language: str) -> ServiceContent:
        return service_content(self.slug, self.names, self.descriptions, self.bring, language)


@dataclass(frozen=True)
class ServiceDraft:
    """What an admin sets of a service (:mod:`.offers` checks it): its length, its
    texts per language, and the sites that offer it (slugs)."""

    duration_minutes: int
    names: dict[str, str]
    descriptions: dict[str, str] = field(default_factory=dict)
    bring: dict[str, list[str]] = field(default_factory=dict)
    sites: tuple[str, ...] = ()


@dataclass(frozen=True)
class AgencyKeyInfo:
    """An agency key as the admin lists it: never the key, which only its holder has."""

    id: int
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class OrderRuleInfo:
    id: int
    before: str  # service slugs
    after: str
