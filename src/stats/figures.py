"""The statistics of a range of local days, and the ESF summary of a year.

Counts are made by the database, per service and local day (:mod:`wcr.stats.counting`),
and kept once a day is closed (:mod:`wcr.stats.days`); this module puts the days side
by side, takes medians and percentiles of the durations and adds up days and months.
What each figure means:

- **booked**: appointments for the day, made at any time; one rescheduled counts at its
  new time only. **cancelled**: of them, cancelled, or dropped from a one-stop visit.
- **no-shows**: held appointments of a past day whose visitor never checked in, and
  visitors (booked or not) marked a no-show at the desk.
- **walk-ins**: visitors without a booking in the service's line.
- **served**: services given at a counter; **one-stop**: of them, those given to a
  visitor who was given two or more services that day.
- **waits**: from joining the line (check-in, arrival, or the hand-on from the previous
  agency) to the call; **transaction times**: from the call to the finish. Median and
  90th percentile by nearest rank.
- **languages**: held appointments by the booking's language and walk-ins by theirs.
- **waitlist offers**: places of the day held for a waiting visitor (a place passed on
  counts once per offer); **claimed**: of them, booked; **lapsed**: run out unanswered
  (:func:`wcr.waitlist.public.offer_days`).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from wcr.catalogue import public as catalogue

from .counting import LANGUAGES
from .days import site_days
from .records import (
    Counts,
    DayFigures,
    DayTotal,
    Durations,
    MonthRow,
    Report,
    ServiceDayRow,
    Where,
)

__all__ = ["LANGUAGES", "monthly", "report"]


async def _places(service_ids: Iterable[int]) -> dict[int, tuple[catalogue.Service, str]]:
    """Each service with its agency's name."""
    services = await catalogue.services_by_id(sorted(set(service_ids)))
    agencies = {agency.id: agency.name for agency in await catalogue.list_agencies()}
    return {
        service_id: (service, agencies.get(service.agency_id, service.agency))
        for service_id, service in services.items()
    }


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


async def report(
    sites: list[catalogue.Site], first: date, last: date, *, months: bool = False
) -> Report:
    """The sites' figures on the local days ``first``…``last``: one row per site,
    agency, service and day that had any, each day's totals, and the range's; with
    ``months``, also the ESF summary of the months in the range (as far as it covers
    them)."""
    found_days = await asyncio.gather(*(site_days(site, first, last) for site in sites))
    places = await _places(
        service_id for found in found_days for f in found.values() for service_id in f.services
    )
    rows: list[ServiceDayRow] = []
    for site, found in zip(sites, found_days, strict=True):
        for day, figures in found.items():
            for service_id, f in figures.services.items():
                service, agency_name = places[service_id]
                where = Where(
                    site=site.slug,
                    site_name=site.name,
                    agency=service.agency,
                    agency_name=agency_name,
                    service=service.slug,
                    service_names=service.names,
                )
                rows.append(ServiceDayRow(day, where, f.counts, f.waits, f.transactions))
    rows.sort(key=lambda r: (r.day, r.where.site, r.where.agency, r.where.service))
    by_day: dict[date, list[ServiceDayRow]] = defaultdict(list)
    for row in rows:
        by_day[row.day].append(row)
    days = [_total(day, by_day.get(day, [])) for day in _days(first, last)]
    summary: list[MonthRow] = []
    if months:
        for site, found in zip(sites, found_days, strict=True):
            summary += _month_rows(site, _months_of(first, last), found.values())
    return Report(
        first=first, last=last, rows=rows, days=days, total=_total(first, rows), months=summary
    )


def _total(day: date, rows: list[ServiceDayRow]) -> DayTotal:
    counts = Counts(languages=dict.fromkeys(LANGUAGES, 0))
    for row in rows:
        counts += row.counts
    return DayTotal(
        day=day,
        counts=counts,
        waits=Durations.of(*(row.waits.seconds for row in rows)),
        transactions=Durations.of(*(row.transactions.seconds for row in rows)),
    )


async def monthly(sites: list[catalogue.Site], year: int) -> list[MonthRow]:
    """The ESF summary: the twelve months of ``year`` for each site."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    found = await asyncio.gather(*(site_days(site, first, last) for site in sites))
    return [
        row
        for site, days in zip(sites, found, strict=True)
        for row in _month_rows(site, _months_of(first, last), days.values())
    ]


def _month(day: date) -> int:
    """A month as a number that sorts across years."""
    return day.year * 12 + day.month - 1


def _months_of(first: date, last: date) -> list[int]:
    return list(range(_month(first), _month(last) + 1))


def _month_rows(
    site: catalogue.Site, months: list[int], days: Iterable[DayFigures]
) -> list[MonthRow]:
    """The months of the site from its days: the visits given a service, no-shows from
    the appointments and the desk, and the waitlist's offers."""
    visits: dict[int, list[DayFigures]] = defaultdict(list)
    counts: dict[int, Counts] = defaultdict(Counts)
    for figures in days:
        visits[_month(figures.day)].append(figures)
        for f in figures.services.values():
            counts[_month(figures.day)] += f.counts
    return [
        MonthRow(
            site=site.slug,
            site_name=site.name,
            month=date(month // 12, month % 12 + 1, 1),
            advised=sum(d.visits.advised for d in visits[month]),
            attended=sum(d.visits.attended for d in visits[month]),
            one_stop=sum(d.visits.one_stop for d in visits[month]),
            no_shows=counts[month].no_shows,
            languages={
                code: sum(d.visits.languages.get(code, 0) for d in visits[month])
                for code in LANGUAGES
            },
            waitlist_offers=counts[month].waitlist_offers,
            waitlist_claimed=counts[month].waitlist_claimed,
            waitlist_lapsed=counts[month].waitlist_lapsed,
        )
        for month in months
    ]
