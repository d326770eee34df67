"""A site's settings: its name and address, its time zone, its opening hours, the
one-stop visit's hand-over gap and idle limit, and the front desk's check-in window.

Every change is checked as a whole (:func:`check_settings`) before one write
transaction stores it: a time zone must be one of the IANA zones the server knows,
each weekday's opening intervals must open before they close and must not overlap.
Errors name the field: ``opening_hours.3`` is Wednesday's hours.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from datetime import time
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from piccolo.engine.base import Engine

from wcr.database import is_unique_violation, write_transaction
from wcr.errors import Conflict, ErrorCode, InvalidInput, NotFound, field_error

from . import repository as repo
from .records import Site, SiteSettings

SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")
CLOCK = re.compile(r"(\d{1,2}):(\d{2})")
SLUG_RULE = "lower-case letters, digits and dashes, at most 64"
MAX_NAME = 200
MAX_ADDRESS = 500
MAX_INTERVALS = 6  # per weekday
WEEKDAYS = tuple(str(day) for day in range(1, 8))
# (field, least, most) of the whole minutes a site keeps.
LIMITS = (
    ("handover_minutes", 0, 240),
    ("max_idle_minutes", 0, 1440),
    ("checkin_early_minutes", 0, 240),
    ("checkin_late_minutes", 0, 240),
    ("max_recalls", 0, 10),
)


@cache
def time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def check_slug(slug: str) -> str:
    if not SLUG.fullmatch(slug):
        raise InvalidInput.field("slug", SLUG_RULE, ErrorCode.BAD_SLUG)
    return slug


def _text(value: str, name: str, most: int) -> str:
    cleaned = " ".join(value.split()) if name == "name" else value.strip()
    if not cleaned:
        raise InvalidInput.field(name, "required", ErrorCode.REQUIRED)
    if len(cleaned) > most:
        raise InvalidInput.field(name, f"at most {most} characters", ErrorCode.TOO_LONG, n=most)
    return cleaned


def _clock(value: str, name: str) -> time:
    """``HH:MM`` (or ``H:MM``, as people type it) as a time of day; 422 otherwise."""
    shown = str(value)[:20]
    refusal = InvalidInput.field(
        name, f"not a time of day: {shown!r} (HH:MM)", ErrorCode.NOT_A_TIME, value=shown
    )
    found = CLOCK.fullmatch(str(value).strip())
    if found is None:
        raise refusal
    try:
        return time(int(found.group(1)), int(found.group(2)))
    except ValueError:  # 25:00, 08:61
        raise refusal from None


def check_opening_hours(hours: dict[str, list[list[str]]]) -> dict[str, list[list[str]]]:
    """The week's opening hours, each day's intervals sorted; 422 naming the day for
    an interval that does not open before it closes, or that overlaps another (one
    ending when the next begins is fine)."""
    checked: dict[str, list[list[str]]] = {}
    for day, intervals in hours.items():
        name = f"opening_hours.{day}"
        if day not in WEEKDAYS:
            raise InvalidInput.field(
                name, "weekdays are 1 (Monday) to 7 (Sunday)", ErrorCode.BAD_WEEKDAY
            )
        if len(intervals) > MAX_INTERVALS:
            raise InvalidInput.field(
                name,
                f"at most {MAX_INTERVALS} intervals a day",
                ErrorCode.TOO_MANY_INTERVALS,
                n=MAX_INTERVALS,
            )
        spans = []
        for interval in intervals:
            if len(interval) != 2:  # noqa: PLR2004 - open and close
                raise InvalidInput.field(name, "an interval is [open, close]")
            opens, closes = _clock(interval[0], name), _clock(interval[1], name)
            if opens >= closes:
                span = f"{opens:%H:%M}-{closes:%H:%M}"
                raise InvalidInput.field(
                    name,
                    f"{span}: it must open before it closes",
                    ErrorCode.CLOSES_BEFORE_OPENING,
                    span=span,
                )
            spans.append((opens, closes))
        spans.sort()
        for (_, earlier_end), (later_start, later_end) in itertools.pairwise(spans):
            if later_start < earlier_end:
                span, end = f"{later_start:%H:%M}-{later_end:%H:%M}", f"{earlier_end:%H:%M}"
                raise InvalidInput.field(
                    name,
                    f"{span} overlaps the interval ending {end}",
                    ErrorCode.INTERVALS_OVERLAP,
                    span=span,
                    end=end,
                )
        if spans:
            checked[day] = [[f"{a:%H:%M}", f"{b:%H:%M}"] for a, b in spans]
    return dict(sorted(checked.items()))


def check_settings(settings: SiteSettings) -> SiteSettings:
    """The settings cleaned (names' spaces, sorted hours), or 422 naming the field."""
    name = _text(settings.name, "name", MAX_NAME)
    address = _text(settings.address, "address", MAX_ADDRESS)
    if settings.timezone not in time_zones():
        shown = settings.timezone[:40]
        raise InvalidInput.field(
            "timezone",
            f"not a time zone: {shown!r} (e.g. Europe/Berlin)",
            ErrorCode.UNKNOWN_TIME_ZONE,
            value=shown,
        )
    for name_, least, most in LIMITS:
        value = getattr(settings, name_)
        if not least <= value <= most:
            raise InvalidInput.field(
                name_, f"from {least} to {most}", ErrorCode.OUT_OF_RANGE, least=least, most=most
            )
    if settings.max_idle_minutes < settings.handover_minutes:
        raise InvalidInput.field(
            "max_idle_minutes", "at least the hand-over gap", ErrorCode.BELOW_HANDOVER_GAP
        )
    return replace(
        settings,
        name=name,
        address=address,
        opening_hours=check_opening_hours(settings.opening_hours),
    )


async def create_site(engine: Engine[Any], slug: str, settings: SiteSettings) -> Site:
    check_slug(slug)
    checked = check_settings(settings)
    try:
        async with write_transaction(engine):
            site_id = await repo.insert_site(slug, checked)
    except Exception as error:
        if is_unique_violation(error):  # the unique slug decides
            raise Conflict(
                f"there is a site {slug!r} already",
                errors=[field_error("slug", "taken", ErrorCode.TAKEN)],
            ) from None
        raise
    created = await repo.site_by_id(site_id)
    if created is None:  # pragma: no cover - it was just committed
        raise NotFound(f"no site {slug!r}", code=ErrorCode.NO_SITE, params={"slug": slug})
    return created


async def update_site(engine: Engine[Any], slug: str, settings: SiteSettings) -> Site:
    checked = check_settings(settings)
    async with write_transaction(engine):
        updated = await repo.update_site(slug, checked)
    if updated is None:
        raise NotFound(f"no site {slug!r}", code=ErrorCode.NO_SITE, params={"slug": slug})
    return updated


def settings_of(site: Site) -> SiteSettings:
    return SiteSettings(
        name=site.name,
        address=site.address,
        timezone=site.timezone,
        opening_hours=site.opening_hours,
        handover_minutes=site.handover_minutes,
        max_idle_minutes=site.max_idle_minutes,
        checkin_early_minutes=site.checkin_early_minutes,
        checkin_late_minutes=site.checkin_late_minutes,
        max_recalls=site.max_recalls,
    )
