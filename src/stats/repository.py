"""Every query of the statistics' own tables: the cached closed days and the marks the
database's triggers set (see :mod:`wcr.stats.days`). The figures themselves are counted
by the features that own the rows (their ``public.py``)."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from piccolo.engine.base import Engine

from .records import (
    CachedDay,
    Counts,
    DayFigures,
    Durations,
    Mark,
    MarkKind,
    ServiceFigures,
    Visits,
)
from .tables import StatsDay, StatsMark, StatsServiceDay


def engine() -> Engine[Any]:
    """The engine the app bound the statistics' tables to."""
    return StatsDay._meta.db  # noqa: SLF001


def _date(value: date | str) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _numbers(text: str) -> tuple[int, ...]:
    """Comma-separated seconds (JSON's parser, in C, reads them twice as fast)."""
    return tuple(json.loads(f"[{text}]"))


def _json(value: Any) -> dict[str, int]:
    loaded = json.loads(value) if isinstance(value, str) else value
    return {str(k): int(v) for k, v in (loaded or {}).items()}


async def database_today() -> date:
    """Today's UTC date by the database's clock (the one its triggers read)."""
    if engine().engine_type == "postgres":
        rows = await StatsMark.raw("SELECT CAST(now() AT TIME ZONE 'UTC' AS DATE) AS today")
    else:
        rows = await StatsMark.raw("SELECT date('now') AS today")
    return _date(rows[0]["today"])


async def marks(site_id: int, first: date, last: date) -> list[Mark]:
    """The site's marks of the days ``first``…``last`` (a UTC date a day either side)."""
    rows = await StatsMark.raw(
        "SELECT id, site, kind, day, seq FROM stats_mark WHERE site = {} AND day >= {} "
        "AND day <= {} ORDER BY id",
        site_id,
        first - timedelta(days=1),
        last + timedelta(days=1),
    )
    return [
        Mark(
            id=row["id"],
            site_id=row["site"],
            kind=MarkKind(row["kind"]),
            day=_date(row["day"]),
            seq=row["seq"],
        )
        for row in rows
    ]


async def cached_days(site_id: int, timezone: str, first: date, last: date) -> list[CachedDay]:
    """The site's days ``first``…``last`` cached when counted in ``timezone``."""
    days = await StatsDay.raw(
        "SELECT day, advised, attended, one_stop, languages, marks FROM stats_day "
        "WHERE site = {} AND timezone = {} AND day >= {} AND day <= {}",
        site_id,
        timezone,
        first,
        last,
    )
    services = await StatsServiceDay.raw(
        "SELECT day, service, booked, cancelled, no_shows, walk_ins, served, one_stop, "
        "waitlist_offers, waitlist_claimed, waitlist_lapsed, languages, waits, transactions "
        "FROM stats_service_day WHERE site = {} AND day >= {} AND day <= {}",
        site_id,
        first,
        last,
    )
    per_day: dict[date, dict[int, ServiceFigures]] = defaultdict(dict)
    for row in services:
        per_day[_date(row["day"])][row["service"]] = ServiceFigures(
            counts=Counts(
                booked=row["booked"],
                cancelled=row["cancelled"],
                no_shows=row["no_shows"],
                walk_ins=row["walk_ins"],
                served=row["served"],
                one_stop=row["one_stop"],
                languages=_json(row["languages"]),
                waitlist_offers=row["waitlist_offers"],
                waitlist_claimed=row["waitlist_claimed"],
                waitlist_lapsed=row["waitlist_lapsed"],
            ),
            waits=Durations(_numbers(row["waits"])),
            transactions=Durations(_numbers(row["transactions"])),
        )
    found = []
    for row in days:
        day = _date(row["day"])
        found.append(
            CachedDay(
                DayFigures(
                    day=day,
                    services=per_day.get(day, {}),
                    visits=Visits(
                        advised=row["advised"],
                        attended=row["attended"],
                        one_stop=row["one_stop"],
                        languages=_json(row["languages"]),
                    ),
                ),
                marks=row["marks"],
            )
        )
    return found


async def forget_days(site_id: int, days: list[date]) -> None:
    """Drop the cached ``days`` of the site."""
    for day in sorted(days):
        await StatsDay.delete().where((StatsDay.site == site_id) & (StatsDay.day == day))
        await StatsServiceDay.delete().where(
            (StatsServiceDay.site == site_id) & (StatsServiceDay.day == day)
        )


async def store_days(site_id: int, timezone: str, store: list[CachedDay], at: datetime) -> None:
    """Cache ``store`` (counted in ``timezone`` at ``at``), replacing what was cached of
    those days, in day order: each day's row is written before its services, so two
    processes storing the same day take turns on that row, always in the same order (no
    deadlock between them)."""
    for cached in sorted(store, key=lambda c: c.figures.day):
        figures, day, visits = cached.figures, cached.figures.day, cached.figures.visits
        await StatsDay.raw(
            "INSERT INTO stats_day (site, day, timezone, advised, attended, one_stop, "
            "languages, counted_at, marks) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}) "
            "ON CONFLICT (site, day) DO UPDATE SET timezone = excluded.timezone, "
            "advised = excluded.advised, attended = excluded.attended, "
            "one_stop = excluded.one_stop, languages = excluded.languages, "
            "counted_at = excluded.counted_at, marks = excluded.marks",
            site_id,
            day,
            timezone,
            visits.advised,
            visits.attended,
            visits.one_stop,
            json.dumps(visits.languages, sort_keys=True),
            at,
            cached.marks,
        )
        await StatsServiceDay.delete().where(
            (StatsServiceDay.site == site_id) & (StatsServiceDay.day == day)
        )
        if figures.services:
            await StatsServiceDay.insert(
                *(
                    StatsServiceDay(
                        site=site_id,
                        day=day,
                        service=service_id,
                        booked=f.counts.booked,
                        cancelled=f.counts.cancelled,
                        no_shows=f.counts.no_shows,
                        walk_ins=f.counts.walk_ins,
                        served=f.counts.served,
                        one_stop=f.counts.one_stop,
                        waitlist_offers=f.counts.waitlist_offers,
                        waitlist_claimed=f.counts.waitlist_claimed,
                        waitlist_lapsed=f.counts.waitlist_lapsed,
                        languages=json.dumps(f.counts.languages, sort_keys=True),
                        waits=",".join(map(str, f.waits.seconds)),
                        transactions=",".join(map(str, f.transactions.seconds)),
                    )
                    for service_id, f in sorted(figures.services.items())
                )
            )


async def cached_day_count(site_id: int) -> int:
    """How many days of the site are cached (for tests and the bench)."""
    return int(await StatsDay.count().where(StatsDay.site == site_id))
