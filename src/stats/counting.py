"""A site's local days counted from the rows, by the features that own them
(:func:`wcr.booking.public.appointment_days`, :func:`wcr.queue.public.service_days`,
``attendance_days``, ``visitor_days``, :func:`wcr.waitlist.public.offer_days`): what
:mod:`wcr.stats.days` does for the days it does not hold in its cache."""

from __future__ import annotations

import asyncio
from datetime import date

from wcr import clock
from wcr.booking import public as booking
from wcr.catalogue import public as catalogue
from wcr.config import SUPPORTED_LANGUAGES
from wcr.queue import public as queue
from wcr.timezones import local_range
from wcr.waitlist import public as waitlist

from .records import Counts, DayFigures, Durations, ServiceFigures, Visits

LANGUAGES = SUPPORTED_LANGUAGES
Key = tuple[int, date]  # service id, local day


def _no_shows(held: int, arrived: int, at_desk: int, day: date, today: date) -> int:
    """Held appointments nobody came for count once their day is over."""
    absent = max(0, held - arrived) if day < today else 0
    return absent + at_desk


async def count_days(site: catalogue.Site, first: date, last: date) -> dict[date, DayFigures]:
    """The site's local days ``first``…``last`` that had anything, counted now."""
    start, end = local_range(first, last, site.tz)
    appointments, lines, attendance, offer_days, visitor_days = await asyncio.gather(
        booking.appointment_days(site.id, site.timezone, start, end, LANGUAGES),
        queue.service_days(site.id, first, last, LANGUAGES),
        queue.attendance_days(site.id, first, last),
        waitlist.offer_days(site.id, site.tz, start, end),
        queue.visitor_days(site.id, first, last, LANGUAGES),
    )
    booked = {(a.service_id, a.day): a for a in appointments}
    given = {(line.service_id, line.day): line for line in lines}
    came = {(a.service_id, a.day): a for a in attendance}
    offered = {(o.service_id, o.day): o for o in offer_days}
    today = clock.now().astimezone(site.tz).date()
    services: dict[date, dict[int, ServiceFigures]] = {}
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
        services.setdefault(key[1], {})[key[0]] = ServiceFigures(
            counts=counts,
            waits=Durations.of(line.waits if line else ()),
            transactions=Durations.of(line.transactions if line else ()),
        )
    visits = {
        v.day: Visits(
            advised=v.advised, attended=v.attended, one_stop=v.one_stop, languages=v.languages
        )
        for v in visitor_days
    }
    return {
        day: DayFigures(day=day, services=services.get(day, {}), visits=visits.get(day, Visits()))
        for day in sorted({*services, *visits})
    }
