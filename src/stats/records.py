"""The figures the statistics hand out: per site, agency, service and local day, per
day of a site, and per month (the ESF summary). Durations are whole seconds."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from itertools import chain

from wcr.i18n import localised


def nearest_rank(ordered: Sequence[int], fraction: float) -> int | None:
    """The value at rank ⌈fraction·n⌉ of sorted values (a duration someone really had);
    None for none."""
    if not ordered:
        return None
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


@dataclass(frozen=True)
class Durations:
    """Sorted durations in seconds, with the median and the 90th percentile."""

    seconds: tuple[int, ...] = ()

    @classmethod
    def of(cls, *parts: Sequence[int]) -> Durations:
        values = list(chain.from_iterable(parts))
        values.sort()  # parts sorted already make runs that Timsort merges fast
        return cls(tuple(values))

    @property
    def count(self) -> int:
        return len(self.seconds)

    @property
    def median(self) -> int | None:
        return nearest_rank(self.seconds, 0.5)

    @property
    def p90(self) -> int | None:
        return nearest_rank(self.seconds, 0.9)


@dataclass(frozen=True)
class Counts:
    """What happened on a day (of one service, or of a whole site)."""

    # Appointments for the day, made at any time (a rescheduled one at its new time).
    booked: int = 0
    # Of them, cancelled (or dropped from a one-stop visit).
    cancelled: int = 0
    # Held appointments nobody checked in for (once the day is over), and visitors
    # marked a no-show at the desk.
    no_shows: int = 0
    # Visitors without a booking in the line.
    walk_ins: int = 0
    # Services given at a counter; of them, to visitors given two or more that day.
    served: int = 0
    one_stop: int = 0
    # The held appointments and the walk-ins by their language (code -> count).
    languages: dict[str, int] = field(default_factory=dict)
    # Places of the day offered to the waitlist (held for an entry); of them, booked by
    # the visitor, and run out unanswered (passed on to the next entry).
    waitlist_offers: int = 0
    waitlist_claimed: int = 0
    waitlist_lapsed: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            booked=self.booked + other.booked,
            cancelled=self.cancelled + other.cancelled,
            no_shows=self.no_shows + other.no_shows,
            walk_ins=self.walk_ins + other.walk_ins,
            served=self.served + other.served,
            one_stop=self.one_stop + other.one_stop,
            waitlist_offers=self.waitlist_offers + other.waitlist_offers,
            waitlist_claimed=self.waitlist_claimed + other.waitlist_claimed,
            waitlist_lapsed=self.waitlist_lapsed + other.waitlist_lapsed,
            languages={
                code: self.languages.get(code, 0) + other.languages.get(code, 0)
                for code in {**self.languages, **other.languages}
            },
        )


@dataclass(frozen=True)
class Where:
    """The site, agency and service a row is about (slugs and names)."""

    site: str
    site_name: str
    agency: str
    agency_name: str
    service: str
    service_names: dict[str, str]

    def service_name(self, language: str) -> str:
        return localised(self.service_names, language, self.service)


@dataclass(frozen=True)
class ServiceDayRow:
    """One row of ``daily.csv``: a site's service on one local day."""

    day: date
    where: Where
    counts: Counts
    waits: Durations
    transactions: Durations


@dataclass(frozen=True)
class DayTotal:
    """All the chosen sites' services on one local day (the charts' points)."""

    day: date
    counts: Counts
    waits: Durations
    transactions: Durations


@dataclass(frozen=True)
class MonthRow:
    """One month of a site, as the ESF reports ask: the people advised (bookings
    attended and walk-ins served: visits given at least one service), by language,
    one-stop visits (given two or more services) and no-shows."""

    site: str
    site_name: str
    month: date  # its first day
    advised: int = 0
    attended: int = 0
    one_stop: int = 0
    no_shows: int = 0
    languages: dict[str, int] = field(default_factory=dict)
    # The waitlist's offers of the month's places: made, booked, run out.
    waitlist_offers: int = 0
    waitlist_claimed: int = 0
    waitlist_lapsed: int = 0

    @property
    def walk_ins_served(self) -> int:
        return self.advised - self.attended


@dataclass(frozen=True)
class Report:
    """The figures of a range of local days."""

    first: date
    last: date
    rows: list[ServiceDayRow]
    days: list[DayTotal]  # every day of the range, also the empty ones
    total: DayTotal  # the whole range (its ``day`` is the first)
    # The ESF summary of the months in the range, per site, if asked for.
    months: list[MonthRow] = field(default_factory=list)


@dataclass(frozen=True)
class ServiceFigures:
    """What a site's service had on one local day: a row of ``daily.csv``."""

    counts: Counts
    waits: Durations
    transactions: Durations


@dataclass(frozen=True)
class Visits:
    """The visits a site gave at least one service on one local day (people advised):
    of them, with a booking, given two or more services, and by language."""

    advised: int = 0
    attended: int = 0
    one_stop: int = 0
    languages: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class DayFigures:
    """Everything the statistics count of one local day of a site: its services'
    figures (by service id) and its visits."""

    day: date
    services: dict[int, ServiceFigures]
    visits: Visits

    @classmethod
    def empty(cls, day: date) -> DayFigures:
        return cls(day=day, services={}, visits=Visits())


@dataclass(frozen=True)
class CachedDay:
    """A day as the cache holds it, with the sum of its marks' ``seq`` when it was
    counted."""

    figures: DayFigures
    marks: int


class MarkKind(StrEnum):
    """What the day of a :class:`Mark` is."""

    LOCAL = "local"  # the site's local day (a ticket's)
    UTC = "utc"  # the UTC date of a place's start (its local day needs the site's zone)


@dataclass(frozen=True)
class Mark:
    """The database's note that counted facts of an old day of a site changed."""

    id: int
    site_id: int
    kind: MarkKind
    day: date
    seq: int
