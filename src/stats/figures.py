"""The statistics of a range of local days, and the ESF summary of a year.

Counts are made by the database, per service and local day (:func:`wcr.booking.public.
appointment_days`, :func:`wcr.queue.public.service_days`, ``attendance_days``,
``visitor_days``); this module puts them side by side, takes medians and percentiles of
the durations and adds up days and months. What each figure means:

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

from wcr import clock
from wcr.booking import public as booking
from wcr.catalogue import public as catalogue
from wcr.config import SUPPORTED_LANGUAGES
from wcr.queue import public as queue
from wcr.timezones import local_range
from wcr.waitlist import public as waitlist

from .records import (
    Counts,
    DayTotal,
    Durations,
    MonthRow,
    Report,
    ServiceDayRow,
    Where,
)

LANGUAGES = SUPPORTED_LANGUAGES
Key = tuple[int, date]  # service id, local day


def _today(site: catalogue.Site) -> date:
    return clock.now().astimezone(site.tz).date()


def _no_shows(held: int, arrived: int, at_desk: int, day: date, today: date) -> int:
    """Held appointments nobody came for count once their day is over."""
    absent = max(0, held - arrived) if day < today else 0
    return absent + at_desk


async def _service_days(
    site: catalogue.Site, first: date, last: date
) -> dict[Key, tuple[Counts, Durations, Durations]]:
    start, end = local_range(first, last, site.tz)
    appointments, lines, attendance, offer_days = await asyncio.gather(
        booking.appointment_days(site.id, site.timezone, start, end, LANGUAGES),
        queue.service_days(site.id, first, last, LANGUAGES),
        queue.attendance_days(site.id, first, last),
        waitlist.offer_days(site.id, site.tz, start, end),
    )
    booked = {(a.service_id, a.day): a for a in appointments}
    given = {(line.service_id, line.day): line for line in lines}
    came = {(a.service_id, a.day): a for a in attendance}
    offered = {(o.service_id, o.day): o for o in offer_days}
    today = _today(site)
    found = {}
    for key in sorted({*booked, *given, *came, *offered}):
        made, line, visit = booked.get(key), given.get(key), came.get(key)
        offers = offered.get(key)
        held = made.held if made else 0
        languages = {
            code: (made.languages.get(code, 0) if made else 0)
            + ((line.walk_in_languages or {}).get(code, 0) if line else 0)
            for code in LANGUAGES
        }
        counts = Counts(
            booked=made.booked if made else 0,
            cancelled=made.cancelled if made else 0,
            no_shows=_no_shows(
                held, visit.arrived if visit else 0, visit.no_shows if visit else 0, key[1], today
            ),
            walk_ins=line.walk_ins if line else 0,
            served=line.served if line else 0,
            one_stop=line.one_stop if line else 0,
            languages=languages,
            waitlist_offers=offers.offered if offers else 0,
            waitlist_claimed=offers.claimed if offers else 0,
            waitlist_lapsed=offers.lapsed if offers else 0,
        )
        found[key] = (
            counts,
            Durations.of(line.waits if line else ()),
            Durations.of(line.transactions if line else ()),
        )
    return found


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
    found_days, visitors_per_site = await asyncio.gather(
        asyncio.gather(*(_service_days(site, first, last) for site in sites)),
        asyncio.gather(
            *(queue.visitor_days(site.id, first, last, LANGUAGES) for site in sites if months)
        ),
    )
    places = await _places(service_id for found in found_days for service_id, _ in found)
    rows: list[ServiceDayRow] = []
    for site, found in zip(sites, found_days, strict=True):
        for (service_id, day), (counts, waits, transactions) in found.items():
            service, agency_name = places[service_id]
            where = Where(
                site=site.slug,
                site_name=site.name,
                agency=service.agency,
                agency_name=agency_name,
                service=service.slug,
                service_names=service.names,
            )
            rows.append(ServiceDayRow(day, where, counts, waits, transactions))
    rows.sort(key=lambda r: (r.day, r.where.site, r.where.agency, r.where.service))
    by_day: dict[date, list[ServiceDayRow]] = defaultdict(list)
    for row in rows:
        by_day[row.day].append(row)
    days = [_total(day, by_day.get(day, [])) for day in _days(first, last)]
    summary: list[MonthRow] = []
    for site, visitors in zip(sites, visitors_per_site, strict=False):
        no_shows: dict[int, int] = defaultdict(int)
        offers: dict[int, Counts] = defaultdict(Counts)
        for row in rows:
            if row.where.site == site.slug:
                no_shows[_month(row.day)] += row.counts.no_shows
                offers[_month(row.day)] += row.counts
        summary += _month_rows(site, _months_of(first, last), visitors, no_shows, offers)
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
    found = await asyncio.gather(*(_months(site, year) for site in sites))
    return [row for rows in found for row in rows]


def _month(day: date) -> int:
    """A month as a number that sorts across years."""
    return day.year * 12 + day.month - 1


def _months_of(first: date, last: date) -> list[int]:
    return list(range(_month(first), _month(last) + 1))


def _month_rows(
    site: catalogue.Site,
    months: list[int],
    visitors: Iterable[queue.VisitorDay],
    no_shows: dict[int, int],
    offers: dict[int, Counts],
) -> list[MonthRow]:
    """``offers``: per month, counts holding (at least) the waitlist's figures."""
    advised: dict[int, list[queue.VisitorDay]] = defaultdict(list)
    for visitor_day in visitors:
        advised[_month(visitor_day.day)].append(visitor_day)
    return [
        MonthRow(
            site=site.slug,
            site_name=site.name,
            month=date(month // 12, month % 12 + 1, 1),
            advised=sum(d.advised for d in advised[month]),
            attended=sum(d.attended for d in advised[month]),
            one_stop=sum(d.one_stop for d in advised[month]),
            no_shows=no_shows.get(month, 0),
            languages={
                code: sum(d.languages.get(code, 0) for d in advised[month]) for code in LANGUAGES
            },
            waitlist_offers=offers[month].waitlist_offers if month in offers else 0,
            waitlist_claimed=offers[month].waitlist_claimed if month in offers else 0,
            waitlist_lapsed=offers[month].waitlist_lapsed if month in offers else 0,
        )
        for month in months
    ]


async def _months(site: catalogue.Site, year: int) -> list[MonthRow]:
    """The twelve months of ``year``: no-shows from the appointments and the desk,
    everything else from the visits given a service."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    start, end = local_range(first, last, site.tz)
    appointments, attendance, visitors, offer_days = await asyncio.gather(
        booking.appointment_days(site.id, site.timezone, start, end, ()),
        queue.attendance_days(site.id, first, last),
        queue.visitor_days(site.id, first, last, LANGUAGES),
        waitlist.offer_days(site.id, site.tz, start, end),
    )
    today = _today(site)
    held = {(a.service_id, a.day): a.held for a in appointments}
    came = {(a.service_id, a.day): a for a in attendance}
    no_shows: dict[int, int] = defaultdict(int)
    for key in {*held, *came}:
        visit = came.get(key)
        no_shows[_month(key[1])] += _no_shows(
            held.get(key, 0),
            visit.arrived if visit else 0,
            visit.no_shows if visit else 0,
            key[1],
            today,
        )
    offers: dict[int, Counts] = defaultdict(Counts)
    for day in offer_days:
        offers[_month(day.day)] += Counts(
            waitlist_offers=day.offered, waitlist_claimed=day.claimed, waitlist_lapsed=day.lapsed
        )
    return _month_rows(site, _months_of(first, last), visitors, no_shows, offers)
