"""The booking race on the embedded default: SQLite over HTTP against stdlib ``sqlite3``.

Round 1 is booking_race's HTTP round (uvicorn + Litestar + Piccolo) on a SQLite file;
round 2 sends the same booking transaction through the standard library's ``sqlite3``
on other slots, opened as the app opens SQLite (WAL, ``foreign_keys``, the busy timeout
of :data:`wcr.database.SQLITE_BUSY_TIMEOUT`, autocommit with ``BEGIN IMMEDIATE`` for the
transaction, see :mod:`wcr.database`): the floor that the HTTP stack is measured
against. Both rounds must end with every slot booked exactly once.

A third part measures what one query costs through Piccolo's SQLite engine (outside a
transaction, which without the app's pool opens a connection per query) against one
reused ``sqlite3`` connection, with and without the engine's pool.

    .venv/bin/python -m bench.booking_race_sqlite --help

Everything runs on 127.0.0.1 on a SQLite file in a temporary folder, removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bench import harness
from bench.booking_race import (
    BOOKER,
    RACE_TIMEOUT,
    REFERENCE_ATTEMPTS,
    Figures,
    Options,
    Round,
    Sample,
    add_race_arguments,
    deal_targets,
    figures,
    http_race,
    outcome_problems,
    prepare_database,
    print_figures,
    publish_rounds,
    race_options,
    report_bare_and_ratios,
)
from bench.harness import positive
from wcr.database import SQLITE_BUSY_TIMEOUT
from wcr.tokens import digest, new_manage_token, new_reference

QUERY_ROUNDS = 3  # of the micro-measure; the median is reported
# Round 3: the framework alone, serving round 2's transaction (bench/bare_app.py).
BARE_SQLITE_APP = "bench.bare_app:sqlite_app_from_env"


@dataclass(frozen=True)
class SqliteOptions:
    race: Options
    connections: int
    queries: int


def parse_options(argv: Sequence[str] | None = None) -> SqliteOptions:
    parser = argparse.ArgumentParser(
        prog="python -m bench.booking_race_sqlite",
        description="Race concurrent bookings on SQLite over HTTP and over stdlib sqlite3.",
    )
    add_race_arguments(parser, "WCR_POOL_SIZE of the server")
    parser.add_argument(
        "--connections",
        type=positive,
        default=1,
        help="sqlite3 connections (one thread each) of the raw round",
    )
    parser.add_argument(
        "--queries", type=positive, default=2000, help="selects of the per-query micro-measure"
    )
    args = parser.parse_args(argv)
    race = race_options(parser, args, admin_url="")  # no PostgreSQL here
    return SqliteOptions(race=race, connections=args.connections, queries=args.queries)


# --- stdlib sqlite3, opened as the app opens SQLite -------------------------------


def connect(path: Path) -> sqlite3.Connection:
    """What Piccolo's engine and wcr.database do: autocommit (transactions are explicit
    BEGINs), foreign keys on, the app's busy timeout; WAL is already in the file."""
    connection = sqlite3.connect(
        path, timeout=SQLITE_BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
    )
    connection.execute("PRAGMA foreign_keys = 1")
    return connection


def sqlite_instant(at: datetime) -> str:
    """A timestamp as Piccolo's SQLite adapter stores it (UTC, ``str(datetime)``), so
    that ``starts_at > ?`` compares the same text as the app's query."""
    return str(at.astimezone(UTC))


# The database work of the app's booking on SQLite (wcr.booking.bookings.book): a read
# that refuses a full slot before any transaction; then, in one BEGIN IMMEDIATE, the
# place taken (refused there: whether the slot exists, for the reason), the booking and
# its appointment inserted.
IS_FREE = (
    "SELECT booked < capacity AND withdrawn_at IS NULL AND starts_at > ? FROM slot WHERE id = ?"
)
SLOT_EXISTS = "SELECT 1 FROM slot WHERE id = ?"
TAKE_PLACE = (
    "UPDATE slot SET booked = booked + 1 "
    "WHERE id = ? AND booked < capacity AND withdrawn_at IS NULL AND starts_at > ? "
    "RETURNING id"
)
# The columns and values of booking_race's raw round: the same rows on both engines.
INSERT_BOOKING = (
    "INSERT INTO booking (reference, token_hash, name, email, phone, language, status, "
    "version, created_at, updated_at, cancelled_at) "
    "VALUES (?, ?, ?, ?, NULL, 'de', 'confirmed', 0, ?, ?, NULL) RETURNING id"
)
INSERT_APPOINTMENT = (
    "INSERT INTO appointment (booking, slot, position, status, created_at) "
    "VALUES (?, ?, 0, 'active', ?)"
)


def book_once(connection: sqlite3.Connection, slot_id: int) -> bool:
    """One booking transaction, BEGIN IMMEDIATE as wcr.database.write_transaction; False
    (rolled back) when the slot is full."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        at = sqlite_instant(datetime.now(UTC))
        if connection.execute(TAKE_PLACE, (slot_id, at)).fetchone() is None:
            connection.execute(SLOT_EXISTS, (slot_id,)).fetchone()
            connection.execute("ROLLBACK")
            return False
        # What the app stores: a fresh reference and the hash of a fresh manage token.
        (booking_id,) = connection.execute(
            INSERT_BOOKING,
            (
                new_reference(),
                digest(new_manage_token()),
                BOOKER["name"],
                BOOKER["email"],
                at,
                at,
            ),
        ).fetchone()
        connection.execute(INSERT_APPOINTMENT, (booking_id, slot_id, at))
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return True


def raw_attempt(connection: sqlite3.Connection, slot_id: int) -> str:
    at = sqlite_instant(datetime.now(UTC))
    free = connection.execute(IS_FREE, (at, slot_id)).fetchone()
    if free is None or not free[0]:  # no such slot, or full: refused either way
        return "full"
    for _ in range(REFERENCE_ATTEMPTS):
        try:
            return "booked" if book_once(connection, slot_id) else "full"
        except sqlite3.IntegrityError as error:
            if "UNIQUE" not in str(error):
                raise
            # two references collided (1 in 1.5e11); draw another
    return "reference collisions"


@dataclass(frozen=True)
class Lane:
    """One sqlite3 connection and the one thread that uses it."""

    connection: sqlite3.Connection
    thread: ThreadPoolExecutor


class Lanes:
    """Connections, each in a thread of its own, handed out first come, first served.

    The semaphore queues clients in order (Python 3.11's is fair); a bare queue of free
    connections would let a client that just put one back take it again at once, so
    that clients ran one after the other and latency left out the wait that the HTTP
    round's clients see.
    """

    def __init__(self, opened: list[Lane]) -> None:
        self.free = list(opened)
        self.turns = asyncio.Semaphore(len(opened))

    @asynccontextmanager
    async def lane(self) -> AsyncIterator[Lane]:
        async with self.turns:
            lane = self.free.pop()
            try:
                yield lane
            finally:
                self.free.append(lane)


@asynccontextmanager
async def lanes(path: Path, count: int) -> AsyncIterator[Lanes]:
    """``count`` connections for the asyncio clients to share, as the app's requests
    share its engine."""
    opened = []
    try:
        for _ in range(count):
            thread = ThreadPoolExecutor(max_workers=1)
            opened.append(Lane(await asyncio.wrap_future(thread.submit(connect, path)), thread))
        yield Lanes(opened)
    finally:
        for lane in opened:
            lane.thread.submit(lane.connection.close).result()
            lane.thread.shutdown()


async def raw_client(shared: Lanes, plan: list[int]) -> list[Sample]:
    samples: list[Sample] = []
    for slot_id in plan:
        begin = time.monotonic()
        outcome: str
        try:
            async with shared.lane() as lane:
                # The whole transaction in one hop to the connection's thread: the floor.
                outcome = await asyncio.wrap_future(
                    lane.thread.submit(raw_attempt, lane.connection, slot_id)
                )
        except Exception as error:
            outcome = type(error).__name__
        samples.append((begin, time.monotonic(), outcome))
    return samples


async def raw_race(path: Path, plans: list[list[int]], connections: int) -> Figures:
    async with lanes(path, connections) as shared:
        meter = harness.CpuMeter()
        cpu = time.process_time()
        start = time.monotonic()
        try:
            per_client = await asyncio.wait_for(
                asyncio.gather(*(raw_client(shared, plan) for plan in plans)), RACE_TIMEOUT
            )
        except TimeoutError:
            raise harness.BenchError(f"the raw round did not finish in {RACE_TIMEOUT} s") from None
        wall = time.monotonic() - start
        use = meter.measure()
    # SQLite runs inside this process (its threads): its CPU is the bench process's.
    shares = {"bench process": round(100 * (time.process_time() - cpu) / wall, 1)}
    samples = [sample for samples in per_client for sample in samples]
    cpu_shares = {"machine": use.machine, **shares, "rest": use.rest(shares)}
    return figures("raw sqlite3", start, samples, "booked", cpu_shares)


def database_problems(path: Path, slot_ids: list[int]) -> list[str]:
    """Each slot booked once, and held by exactly one active appointment."""
    marks = ", ".join("?" for _ in slot_ids)
    with sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT) as connection:
        booked = connection.execute(
            f"SELECT booked, count(*) FROM slot WHERE id IN ({marks}) GROUP BY booked",  # noqa: S608 - placeholders only
            slot_ids,
        ).fetchall()
        holders = connection.execute(
            "SELECT a.slot, count(*) FROM appointment a JOIN booking b ON b.id = a.booking "  # noqa: S608 - placeholders only
            f"WHERE a.slot IN ({marks}) AND a.status = 'active' AND b.status = 'confirmed' "
            "GROUP BY a.slot",
            slot_ids,
        ).fetchall()
    connection.close()
    problems = []
    by_count = dict(booked)
    if by_count != {1: len(slot_ids)}:
        problems.append(f"slots by booked count {by_count}, not {{1: {len(slot_ids)}}}")
    appointments = sum(n for _, n in holders)
    if len(holders) != len(slot_ids) or appointments != len(slot_ids):
        problems.append(
            f"{appointments} active appointments on {len(holders)} slots, "
            f"not {len(slot_ids)} on {len(slot_ids)}"
        )
    return problems


# --- what one query costs ---------------------------------------------------------

SELECT_SLOT = "SELECT id, booked FROM slot WHERE id = ?"


@dataclass(frozen=True)
class QueryCost:
    name: str
    per_query_us: float  # median of QUERY_ROUNDS rounds


async def timed(queries: int, one: Callable[[int], Awaitable[Any]], ids: list[int]) -> float:
    """Median microseconds per query over QUERY_ROUNDS rounds of ``queries`` in a row."""
    rounds = []
    for _ in range(QUERY_ROUNDS):
        start = time.perf_counter()
        for i in range(queries):
            await one(ids[i % len(ids)])
        rounds.append(1e6 * (time.perf_counter() - start) / queries)
    return sorted(rounds)[len(rounds) // 2]


async def query_costs(
    database_url: str, path: Path, ids: list[int], queries: int
) -> list[QueryCost]:
    """The same select, one after another, through each way the app could send it."""
    # Imported here: the engine registers Piccolo's sqlite3 adapters process-wide, which
    # the raw round must not depend on (it formats its timestamps itself).
    from piccolo.querystring import QueryString  # noqa: PLC0415

    from wcr.config import Settings  # noqa: PLC0415
    from wcr.database import connection_pool, make_engine  # noqa: PLC0415

    engine = make_engine(database_url)
    piccolo_sql = SELECT_SLOT.replace("?", "{}")

    async def piccolo(slot_id: int) -> Any:
        return await engine.run_querystring(QueryString(piccolo_sql, slot_id))

    connection = connect(path)

    async def reused(slot_id: int) -> Any:
        return connection.execute(SELECT_SLOT, (slot_id,)).fetchall()

    costs = [QueryCost("sqlite3, one reused connection", await timed(queries, reused, ids))]
    connection.close()
    # The same through aiosqlite, which Piccolo drives: one hop to its thread and back.
    async with aiosqlite.connect(path, timeout=SQLITE_BUSY_TIMEOUT, isolation_level=None) as hop:

        async def threaded(slot_id: int) -> Any:
            return await hop.execute_fetchall(SELECT_SLOT, (slot_id,))

        costs.append(
            QueryCost("aiosqlite, one reused connection", await timed(queries, threaded, ids))
        )
    costs.append(QueryCost("Piccolo engine, no pool", await timed(queries, piccolo, ids)))
    settings = Settings(database_url=database_url)
    async with connection_pool(engine, settings):
        costs.append(QueryCost("Piccolo engine, app's pool", await timed(queries, piccolo, ids)))
    return costs


def print_costs(costs: list[QueryCost], queries: int) -> None:
    print(f"\none select by id, {queries} in a row, median of {QUERY_ROUNDS} rounds")
    floor = costs[0].per_query_us
    for cost in costs:
        print(f"  {cost.name:34} {cost.per_query_us:8.1f} us  ({cost.per_query_us / floor:.1f}x)")


# --- the run ----------------------------------------------------------------------


@asynccontextmanager
async def sqlite_database() -> AsyncIterator[tuple[str, Path]]:
    with tempfile.TemporaryDirectory(prefix="wcr-bench-race-") as folder:
        path = Path(folder) / "race.sqlite3"
        yield f"sqlite:///{path}", path


async def run(options: SqliteOptions) -> bool:
    race = options.race
    rng = random.Random()
    async with sqlite_database() as (database_url, path):
        print(f"database   {path}: migrate, seed-demo, key")
        key = await asyncio.to_thread(prepare_database, database_url)
        env = harness.wcr_env(database_url) | {"WCR_POOL_SIZE": str(race.pool_size)}
        async with harness.running_servers(env, workers=race.workers) as [server]:
            print(f"server     {server.url}, pid {server.pid}, {race.workers} worker(s)")
            http_ids, raw_ids, bare_ids = await publish_rounds(server, key, race.slots, 3)
            plans = deal_targets(http_ids, race.clients, race.attempts, rng)
            http = await http_race(server, plans, race)
        http_problems = outcome_problems(http, race.slots, "201", "409")
        http_problems += database_problems(path, http_ids)
        plans = deal_targets(raw_ids, race.clients, race.attempts, rng)
        raw = await raw_race(path, plans, options.connections)
        raw_problems = outcome_problems(raw, race.slots, "booked", "full")
        raw_problems += database_problems(path, raw_ids)
        bare_env = env | {"BENCH_SQLITE_CONNECTIONS": str(options.connections)}
        async with harness.running_servers(bare_env, workers=race.workers, app=BARE_SQLITE_APP) as [
            bare_server
        ]:
            plans = deal_targets(bare_ids, race.clients, race.attempts, rng)
            bare = await http_race(bare_server, plans, race, name="bare Litestar")
        bare_problems = outcome_problems(bare, race.slots, "201", "409")
        bare_problems += database_problems(path, bare_ids)
        costs = await query_costs(database_url, path, http_ids, options.queries)
    report(
        options,
        http=Round(http, http_problems),
        raw=Round(raw, raw_problems),
        bare=Round(bare, bare_problems),
        costs=costs,
    )
    return not (http_problems or raw_problems or bare_problems)


def report(
    options: SqliteOptions, *, http: Round, raw: Round, bare: Round, costs: list[QueryCost]
) -> None:
    race = options.race
    print(
        f"\nHTTP on SQLite: {race.clients} clients x {race.attempts} bookings on {race.slots} "
        f"slots, {race.workers} worker(s), {race.loaders} load generator(s)"
    )
    print_figures(http.figures, http.problems)
    print(f"\nraw sqlite3: the same race, {options.connections} connection(s), no HTTP")
    print_figures(raw.figures, raw.problems)
    summary = report_bare_and_ratios(http, raw, bare)
    print_costs(costs, options.queries)
    if race.json:
        costs_us = {cost.name: round(cost.per_query_us, 1) for cost in costs}
        harness.print_summary_line(
            {"options": harness.options_view(options), **summary, "query_costs_us": costs_us}
        )


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    return harness.run_bench(lambda: asyncio.run(run(options)))


if __name__ == "__main__":
    sys.exit(main())
