"""What the catalogue hands to the rest of the system: typed, frozen records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from wcr.i18n import localised
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
class Agency:
    id: int
    slug: str
    name: str


@dataclass(frozen=True)
class Service:
    id: int
    slug: str
    agency_id: int
    agency: str  # the agency's slug
    duration_minutes: int
    names: dict[str, str]

    def name(self, language: str) -> str:
        return localised(self.names, language, self.slug)
