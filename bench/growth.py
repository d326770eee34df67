"""Costs as the data grows: the hot paths on the demo database and on a grown one.

Two throw-away PostgreSQL databases, both migrated and seeded with the demo (`wcr
seed-demo`: 5 sites, 14 days of slots ahead). The second also gets the history of a year
of one busy centre, in bulk SQL (generate_series): 1,000,000 slots over the past 365
days spread over the demo's sites and services, 300,000 bookings with an appointment
each, 400,000 front-desk tickets and 2,000,000 sent outbox messages (``--scale``
shrinks every count). What lies ahead is the demo's in both, so every answer is the
same and only the history differs. Then, in process (the real use cases on the real
engine, no HTTP), alternating between the two databases call by call:

    availability   a week of one service at Bochum (wcr.booking.availability.available)
    booking        one place of a slot reserved for the bench (wcr.booking.bookings.book)
    search         a one-stop visit of three services over 14 days (visits.options)
    call-next      the next of the tickets waiting at one counter (queue.tickets.call_next)
    agency week    an agency's slots and bookings of next week (the portal's two reads)

and prints p50/p95 per database and the ratio grown/demo (aim: at most 1.5x). The
answers must be the same on both databases (the history never shows in them).

    .venv/bin/python -m bench.growth [--scale 0.05] [--repeats 100] [--json]

Everything runs on 127.0.0.1; both databases are dropped at the end, also on failure.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
from piccolo.engine.postgres import PostgresEngine

from bench import harness
from bench.harness import BenchError, Latency, positive, positive_float
from wcr.app import ALL_TABLES
from wcr.booking import availability, bookings, exports, visits
from wcr.booking import repository as booking_repo
from wcr.booking.contact import clean_contact
from wcr.catalogue import public as catalogue
from wcr.config import Settings
from wcr.database import bind_tables, make_engine
from wcr.queue import tickets
from wcr.server_secret import use
from wcr.timezones import local_range, today, zone

# A year of one busy centre (issue 15, item 6), at --scale 1.
SLOTS = 1_000_000
BOOKINGS = 300_000
TICKETS = 400_000
MESSAGES = 2_000_000
HISTORY_DAYS = 365
AIM_RATIO = 1.5

SITE = "bochum"
SERVICE = "residence-registration"
VISIT = "residence-registration,recognition-advice,employment-agency"
COUNTER = "Schalter 1"
BERLIN = "Europe/Berlin"
BENCH_SECRET = "server-secret-of-the-growth-bench-0123456789"  # noqa: S105 - a bench's own
DATABASE_PREFIX = "wcr_growth"


# --- options ----------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    scale: float
    repeats: int
    warm_up: int
    json: bool
    admin_url: str


def parse_options(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m bench.growth",
        description="The hot paths on the demo database and on a year's history.",
    )
    parser.add_argument(
        "--scale",
        type=positive_float,
        default=1.0,
        help="share of the year's rows to write (1: 1,000,000 slots, ...; 0.05 for a quick run)",
    )
    parser.add_argument(
        "--repeats", type=positive, default=100, help="measured calls per operation and database"
    )
    parser.add_argument("--warm-up", type=positive, default=10, help="unmeasured calls first")
    parser.add_argument("--json", action="store_true", help="end with a JSON summary line")
    args = parser.parse_args(argv)
    if args.scale > 1:
        parser.error("--scale is at most 1")
    return Options(args.scale, args.repeats, args.warm_up, args.json, harness.admin_url())


# --- the two databases ------------------------------------------------------------


@dataclass(frozen=True)
class History:
    slots: int
    bookings: int
    tickets: int
    messages: int

    @classmethod
    def scaled(cls, scale: float) -> History:
        def part(count: int) -> int:
            return max(1, math.ceil(count * scale))

        return cls(part(SLOTS), part(BOOKINGS), part(TICKETS), part(MESSAGES))


async def grow(url: str, history: History) -> float:
    """The year behind the demo, in bulk; the seconds it took. Every row lies in the
    past: slots of the demo's (site, service) pairs, bookings in some of them."""
    started = time.perf_counter()
    connection = await asyncpg.connect(url, timeout=harness.CONNECT_TIMEOUT)
    try:
        pairs = await connection.fetch(
            "SELECT DISTINCT site, service, agency FROM slot ORDER BY site, service"
        )
        if not pairs:
            raise BenchError("the demo seed made no slots")
        sites = [p["site"] for p in pairs]
        services = [p["service"] for p in pairs]
        agencies = [p["agency"] for p in pairs]
        start = datetime.now(UTC) - timedelta(days=HISTORY_DAYS)
        per_pair = math.ceil(history.slots / len(pairs))
        step = (HISTORY_DAYS - 1) * 86400 / per_pair
        # Slot g belongs to pair g % P, at its (g / P)-th step through the year; the
        # booked ones spread evenly (slot g is booked when g * B / S steps up).
        await connection.execute(
            "INSERT INTO slot (site, service, agency, starts_at, ends_at, capacity, booked, "
            "created_at) SELECT ($2::int[])[g % $5 + 1], ($3::int[])[g % $5 + 1], "
            "($4::int[])[g % $5 + 1], at, at + interval '20 minutes', 1, "
            "CASE WHEN (g + 1)::bigint * $7 / $6 > g::bigint * $7 / $6 THEN 1 ELSE 0 END, "
            "at - interval '30 days' "
            "FROM generate_series(0, $6 - 1) g, "
            "LATERAL (SELECT $1::timestamptz + g / $5 * make_interval(secs => $8) AS at) t",
            start,
            sites,
            services,
            agencies,
            len(pairs),
            history.slots,
            history.bookings,
            step,
        )
        await connection.execute(
            "INSERT INTO booking (reference, token_hash, name, email, language, status, "
            "silent, created_at, updated_at) SELECT 'Y' || g, md5(g::text), 'Person ' || g, "
            "'p' || g || '@example.org', 'de', CASE WHEN g % 10 = 0 THEN 'cancelled' "
            "ELSE 'confirmed' END, true, at, at FROM generate_series(1, $2) g, "
            "LATERAL (SELECT $1::timestamptz + g * make_interval(secs => $3) AS at) t",
            start,
            history.bookings,
            HISTORY_DAYS * 86400 / history.bookings,
        )
        # One appointment per booking: the n-th booking in the n-th booked slot of the
        # history (the demo's own bookings keep theirs).
        await connection.execute(
            "INSERT INTO appointment (booking, slot, status, created_at) "
            "SELECT b.id, s.id, CASE b.status WHEN 'cancelled' THEN 'cancelled' "
            "ELSE 'active' END, b.created_at FROM "
            "(SELECT id, status, created_at, row_number() OVER (ORDER BY id) AS n "
            "FROM booking WHERE reference LIKE 'Y%') b JOIN "
            "(SELECT id, row_number() OVER (ORDER BY id) AS n FROM slot "
            "WHERE booked = 1 AND starts_at < now()) s USING (n)"
        )
        await connection.execute(
            "INSERT INTO ticket (site, day, code, service, kind, status, due_at, created_at, "
            "queued_at, called_at, finished_at) SELECT ($2::int[])[g % $4 + 1], "
            "CAST(at AS date), 'H' || g, ($3::int[])[g % $4 + 1], 'walkin', 'done', at, at, "
            "at, at + interval '10 minutes', at + interval '20 minutes' "
            "FROM generate_series(1, $5) g, "
            "LATERAL (SELECT $1::timestamptz + g % $6 * interval '1 day' "
            "+ g % 480 * interval '1 minute' AS at) t",
            start,
            sites,
            services,
            len(pairs),
            history.tickets,
            HISTORY_DAYS - 1,
        )
        await connection.execute(
            "INSERT INTO message (dedup_key, booking, kind, channel, recipient, version, "
            "status, due_at, attempts, sent_at, created_at) SELECT 'grown:' || g, "
            "(SELECT min(id) FROM booking WHERE reference LIKE 'Y%') + g % $2, "
            "CASE WHEN g % 3 = 0 THEN 'reminder' ELSE 'booked' END, 'email', "
            "'p' || g % $2 || '@example.org', 0, 'sent', at, 1, at, at "
            "FROM generate_series(1, $3) g, "
            "LATERAL (SELECT $1::timestamptz + g * make_interval(secs => $4) AS at) t",
            start,
            history.bookings,
            history.messages,
            HISTORY_DAYS * 86400 / history.messages,
        )
    finally:
        await connection.close()
    return time.perf_counter() - started


async def prepare_both(urls: dict[str, str], places: int) -> None:
    """The same in both: a slot with a place for every measured booking (20 days ahead,
    beyond what the other operations look at), tickets waiting at the counter, and
    VACUUM ANALYZE (statistics and visibility map, as autovacuum keeps them)."""
    for url in urls.values():
        connection = await asyncpg.connect(url, timeout=harness.CONNECT_TIMEOUT)
        try:
            at = datetime.now(UTC) + timedelta(days=20)
            await connection.execute(
                "INSERT INTO slot (site, service, agency, starts_at, ends_at, capacity, booked) "
                "SELECT si.id, sv.id, sv.agency, $1::timestamptz, "
                "$1::timestamptz + interval '20 minutes', $2, 0 "
                "FROM site si, service sv WHERE si.slug = $3 AND sv.slug = $4",
                at,
                places,
                SITE,
                SERVICE,
            )
            await connection.execute(
                "INSERT INTO ticket (site, day, code, service, kind, status, due_at) "
                "SELECT c.site, $1, 'Z' || g, cs.service, 'walkin', 'waiting', "
                "now() - interval '1 hour' + g * interval '1 second' "
                "FROM counter c JOIN site si ON si.id = c.site "
                "JOIN counter_service cs ON cs.counter = c.id, generate_series(1, $2) g "
                "WHERE si.slug = $3 AND c.name = $4",
                today(zone(BERLIN)),
                places,
                SITE,
                COUNTER,
            )
            await connection.execute("VACUUM ANALYZE")
        finally:
            await connection.close()


# --- the operations ---------------------------------------------------------------


@dataclass
class Place:
    """One database, ready for the use cases: its engine and the ids they need."""

    name: str
    engine: PostgresEngine
    site: catalogue.Site
    counter: int
    agency: int
    slot: int  # the bench's slot of many places


Operation = Callable[[Place, int], Awaitable[object]]


def week() -> tuple[date, date]:
    monday = today(zone(BERLIN)) + timedelta(days=1)
    while monday.isoweekday() != 1:
        monday += timedelta(days=1)
    return monday, monday + timedelta(days=6)


async def available(_place: Place, _n: int) -> object:
    first, last = week()
    return [s.id for s in await availability.available(SITE, SERVICE, first, last)]


async def book(place: Place, n: int) -> object:
    contact = clean_contact(f"Growth {n}", f"growth{n}@example.org", None, "de")
    reference, _, _ = await bookings.book(place.engine, [place.slot], contact)
    return bool(reference)


async def search(_place: Place, _n: int) -> object:
    request = await visits.resolve(SITE, VISIT, None, None)
    first = today(zone(BERLIN))
    found, _ = await visits.options(request, first, first + timedelta(days=13), 5)
    return [[s.id for s in option.slots] for option in found]


async def call_next(place: Place, _n: int) -> object:
    call = await tickets.call_next(place.engine, place.site, place.counter)
    return call.ticket.code if call else None


async def agency_week(place: Place, _n: int) -> object:
    first, last = week()
    start, end = local_range(first, last, zone(BERLIN))
    slots = await booking_repo.find_slots(start=start, end=end, agency_id=place.agency)
    _, _, rows = await exports.agency_bookings(place.agency, first, last)
    # The demo's references are random: the booked slots must agree.
    return [s.id for s in slots], [r.slot_id for r, _ in rows]


@dataclass
class Measured:
    seconds: dict[str, list[float]] = field(default_factory=dict)
    mismatches: list[str] = field(default_factory=list)


async def measure(places: list[Place], options: Options) -> dict[str, Measured]:
    """Each operation, call by call on one database and then the other (so that the
    machine's load falls on both alike); the answers compared."""
    operations: dict[str, Operation] = {
        "availability": available,
        "booking": book,
        "search": search,
        "call-next": call_next,
        "agency week": agency_week,
    }
    results: dict[str, Measured] = {}
    for name, operation in operations.items():
        measured = Measured({p.name: [] for p in places})
        for n in range(options.warm_up + options.repeats):
            answers = []
            for place in places:
                # Piccolo's tables find their engine here, the use cases get it passed.
                bind_tables(place.engine, ALL_TABLES)
                started = time.perf_counter()
                answers.append(await operation(place, n))
                if n >= options.warm_up:
                    measured.seconds[place.name].append(time.perf_counter() - started)
            if any(answer != answers[0] for answer in answers):
                measured.mismatches.append(f"{name} call {n}: {answers}")
        results[name] = measured
    return results


async def open_places(urls: dict[str, str], places: int) -> list[Place]:
    opened = []
    for name, url in urls.items():
        engine = make_engine(url)
        if not isinstance(engine, PostgresEngine):
            raise BenchError(f"not a PostgreSQL URL: {url}")
        await engine.start_connection_pool(min_size=1, max_size=4)
        bind_tables(engine, ALL_TABLES)
        site = await catalogue.site_by_slug(SITE)
        agency = (await catalogue.service_by_slug(SERVICE)).agency_id
        connection = await asyncpg.connect(url, timeout=harness.CONNECT_TIMEOUT)
        try:
            counter = await connection.fetchval(
                "SELECT c.id FROM counter c WHERE c.site = $1 AND c.name = $2", site.id, COUNTER
            )
            slot = await connection.fetchval("SELECT id FROM slot WHERE capacity = $1", places)
        finally:
            await connection.close()
        opened.append(Place(name, engine, site, counter, agency, slot))
    return opened


# --- the run ----------------------------------------------------------------------


async def table_rows(url: str) -> dict[str, int]:
    connection = await asyncpg.connect(url, timeout=harness.CONNECT_TIMEOUT)
    try:
        return {
            table: int(await connection.fetchval(f"SELECT count(*) FROM {table}"))  # noqa: S608 - fixed names
            for table in ("slot", "booking", "appointment", "ticket", "message")
        }
    finally:
        await connection.close()


def report(
    results: dict[str, Measured], rows: dict[str, dict[str, int]], grow_seconds: float
) -> dict[str, Any]:
    print(
        "rows      "
        + "  ".join(f"{t} {rows['demo'][t]:,} / {rows['grown'][t]:,}" for t in rows["demo"])
        + "  (demo / grown)"
    )
    print(f"history written in {grow_seconds:.1f} s")
    print(
        f"{'':14}{'demo p50':>10}{'p95':>8}{'grown p50':>11}{'p95':>8}{'ratio p50':>11}{'p95':>7}"
    )
    summary: dict[str, Any] = {}
    for name, measured in results.items():
        demo = Latency.of(measured.seconds["demo"], digits=2)
        grown = Latency.of(measured.seconds["grown"], digits=2)
        ratios = (grown.p50_ms / demo.p50_ms, grown.p95_ms / demo.p95_ms)
        flag = "" if ratios[1] <= AIM_RATIO else f"  above {AIM_RATIO}x"
        print(
            f"{name:14}{demo.p50_ms:8.2f}ms{demo.p95_ms:6.2f}ms{grown.p50_ms:9.2f}ms"
            f"{grown.p95_ms:6.2f}ms{ratios[0]:10.2f}x{ratios[1]:6.2f}x{flag}"
        )
        summary[name] = {
            "demo": asdict(demo),
            "grown": asdict(grown),
            "ratio_p50": round(ratios[0], 3),
            "ratio_p95": round(ratios[1], 3),
        }
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (2 cores shared)")
    return summary


async def run(options: Options) -> bool:
    use(Settings(secret_key=BENCH_SECRET))  # manage links are signed
    history = History.scaled(options.scale)
    demo_db = harness.ThrowawayDatabase(options.admin_url, f"{DATABASE_PREFIX}_demo")
    grown_db = harness.ThrowawayDatabase(options.admin_url, f"{DATABASE_PREFIX}_grown")
    async with demo_db as demo_url, grown_db as grown_url:
        urls = {"demo": demo_url, "grown": grown_url}
        for url in urls.values():
            await asyncio.to_thread(harness.migrate, harness.wcr_env(url), seed_demo=True)
        print(
            f"writing the history (scale {options.scale}): {history.slots:,} slots, "
            f"{history.bookings:,} bookings, {history.tickets:,} tickets, "
            f"{history.messages:,} messages",
            flush=True,
        )
        grow_seconds = await grow(grown_url, history)
        await prepare_both(urls, options.warm_up + options.repeats)
        rows = {name: await table_rows(url) for name, url in urls.items()}
        places = await open_places(urls, options.warm_up + options.repeats)
        try:
            results = await measure(places, options)
        finally:
            for place in places:
                await place.engine.close_connection_pool()
    summary = report(results, rows, grow_seconds)
    mismatches = [m for measured in results.values() for m in measured.mismatches]
    for mismatch in mismatches[:10]:
        print(f"MISMATCH {mismatch}", file=sys.stderr)
    if options.json:
        harness.print_summary_line(
            {
                "bench": "growth",
                "options": harness.options_view(options),
                "history": asdict(history),
                "rows": rows,
                "operations": summary,
                "mismatches": len(mismatches),
                "load_average": os.getloadavg(),
            }
        )
    return not mismatches


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    return harness.run_bench(lambda: asyncio.run(run(options)))


if __name__ == "__main__":
    sys.exit(main())
