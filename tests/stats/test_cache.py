"""The cache of closed days (wcr.stats.days): what it answers equals what is counted
from the rows; a late change to a cached day, by any writer, shows in the next
answer; today and the days the database's triggers may not mark yet are never
cached. On SQLite and PostgreSQL, on the seeded October (read on 9 November)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from tests.stats import expected
from tests.stats.conftest import Seeded
from tests.stats.seeding import FIRST, LAST, READ_AT, Centre, at, simulated
from tests.stats.test_daily_figures import parse
from wcr.catalogue import public as catalogue
from wcr.stats import repository as repo
from wcr.stats.counting import count_days
from wcr.stats.days import cacheable, mark_sums, marked_days, site_days
from wcr.stats.records import CachedDay, DayFigures, Mark, MarkKind

DAY = date(2026, 10, 14)
# The tables whose rows the statistics count, and what the triggers watch of them.
WATCHED = {
    "ticket": "insert update delete",
    "ticket_step": "insert update delete",
    "appointment": "insert update delete",
    "slot": "update delete",
    "booking": "update",
    "waitlist_hold": "insert update delete",
}  # a Wednesday of the seeded month, with every kind of fact


async def forget_october(site_id: int) -> None:
    await repo.forget_days(site_id, [FIRST + timedelta(days=n) for n in range(31)])


async def daily(centre: Centre, first: date = FIRST, last: date = LAST) -> list[dict[str, str]]:
    return parse(
        await centre.get(
            "/api/v1/stats/daily.csv", site="bochum", **{"from": str(first), "to": str(last)}
        )
    )


def counted(found: dict[date, DayFigures], first: date, last: date) -> dict[date, DayFigures]:
    """Counted days, with the empty ones the cache holds as such."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return {day: found.get(day) or DayFigures.empty(day) for day in days}


async def test_cached_days_equal_the_counted_ones(centre: Centre, seeded: Seeded) -> None:
    del seeded
    site = await catalogue.site_by_slug("bochum")
    with simulated(READ_AT):
        await forget_october(site.id)
        first_answer = await daily(centre)
        monthly_first = (
            await centre.get("/api/v1/stats/monthly.csv", site="bochum", year="2026")
        ).text
        # Every day of October is closed and cached now, empty days too.
        cached = await repo.cached_days(site.id, site.timezone, FIRST, LAST)
        assert len(cached) == 31
        fresh = counted(await count_days(site, FIRST, LAST), FIRST, LAST)
        assert await site_days(site, FIRST, LAST) == fresh
        assert await daily(centre) == first_answer
        monthly = await centre.get("/api/v1/stats/monthly.csv", site="bochum", year="2026")
        assert monthly.text == monthly_first
        assert first_answer == await expected.daily("bochum", FIRST, LAST, READ_AT.date())
        # A week and a day from the cache: the same durations, medians, percentiles.
        assert await daily(centre, DAY, DAY + timedelta(days=6)) == [
            row
            for row in first_answer
            if DAY <= date.fromisoformat(row["day"]) <= DAY + timedelta(days=6)
        ]


async def sql(query: str, *args: Any) -> list[dict[str, Any]]:
    return await expected.sql(query, *args)


async def changed(
    centre: Centre, change: Callable[[], Awaitable[None]], undo: Callable[[], Awaitable[None]]
) -> None:
    """``change`` shows in the next answer as the rows say, ``undo`` in the one after."""
    site = await catalogue.site_by_slug("bochum")
    with simulated(READ_AT):
        before = await daily(centre)
        assert before == await expected.daily("bochum", FIRST, LAST, READ_AT.date())
        day_before = await site_days(site, DAY, DAY)
        assert await repo.cached_days(site.id, site.timezone, DAY, DAY)
        try:
            await change()
            after = await daily(centre)
            assert after == await expected.daily("bochum", FIRST, LAST, READ_AT.date())
            assert await site_days(site, DAY, DAY) != day_before
        finally:
            await undo()
        assert await daily(centre) == before
        assert await site_days(site, DAY, DAY) == day_before


def instant(value: datetime | str) -> datetime:
    return expected.instant(value)


async def test_a_cancelled_appointment_of_a_cached_day_shows(centre: Centre) -> None:
    site = await catalogue.site_by_slug("bochum")
    start, end = at(DAY, 0), at(DAY + timedelta(days=1), 0)
    row = (
        await sql(
            "SELECT a.id FROM appointment a JOIN slot s ON s.id = a.slot WHERE s.site = {} "
            "AND s.starts_at >= {} AND s.starts_at < {} AND a.status = 'active' ORDER BY a.id",
            site.id,
            start,
            end,
        )
    )[0]

    async def status(value: str) -> None:
        await sql("UPDATE appointment SET status = {} WHERE id = {}", value, row["id"])

    await changed(centre, lambda: status("cancelled"), lambda: status("active"))


async def test_a_booking_language_changed_afterwards_shows(centre: Centre) -> None:
    site = await catalogue.site_by_slug("bochum")
    row = (
        await sql(
            "SELECT b.id, b.language FROM booking b JOIN appointment a ON a.booking = b.id "
            "JOIN slot s ON s.id = a.slot WHERE s.site = {} AND s.starts_at >= {} "
            "AND s.starts_at < {} AND a.status = 'active' ORDER BY b.id",
            site.id,
            at(DAY, 0),
            at(DAY + timedelta(days=1), 0),
        )
    )[0]
    other = "uk" if row["language"] != "uk" else "tr"

    async def language(value: str) -> None:
        await sql("UPDATE booking SET language = {} WHERE id = {}", value, row["id"])

    await changed(centre, lambda: language(other), lambda: language(row["language"]))


async def test_a_ticket_edited_afterwards_shows(centre: Centre) -> None:
    """A service's end corrected (its transaction time), a visitor marked a no-show."""
    site = await catalogue.site_by_slug("bochum")
    step = (
        await sql(
            "SELECT st.id, st.finished_at, t.id AS ticket, t.status FROM ticket_step st "
            "JOIN ticket t ON t.id = st.ticket WHERE t.site = {} AND t.day = {} "
            "AND st.outcome = 'done' ORDER BY st.id",
            site.id,
            DAY,
        )
    )[0]
    finished = instant(step["finished_at"])

    async def finish(moment: datetime) -> None:
        await sql("UPDATE ticket_step SET finished_at = {} WHERE id = {}", moment, step["id"])

    await changed(centre, lambda: finish(finished + timedelta(hours=5)), lambda: finish(finished))

    async def status(value: str) -> None:
        await sql("UPDATE ticket SET status = {} WHERE id = {}", value, step["ticket"])

    await changed(centre, lambda: status("no_show"), lambda: status(step["status"]))


async def test_today_is_never_cached(centre: Centre) -> None:
    site = await catalogue.site_by_slug("bochum")
    today = DAY
    with simulated(at(today, 15)):
        await repo.forget_days(site.id, [today])
        rows = await daily(centre, today - timedelta(days=2), today)
        assert {row["day"] for row in rows} >= {str(today)}
        cached = {
            c.figures.day for c in await repo.cached_days(site.id, site.timezone, FIRST, LAST)
        }
        assert today - timedelta(days=1) in cached
        assert today not in cached
        # Its answer is counted from the rows, as they are at that moment.
        assert rows == await expected.daily("bochum", today - timedelta(days=2), today, today)
    with simulated(READ_AT):
        await daily(centre)  # October cached again, as read on 9 November


def test_the_last_days_before_the_database_horizon_are_not_cacheable() -> None:
    berlin, honolulu = ZoneInfo("Europe/Berlin"), ZoneInfo("Pacific/Honolulu")
    database_today = date(2026, 12, 7)
    later = date(2026, 12, 31)

    def site(zone: ZoneInfo) -> Any:
        return type("S", (), {"tz": zone})()

    # Berlin's 4 December ended at 23:00 UTC, before the horizon (5 December 00:00 UTC).
    assert cacheable(site(berlin), date(2026, 12, 4), later, database_today)
    assert not cacheable(site(berlin), date(2026, 12, 5), later, database_today)
    # Honolulu's 4 December ends at 10:00 UTC on the 5th: after it.
    assert not cacheable(site(honolulu), date(2026, 12, 4), later, database_today)
    assert cacheable(site(honolulu), date(2026, 12, 3), later, database_today)
    # The site's today is never cached, however old for the database.
    assert not cacheable(site(berlin), date(2026, 10, 14), date(2026, 10, 14), database_today)


def test_a_place_marks_every_local_day_its_utc_date_touches() -> None:
    berlin = type("S", (), {"tz": ZoneInfo("Europe/Berlin")})()
    mark = Mark(id=1, site_id=1, kind=MarkKind.UTC, day=date(2026, 10, 5), seq=1)
    assert marked_days(mark, berlin) == {date(2026, 10, 5), date(2026, 10, 6)}
    local = Mark(id=1, site_id=1, kind=MarkKind.LOCAL, day=date(2026, 10, 5), seq=1)
    assert marked_days(local, berlin) == {date(2026, 10, 5)}


async def test_a_day_counted_before_a_change_is_stale_however_late_stored(
    centre: Centre,
) -> None:
    """Two processes: one counts the day, a correction commits, the other counts it
    anew and stores it; then the first stores what it counted before the change. The
    next answer is the rows' all the same."""
    del centre
    site = await catalogue.site_by_slug("bochum")
    ticket = (
        await sql(
            "SELECT id, language FROM ticket WHERE site = {} AND day = {} ORDER BY id",
            site.id,
            DAY,
        )
    )[0]

    async def language(value: str) -> None:
        await sql("UPDATE ticket SET language = {} WHERE id = {}", value, ticket["id"])

    with simulated(READ_AT):
        before = mark_sums(await repo.marks(site.id, DAY, DAY), site).get(DAY, 0)
        early = (await count_days(site, DAY, DAY))[DAY]  # the slow process's count
        await language("fr" if ticket["language"] != "fr" else "ar")
        try:
            corrected = await site_days(site, DAY, DAY)  # the other process
            assert corrected[DAY] != early
            assert mark_sums(await repo.marks(site.id, DAY, DAY), site)[DAY] > before
            await repo.store_days(site.id, site.timezone, [CachedDay(early, before)], READ_AT)
            assert await site_days(site, DAY, DAY) == corrected
            assert await site_days(site, DAY, DAY) == corrected  # from the cache
        finally:
            await language(ticket["language"])
        assert (await site_days(site, DAY, DAY))[DAY] == early


async def test_the_triggers_are_there(centre: Centre) -> None:
    del centre
    if repo.engine().engine_type == "postgres":
        rows = await sql("SELECT tgname AS name FROM pg_trigger WHERE tgname LIKE 'stats_mark_%'")
        wanted = {f"stats_mark_{table}" for table in WATCHED}
    else:
        # A table rebuilt by a later migration (SQLite cannot alter a column) loses its
        # triggers: this is where that shows.
        rows = await sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        wanted = {
            f"stats_mark_{table}_{op}" for table, ops in WATCHED.items() for op in ops.split()
        }
    assert wanted <= {row["name"] for row in rows}


async def test_a_read_does_not_wait_for_a_correction(centre: Centre, seeded: Seeded) -> None:
    """On PostgreSQL a correction's transaction holds its day's mark until it commits;
    a read of that day neither waits for it nor sees it (SQLite has one writer at a
    time)."""
    del centre
    if repo.engine().engine_type != "postgres":
        pytest.skip("SQLite serialises writers")
    site = await catalogue.site_by_slug("bochum")
    ticket = (
        await sql(
            "SELECT id, language FROM ticket WHERE site = {} AND day = {} ORDER BY id",
            site.id,
            DAY,
        )
    )[0]
    other = "fr" if ticket["language"] != "fr" else "ar"
    with simulated(READ_AT):
        await sql("UPDATE ticket SET language = {} WHERE id = {}", other, ticket["id"])
        changed = await site_days(site, DAY, DAY)
        connection = await asyncpg.connect(seeded.database_url)
        try:
            async with connection.transaction():
                await connection.execute(
                    "UPDATE ticket SET language = $1 WHERE id = $2",
                    ticket["language"],
                    ticket["id"],
                )
                assert await asyncio.wait_for(site_days(site, DAY, DAY), timeout=10) == changed
        finally:
            await connection.close()
        assert await site_days(site, DAY, DAY) != changed
