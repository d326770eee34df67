"""A site's figures per local day: counted once the day is closed, then read back.

Counting a year recounts every day of it in the database (1-6 s a request); a closed
day's figures do not change unless a counted fact of it does. So a day is counted once
it is closed and kept in the database (``stats_day`` and ``stats_service_day``: every
figure of ``daily.csv``, the day's visits for the ESF summary, and the day's sorted
waits and transaction times themselves, so a month's or a year's medians and
percentiles taken from cached days are those taken from the rows). Kept in the
database, not in a process: every app instance reads and fills the same cache.

**When a cached day is wrong.** A closed day changes by a late correction: a booking
cancelled or marked a no-show afterwards, a ticket edited, an appointment's status or
a booking's language changed, a slot moved, a waitlist hold ended; by any process,
the purge, a script or a console. Rather than trusting every write path of four
features (and all future ones) to report it, the database does: triggers on the
counted tables (``migrations/stats/``) write a mark (``stats_mark``: site, day) in
the transaction of the change, for a row of a day older than two days by the
database's clock. The marks are cheap where it matters: today's writes (check-in,
call, finish, booking) compare one date and mark nothing. A ticket marks its local
day; a place is marked by the UTC date of its start (SQLite cannot apply a zone in a
trigger), which drops each local day that date touches (two in Berlin).

**Reading.** :func:`site_days` reads the site's marks of the range first and sums their
``seq`` per local day; then the cached days of the range, each stored with the sum its
day had when its counting began, and takes those whose sum is still the same (and
counted in the site's zone). It counts what is left (today, the last three days by the
database's clock, days never cached, changed ones) the way it always did, in contiguous
stretches, and stores the closed ones with the sums it read before counting, in one
transaction, in day order (processes storing the same days take turns, never deadlock).
Marks are never removed, only raised, so a row counted before a change is stale however
late it is stored, by whichever process: its sum is below the marks' (a change that
commits while the counting runs may be counted already; the day is counted once more
next time). The reads take no lock a writer waits for, and the marks are few: a site's
day or UTC date that had a late change, once each. A day is cached only if the site's
today is after it and it ended before the horizon the triggers mark from (UTC today
minus three days, one day of margin over the triggers' two), so no fact of a cached day
can change without a mark.

What is not a counted fact stays out of the cache: the names of agencies and services
(looked up per answer), a purge that erases names (it marks nothing; the figures stay).
A site moved to another zone counts its days anew.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from wcr import clock
from wcr.catalogue import public as catalogue
from wcr.database import write_transaction
from wcr.timezones import local_range

from . import repository as repo
from .counting import count_days
from .records import CachedDay, DayFigures, Mark, MarkKind

# Days the database's triggers may not mark yet (they mark from UTC today - 2), and one
# of margin for the clocks of the app and the database.
UNMARKED_DAYS = 3
# Missing days closer than this are counted in one stretch (one set of queries).
STRETCH_GAP = 7


def marked_days(mark: Mark, site: catalogue.Site) -> set[date]:
    """The site's local days a mark drops."""
    if mark.kind == MarkKind.LOCAL:
        return {mark.day}
    start = datetime.combine(mark.day, time(), UTC)
    first = start.astimezone(site.tz).date()
    last = (start + timedelta(days=1, microseconds=-1)).astimezone(site.tz).date()
    return {first + timedelta(days=n) for n in range((last - first).days + 1)}


def cacheable(site: catalogue.Site, day: date, today: date, database_today: date) -> bool:
    """Whether ``day`` is closed at the site and beyond what the triggers may miss."""
    horizon = database_today - timedelta(days=UNMARKED_DAYS)
    _, end = local_range(day, day, site.tz)
    return (
        day < today
        and day <= horizon
        and end <= datetime.combine(horizon + timedelta(days=1), time(), UTC)
    )


def stretches(days: list[date]) -> list[tuple[date, date]]:
    """Sorted ``days`` as ranges to count, near ones together."""
    found: list[tuple[date, date]] = []
    for day in days:
        if found and (day - found[-1][1]).days <= STRETCH_GAP:
            found[-1] = (found[-1][0], day)
        else:
            found.append((day, day))
    return found


def _all_days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def mark_sums(marks: list[Mark], site: catalogue.Site) -> dict[date, int]:
    """Per local day of the site, the sum of the ``seq`` of the marks that touch it: it
    rises with every change of the day (a mark is raised or set, never removed)."""
    sums: dict[date, int] = defaultdict(int)
    for mark in marks:
        for day in marked_days(mark, site):
            sums[day] += mark.seq
    return sums


async def site_days(site: catalogue.Site, first: date, last: date) -> dict[date, DayFigures]:
    """Every local day ``first``…``last`` of the site, from the cache where it holds
    the day, else counted (and cached if closed)."""
    today = clock.now().astimezone(site.tz).date()
    database_today, seen = await asyncio.gather(
        repo.database_today(), repo.marks(site.id, first, last)
    )
    sums = mark_sums(seen, site)
    days = _all_days(first, last)
    closed = {day for day in days if cacheable(site, day, today, database_today)}
    found: dict[date, DayFigures] = {}
    if closed:
        cached = await repo.cached_days(site.id, site.timezone, min(closed), max(closed))
        found = {
            c.figures.day: c.figures
            for c in cached
            if c.figures.day in closed and c.marks == sums.get(c.figures.day, 0)
        }
    missing = [day for day in days if day not in found]
    counted: dict[date, DayFigures] = {}
    for part in await asyncio.gather(
        *(count_days(site, start, end) for start, end in stretches(missing))
    ):
        counted.update(part)
    fresh = [counted.get(day) or DayFigures.empty(day) for day in missing]
    keep = [CachedDay(f, sums.get(f.day, 0)) for f in fresh if f.day in closed]
    if keep:
        async with write_transaction(repo.engine()):
            await repo.store_days(site.id, site.timezone, keep, clock.now())
    found.update((figures.day, figures) for figures in fresh)
    return dict(sorted(found.items()))
