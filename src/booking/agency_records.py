"""Typed records of the agency portal's use cases: what a pattern left out, closed
days, the agency behind a calendar feed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class SkipReason(StrEnum):
    """Why a weekly pattern left out a slot (or a whole day)."""

    OVERLAP = "overlap"  # another slot of the service at the site at that time
    CLOSED_DAY = "closed_day"  # the agency closed that day at the site
    CLOCK_CHANGE = "clock_change"  # the clocks skip that time (spring forward)


@dataclass(frozen=True)
class Skipped:
    day: date
    reason: SkipReason
    starts_at: datetime | None = None  # None: the whole day
    ends_at: datetime | None = None


@dataclass(frozen=True)
class ClosedDayRecord:
    id: int
    agency_id: int
    site_id: int
    site: str  # slug
    day: date
    reason: str
    created_at: datetime


@dataclass(frozen=True)
class FeedAgency:
    """The agency a calendar feed token belongs to."""

    id: int
    slug: str
    name: str
