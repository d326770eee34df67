"""The hot queries keep reading the big tables through fitting indexes (PostgreSQL only).

A database shaped like a centre (5 sites, 8 services, half a year of history and four
weeks ahead; tens of thousands of slots, bookings, tickets and messages), vacuumed
and analysed, so that the planner takes a sequential scan, or a loose index, wherever
no fitting index exists. Then each hot use case runs for real (availability, booking,
the one-stop search, call-next, the agency's week, the outbox claim) while every
statement the engine sends is recorded (Piccolo's ``run_querystring``, compiled exactly
as it goes to asyncpg). Each recorded statement is run again with its own bound values
under EXPLAIN ANALYZE, in a transaction rolled back: no plan may read a big table
sequentially, nor a twentieth of one through an index (a service's whole history ANDed
with the week), and each use case reads its main tables through an index. The SQL is
never written here, so the test follows the code as it changes; dropping an index the
plans rely on makes it fail.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from piccolo.engine.base import Engine

from tests.conftest import World, next_weekday
from wcr.booking import availability
from wcr.catalogue import public as catalogue
from wcr.config import Settings
from wcr.database import postgres_config
from wcr.notifications.dispatcher import Dispatcher
from wcr.queue import tickets
from wcr.queue.setup import add_counter

# Only PostgreSQL: its planner is what this is about (SQLite has no EXPLAIN worth
# asserting on). The ``databases`` fixture skips when PostgreSQL is not reachable, and
# fails on CI instead.
pytestmark = [pytest.mark.parametrize("databases", ["postgres"], indirect=True), pytest.mark.slow]

BIG_TABLES = frozenset({"slot", "appointment", "booking", "ticket", "message"})
INDEX_NODES = frozenset({"Index Scan", "Index Only Scan", "Bitmap Heap Scan"})
SCANS = INDEX_NODES | {"Bitmap Index Scan"}
# Statements EXPLAIN takes (BEGIN, COMMIT and SET LOCAL are not plans).
PLANNED = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")

# A centre's 40 lines (5 sites, 8 services): half a year of history, four weeks
# published ahead; two of three slots booked. Enough rows that a week of one line is a
# sliver, and a service's history or a site's line is not.
PAST = 36_000
WEEKLY = 1_000  # slots of all lines in one week ahead
WEEKS_AHEAD = 4
BOOKINGS = 20_000
TICKETS = 40_000
MESSAGES = 50_000
# A plan reading more than this share of a big table, even through an index, reads far
# more than its answer (a week of all lines is a thirtieth of these rows; a service's
# or a site's history is an eighth or a fifth): work that grows with the history.
SHARE = 20


@dataclass(frozen=True)
class Statement:
    sql: str
    args: tuple[Any, ...]


@dataclass
class Finding:
    """What the plans of one use case's statements showed."""

    statements: int = 0
    problems: list[str] = field(default_factory=list)
    indexed: set[str] = field(default_factory=set)


@contextmanager
def recorded(engine: Engine[Any]) -> Iterator[list[Statement]]:
    """Every statement the engine sends meanwhile, as sent: SQL with $n and values."""
    seen: list[Statement] = []
    kind = type(engine)
    original = kind.run_querystring

    async def recording(self: Any, querystring: Any, in_pool: bool = True) -> Any:
        sql, args = querystring.compile_string(engine_type=self.engine_type)
        seen.append(Statement(sql.strip(), tuple(args)))
        return await original(self, querystring, in_pool=in_pool)

    # On the class: the engine's instances take no attributes of their own.
    kind.run_querystring = recording  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        kind.run_querystring = original  # type: ignore[method-assign]


def walk(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from walk(child)


def rows_read(node: dict[str, Any]) -> float:
    """The rows a scan node took from its table, kept or filtered away, in all loops."""
    per_loop = sum(
        node.get(key, 0)
        for key in ("Actual Rows", "Rows Removed by Filter", "Rows Removed by Index Recheck")
    )
    return float(per_loop * node.get("Actual Loops", 1))


async def explained(connection: asyncpg.Connection, options: str, statement: Statement) -> Any:
    """EXPLAIN (options) of the statement, in a transaction rolled back: with ANALYZE
    it runs, and what it wrote goes again."""
    transaction = connection.transaction()
    await transaction.start()
    try:
        return await connection.fetch(f"EXPLAIN ({options}) {statement.sql}", *statement.args)
    finally:
        await transaction.rollback()


async def plan_of(connection: asyncpg.Connection, statement: Statement) -> tuple[Any, str]:
    """The statement's plan with the rows it read (run and rolled back), or only its
    plan where running it again fails (the INSERT of a row the use case made already
    breaks a unique key); the EXPLAIN options used."""
    try:
        options = "ANALYZE, FORMAT JSON"
        rows = await explained(connection, options, statement)
    except asyncpg.PostgresError:
        options = "FORMAT JSON"
        rows = await explained(connection, options, statement)
    raw = rows[0][0]
    return (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"], options


async def explain(
    connection: asyncpg.Connection,
    statements: list[Statement],
    sizes: dict[str, float],
    indexes: dict[str, str],
) -> Finding:
    """Every planned statement's plan: no big table read sequentially, nor more than a
    twentieth of one through an index that does not narrow it down (``ticket (site)``
    for the waiting tickets of a site); which big tables were read through an index."""
    finding = Finding()
    for statement in statements:
        if not statement.sql.upper().startswith(PLANNED):
            continue
        finding.statements += 1
        plan, options = await plan_of(connection, statement)
        wrong = []
        for node in walk(plan):
            # A bitmap index scan names its index only, and may read far more than
            # the heap scan above it keeps (one side of a BitmapAnd).
            table = node.get("Relation Name") or indexes.get(node.get("Index Name", ""))
            if table not in BIG_TABLES:
                continue
            if node["Node Type"] == "Seq Scan":
                wrong.append(f"a sequential scan of {table}")
                continue
            if node["Node Type"] in INDEX_NODES:
                finding.indexed.add(table)
            read = rows_read(node)
            if node["Node Type"] in SCANS and read > sizes[table] / SHARE:
                where = node.get("Index Name", table)
                wrong.append(f"{read:.0f} of the {sizes[table]:.0f} rows of {table} ({where})")
        if wrong:
            # The whole plan in the message: what the planner chose instead.
            text = await explained(
                connection, options.replace("FORMAT JSON", "FORMAT TEXT"), statement
            )
            lines = "\n    ".join(line[0] for line in text)
            finding.problems.append(f"{', '.join(wrong)} in\n  {statement.sql}\n    {lines}")
    return finding


async def grow(url: str) -> None:
    """A centre's lines and tens of thousands of rows in bulk, then VACUUM ANALYZE.
    Times count from half a year ago (``$1``); ``g`` numbers the rows."""
    start = datetime.now(UTC) - timedelta(days=182)
    connection = await asyncpg.connect(**postgres_config(url))
    try:
        # Five sites and eight services, as a centre has: no service, agency or site
        # holds so large a share of the slots that reading all of its own is cheap.
        await connection.execute(
            "INSERT INTO site (slug, name, address) "
            "SELECT 'filler-' || g, 'Filler ' || g, '' FROM generate_series(1, 3) g"
        )
        await connection.execute(
            "INSERT INTO agency (slug, name) "
            "SELECT 'filler-' || g, 'Filler ' || g FROM generate_series(1, 6) g"
        )
        await connection.execute(
            "INSERT INTO service (slug, agency) "
            "SELECT 'filler-' || id, id FROM agency WHERE slug LIKE 'filler-%'"
        )
        lines = await connection.fetch(
            "SELECT si.id AS site, sv.id AS service, sv.agency "
            "FROM site si CROSS JOIN service sv ORDER BY si.id, sv.id"
        )
        sites = [line["site"] for line in lines]
        services = [line["service"] for line in lines]
        agencies = [line["agency"] for line in lines]
        # Line by line, as agencies publish: slot k of a line is, for k < P, its k-th
        # step through the half year behind, and after that through the weeks ahead.
        per_line = (PAST + WEEKS_AHEAD * WEEKLY) // len(lines)
        past = PAST // len(lines)
        behind = 182 * 86400 / past
        ahead = WEEKS_AHEAD * 7 * 86400 / (per_line - past)
        await connection.execute(
            "INSERT INTO slot (site, service, agency, starts_at, ends_at, capacity, booked) "
            "SELECT ($2::int[])[line + 1], ($3::int[])[line + 1], ($4::int[])[line + 1], "
            "at, at + interval '20 minutes', 1, CASE WHEN k % 3 = 0 THEN 0 ELSE 1 END "
            "FROM generate_series(0, $5::int * $6::int - 1) g, "
            "LATERAL (SELECT g / $6::int AS line, g % $6::int AS k) n, "
            "LATERAL (SELECT CASE WHEN k < $7::int "
            "THEN $1::timestamptz + k * make_interval(secs => $8) "
            "ELSE now() + (k - $7::int) * make_interval(secs => $9) END AS at) t",
            start,
            sites,
            services,
            agencies,
            len(lines),
            per_line,
            past,
            behind,
            ahead,
        )
        await connection.execute(
            "INSERT INTO booking (reference, token_hash, name, email, silent, created_at) "
            "SELECT 'G' || g, md5(g::text), 'Person ' || g, 'p' || g || '@example.org', true, "
            "$1::timestamptz + g * interval '10 minutes' FROM generate_series(1, $2) g",
            start,
            BOOKINGS,
        )
        # One appointment per booking, in the booked slots from the latest back.
        await connection.execute(
            "INSERT INTO appointment (booking, slot, status) "
            "SELECT b.id, s.id, 'active' FROM "
            "(SELECT id, row_number() OVER (ORDER BY id) AS n FROM booking) b JOIN "
            "(SELECT id, row_number() OVER (ORDER BY starts_at DESC, id) AS n FROM slot "
            "WHERE booked = 1) s USING (n)"
        )
        await connection.execute(
            "INSERT INTO ticket (site, day, code, service, status, due_at, called_at, "
            "finished_at) SELECT ($2::int[])[g % $4 + 1], CAST(at AS date), 'A' || g, "
            "($3::int[])[g % $4 + 1], 'done', at, at, at FROM generate_series(1, $5) g, "
            "LATERAL (SELECT $1::timestamptz + g % 180 * interval '1 day' AS at) t",
            start,
            sites,
            services,
            len(lines),
            TICKETS,
        )
        # Today's line at Bochum: a few waiting for call-next.
        await connection.execute(
            "INSERT INTO ticket (site, day, code, service, status, due_at) "
            "SELECT si.id, CURRENT_DATE, 'W' || g, sv.id, 'waiting', "
            "now() - g * interval '1 minute' FROM site si, service sv, generate_series(1, 5) g "
            "WHERE si.slug = 'bochum' AND sv.slug = 'registration'"
        )
        await connection.execute(
            "INSERT INTO message (dedup_key, booking, kind, channel, recipient, status, "
            "due_at, sent_at, attempts) SELECT 'grown:' || g, "
            "(SELECT min(id) FROM booking) + g % $2, 'booked', 'email', 'p@example.org', "
            "'sent', at, at, 1 FROM generate_series(1, $3) g, "
            "LATERAL (SELECT $1::timestamptz + g * interval '5 minutes' AS at) t",
            start,
            BOOKINGS,
            MESSAGES,
        )
        # The statistics, and the visibility map that lets a plan answer from an index
        # alone: what autovacuum keeps up to date on a live database.
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


async def test_the_hot_queries_read_the_big_tables_through_indexes(
    app: Litestar, world: World, database_url: str, settings: Settings
) -> None:
    engine: Engine[Any] = app.state.engine
    counter = await add_counter(engine, "bochum", "Schalter 1", ["registration", "recognition"])
    await grow(database_url)
    bochum = await catalogue.site_by_slug("bochum")
    monday = next_weekday(1)
    week = {"from": monday.isoformat(), "to": (monday + timedelta(days=6)).isoformat()}
    agency = world.headers(world.citizens_key)
    free: list[int] = []

    async def available() -> None:
        slots = await availability.available(
            "bochum", "registration", monday, monday + timedelta(days=6)
        )
        assert slots, "a week of the grown line has free slots"
        free.extend(s.id for s in slots)

    async def book() -> None:
        response = await world.book(free[0])
        assert response.status_code == 201, response.text

    async def search() -> None:
        response = await world.client.get(
            "/api/v1/visits/options",
            params={"site": "bochum", "services": "registration,recognition", **week},
        )
        assert response.status_code == 200, response.text

    async def call_next() -> None:
        assert await tickets.call_next(engine, bochum, counter) is not None

    async def agency_week() -> None:
        for path in ("/api/v1/agency/slots", "/api/v1/agency/bookings"):
            response = await world.client.get(path, params=week, headers=agency)
            assert response.status_code == 200, response.text
            assert response.json(), f"{path}: the grown week is not empty"

    async def outbox_claim() -> None:
        # The booking above left its confirmation pending.
        assert await Dispatcher.from_settings(engine, settings).claim()

    # Each use case and the big tables it must read through an index.
    cases: dict[str, tuple[Callable[[], Awaitable[None]], set[str]]] = {
        "availability": (available, {"slot"}),
        "booking": (book, {"slot"}),
        "one-stop search": (search, {"slot"}),
        "call-next": (call_next, {"ticket"}),
        "agency's week": (agency_week, {"slot", "appointment", "booking"}),
        "outbox claim": (outbox_claim, {"message"}),
    }
    problems: list[str] = []
    connection = await asyncpg.connect(**postgres_config(database_url))
    try:
        sizes = {
            row["relname"]: row["reltuples"]
            for row in await connection.fetch(
                "SELECT relname, reltuples FROM pg_class WHERE relname = ANY($1)",
                list(BIG_TABLES),
            )
        }
        indexes = {
            row["indexname"]: row["tablename"]
            for row in await connection.fetch("SELECT indexname, tablename FROM pg_indexes")
        }
        for name, (run, tables) in cases.items():
            with recorded(engine) as statements:
                await run()
            finding = await explain(connection, statements, sizes, indexes)
            assert finding.statements, f"{name}: no statement recorded"
            problems += [f"{name}: {problem}" for problem in finding.problems]
            if missing := tables - finding.indexed:
                problems.append(f"{name}: no index read of {', '.join(sorted(missing))}")
    finally:
        await connection.close()
    assert not problems, "\n".join(problems)
