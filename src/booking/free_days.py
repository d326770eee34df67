"""How many free times each day of a range holds, for a date strip: the free slots of
one service, or the one-stop options of several services or a package (as many as a
day's grid shows, ``/api/v1/visits/options`` with ``per_day``: what a visitor can pick)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from wcr.catalogue import public as catalogue
from wcr.errors import InvalidInput

from . import availability, visits
from .availability import day_range

MAX_DAYS = 31
DEFAULT_DAYS = 7


async def free_days(
    *,
    site: str | None,
    service: str | None,
    services: str | None,
    package: str | None,
    first: date | None,
    last: date | None,
    advice_language: str | None,
) -> list[tuple[date, int]]:
    """(day, free times) for every day from ``first`` to ``last`` (the site's days)."""
    if service and (services or package):
        raise InvalidInput.field("service", "give service, or services or a package, not both")
    if not (service or services or package):
        raise InvalidInput.field("service", "give a service, services or a package")
    if service and not site:
        raise InvalidInput.field("site", "give the site of the service")
    if service:
        site_row = await catalogue.site_by_slug(site or "")
        first, last = _range(first, last, site_row)
        slots = await availability.available(site, service, first, last, advice_language)
        counts = Counter(datetime.fromisoformat(s.start).date() for s in slots)
        return [(day, counts[day]) for day in _days(first, last)]
    request = await visits.resolve(site, services, package, advice_language)
    first, last = _range(first, last, request.site)
    weekdays = request.package.weekdays if request.package else ()
    result = []
    for day in _days(first, last):
        if weekdays and day.isoweekday() not in weekdays:
            result.append((day, 0))  # the package is not offered that day
            continue
        found, _ = await visits.options(request, day, day, visits.DAY_GRID, per_day=visits.DAY_GRID)
        result.append((day, len(found)))
    return result


def _range(first: date | None, last: date | None, site: catalogue.Site) -> tuple[date, date]:
    first, last = day_range(first, last, site.tz, default_days=DEFAULT_DAYS)
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput.field("to", f"at most {MAX_DAYS} days at once")
    return first, last


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
