"""The booking race: many clients rush a few single-place slots at once.

Round 1 goes through HTTP (uvicorn + Litestar + Piccolo); round 2 runs the same booking
transaction straight through asyncpg on other slots, as the floor that the HTTP stack
is measured against. Both rounds must end with every slot booked exactly once.

    .venv/bin/python -m bench.booking_race --help

Everything runs on 127.0.0.1 in a throw-away PostgreSQL database that is dropped at the
end, also when the run fails.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall_time
from pathlib import Path
from typing import Any, Protocol

import aiohttp
import asyncpg

from bench import harness
from bench.harness import BenchError, Server, positive
from wcr.database import keep_session
from wcr.tokens import digest, new_manage_token, new_reference

# Demo data that `wcr seed-demo` creates: an agency, its service and site.
AGENCY = "buergerbuero-bochum"
SITE = "bochum"
SERVICE = "residence-registration"

# Bench slots lie far beyond the demo's 14 days, so they never overlap demo slots.
DAYS_AHEAD = 60
SLOT_MINUTES = 5
DAY_START = wall_time(8, 0)
# 08:00 + 191 x 5 min = 23:55: the most slots one local day holds from 08:00, and
# never across the 02:00-03:00 hour that the clocks skip or repeat.
SLOTS_PER_DAY = 191

BOOKER = {"name": "Bench Client", "email": "bench@example.org"}

# Upper bounds, so that no wait in this script can hang for ever.
REQUEST_TIMEOUT = 60
LOADER_READY_TIMEOUT = 60
RACE_TIMEOUT = 900
REFERENCE_ATTEMPTS = 5
DATABASE_PREFIX = "wcr_bench"
# Round 3: the framework alone, serving round 2's transaction (bench/bare_app.py).
BARE_APP = "bench.bare_app:app_from_env"


# --- options ----------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    clients: int
    slots: int
    attempts: int
    workers: int
    pool_size: int
    loaders: int
    json: bool
    py_spy: Path | None
    admin_url: str


def add_race_arguments(parser: argparse.ArgumentParser, pool_help: str) -> None:
    """The race's own options, shared with ``booking_race_sqlite``."""
    parser.add_argument("--clients", type=positive, default=500, help="concurrent clients")
    parser.add_argument("--slots", type=positive, default=50, help="slots of one place each")
    parser.add_argument("--attempts", type=positive, default=4, help="bookings per client")
    parser.add_argument("--workers", type=positive, default=1, help="uvicorn workers")
    parser.add_argument("--pool-size", type=positive, default=10, help=pool_help)
    parser.add_argument(
        "--loaders", type=positive, default=1, help="load-generator processes for the HTTP round"
    )
    parser.add_argument("--json", action="store_true", help="end with a JSON summary line")
    parser.add_argument(
        "--py-spy",
        type=Path,
        metavar="FILE",
        help="profile the server with py-spy during the HTTP round (collapsed stacks)",
    )


def race_options(
    parser: argparse.ArgumentParser, args: argparse.Namespace, admin_url: str
) -> Options:
    """:class:`Options` from :func:`add_race_arguments`' values, checked."""
    if args.clients * args.attempts < args.slots:
        parser.error("clients x attempts must be at least slots, or some slots stay free")
    return Options(
        clients=args.clients,
        slots=args.slots,
        attempts=args.attempts,
        workers=args.workers,
        pool_size=args.pool_size,
        loaders=min(args.loaders, args.clients),
        json=args.json,
        py_spy=args.py_spy,
        admin_url=admin_url,
    )


def parse_options(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m bench.booking_race",
        description="Race concurrent bookings over HTTP and over raw asyncpg.",
    )
    add_race_arguments(parser, "PostgreSQL pool size")
    return race_options(parser, parser.parse_args(argv), harness.admin_url())


# --- the throw-away database ------------------------------------------------------


def prepare_database(database_url: str) -> str:
    """Migrate and seed the demo; returns a fresh API key of the bench's agency."""
    env = harness.wcr_env(database_url)
    harness.migrate(env, seed_demo=True)
    return harness.wcr(env, "agency-key", AGENCY).strip().splitlines()[-1]


# --- slots ------------------------------------------------------------------------


async def publish_day(
    session: aiohttp.ClientSession, server: Server, key: str, day: date, count: int
) -> list[int]:
    end = datetime.combine(day, DAY_START) + timedelta(minutes=SLOT_MINUTES * count)
    body = {
        "site": SITE,
        "service": SERVICE,
        "from_date": day.isoformat(),
        "to_date": day.isoformat(),
        "weekdays": [1, 2, 3, 4, 5, 6, 7],
        "start_time": DAY_START.strftime("%H:%M"),
        "end_time": end.strftime("%H:%M"),
        "slot_minutes": SLOT_MINUTES,
        "capacity": 1,
    }
    headers = {"Authorization": f"Bearer {key}"}
    async with session.post(
        server.url + "/api/v1/agency/slots", json=body, headers=headers
    ) as response:
        answer = await response.json(content_type=None)
        if response.status != 201 or answer.get("created") != count:
            raise BenchError(f"publishing {count} slots on {day}: {response.status} {answer}")
    return [slot["id"] for slot in answer["slots"]]


async def publish_slots(
    session: aiohttp.ClientSession, server: Server, key: str, first_day: date, count: int
) -> tuple[list[int], date]:
    """``count`` slots on days from ``first_day`` on; returns them and the next unused day."""
    ids: list[int] = []
    day = first_day
    while len(ids) < count:  # every pass adds at least one slot, or raises
        ids += await publish_day(session, server, key, day, min(SLOTS_PER_DAY, count - len(ids)))
        day += timedelta(days=1)
    return ids, day


def deal_targets(
    slot_ids: list[int], clients: int, attempts: int, rng: random.Random
) -> list[list[int]]:
    """Each client's slots, at random, yet every slot is somebody's target.

    Pure random picks could leave a slot unasked and make "exactly M bookings" a matter
    of luck; a shuffled deck holding every slot equally often cannot.
    """
    total = clients * attempts
    deck = slot_ids * (total // len(slot_ids)) + rng.sample(slot_ids, total % len(slot_ids))
    rng.shuffle(deck)
    return [deck[i * attempts : (i + 1) * attempts] for i in range(clients)]


# --- measurements -----------------------------------------------------------------

# One request or attempt: (start, end, outcome), both instants from time.monotonic().
# On Linux that is CLOCK_MONOTONIC, one clock for all processes, so instants taken in
# the load-generator processes compare with the race start taken here.
Sample = tuple[float, float, int | str]


@dataclass(frozen=True)
class Figures:
    name: str
    requests: int
    wall_s: float
    requests_per_s: float
    bookings: int
    bookings_per_s: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    outcomes: dict[str, int]
    cpu: dict[str, float]


def figures(
    name: str, start: float, samples: list[Sample], success: int | str, cpu: dict[str, float]
) -> Figures:
    wall = max(end for _, end, _ in samples) - start
    last_success = max((end for _, end, o in samples if o == success), default=start)
    successes = sum(1 for _, _, o in samples if o == success)
    latency = harness.Latency.of(end - begin for begin, end, _ in samples)
    outcomes = Counter(str(o) for _, _, o in samples)
    return Figures(
        name=name,
        requests=len(samples),
        wall_s=wall,
        requests_per_s=len(samples) / wall,
        bookings=successes,
        # Bookings stop once the slots are gone: rate them over the time they took.
        bookings_per_s=successes / (last_success - start) if last_success > start else 0.0,
        p50_ms=latency.p50_ms,
        p99_ms=latency.p99_ms,
        max_ms=latency.max_ms,
        outcomes=dict(sorted(outcomes.items())),
        cpu=cpu,
    )


# --- round 1: over HTTP -----------------------------------------------------------


def booking_bodies(plan: list[int]) -> list[bytes]:
    return [json.dumps({"slot_id": slot_id, **BOOKER}).encode() for slot_id in plan]


async def http_client(
    session: aiohttp.ClientSession, url: str, bodies: list[bytes]
) -> list[Sample]:
    samples: list[Sample] = []
    headers = {"Content-Type": "application/json"}
    for body in bodies:
        begin = time.monotonic()
        outcome: int | str
        try:
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                outcome = response.status
        except (aiohttp.ClientError, TimeoutError) as error:
            outcome = type(error).__name__
        samples.append((begin, time.monotonic(), outcome))
    return samples


async def load(
    url: str, bodies: list[list[bytes]], ready: Any, go: Any
) -> tuple[list[Sample], float]:
    # One connection per client: the limit must not queue clients inside aiohttp.
    connector = aiohttp.TCPConnector(limit=len(bodies))
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        ready.put(os.getpid())
        if not await asyncio.to_thread(go.wait, LOADER_READY_TIMEOUT):
            raise TimeoutError("no start signal")
        cpu = time.process_time()
        per_client = await asyncio.gather(*(http_client(session, url, b) for b in bodies))
        cpu = time.process_time() - cpu
    return [sample for samples in per_client for sample in samples], cpu


def loader_main(url: str, bodies: list[list[bytes]], ready: Any, go: Any, results: Any) -> None:
    """Entry point of a load-generator process: its share of the clients, one session."""
    try:
        results.put(asyncio.run(load(url, bodies, ready, go)))
    except BaseException as error:
        results.put(repr(error))  # the parent must not wait out its timeout for us
        raise


async def collect(results: Any, count: int) -> tuple[list[Sample], list[float]]:
    samples: list[Sample] = []
    cpu: list[float] = []
    deadline = time.monotonic() + RACE_TIMEOUT
    for _ in range(count):
        answer = await harness.poll_queue(results, deadline - time.monotonic(), "end of the race")
        if isinstance(answer, str):
            raise BenchError(f"a load generator failed: {answer}")
        samples += answer[0]
        cpu.append(answer[1])
    return samples, cpu


async def http_race(
    server: Server,
    plans: list[list[int]],
    options: Options,
    bodies: list[list[bytes]] | None = None,
    name: str = "HTTP",
) -> Figures:
    """Each client sends its bodies one after the other: by default one booking of the
    bench contact per slot of its plan (encoded before the start, so that the load
    generator spends its CPU on sending)."""
    bodies = bodies or [booking_bodies(plan) for plan in plans]
    context = harness.spawn_context()
    ready, results, go = context.Queue(), context.Queue(), context.Event()
    url = server.url + "/api/v1/bookings"
    loaders = [
        context.Process(
            target=loader_main, args=(url, bodies[i :: options.loaders], ready, go, results)
        )
        for i in range(options.loaders)
    ]
    for loader in loaders:
        loader.start()
    profiler = None
    try:
        for _ in loaders:
            await harness.poll_queue(ready, LOADER_READY_TIMEOUT, "ready load generator")
        meter = harness.CpuMeter({"server": [server.pid]})
        profiler = await start_profiler(server, options.py_spy)
        start = time.monotonic()
        go.set()
        samples, loader_cpu = await collect(results, options.loaders)
        use = meter.measure()
    finally:
        if profiler is not None:
            harness.stop_py_spy(profiler)
        # Any still running after a second has failed or been interrupted.
        harness.stop_children(loaders, grace=1)
    wall = max(end for _, end, _ in samples) - start
    shares = {
        "postgres": use.named("postgres"),
        "server": use.groups["server"],
        "load generators": round(100 * sum(loader_cpu) / wall, 1),
    }
    cpu = {"machine": use.machine, **shares, "rest": use.rest(shares)}
    return figures(name, start, samples, 201, cpu)


async def start_profiler(server: Server, output: Path | None) -> harness.Profiler | None:
    if output is None:
        return None
    # --subprocesses reaches uvicorn's workers when there are several.
    profiler = harness.start_py_spy(server.pid, output, flags=["--subprocesses"])
    await asyncio.sleep(1)  # py-spy needs a moment to attach before the race starts
    return profiler


# --- round 2: raw asyncpg ---------------------------------------------------------

# The database work of the app's booking (wcr.booking.bookings.book and its
# repository): a read that refuses a full slot before any transaction, then the place
# taken (with the refusal's reason in the same statement), the booking and its
# appointment inserted, in one transaction.
IS_FREE = (
    "SELECT booked < capacity AND withdrawn_at IS NULL AND starts_at > $2 AS free "
    "FROM slot WHERE id = $1"
)
TAKE_PLACE = (
    "WITH taken AS (UPDATE slot SET booked = booked + 1 "
    "WHERE id = $1 AND booked < capacity AND withdrawn_at IS NULL AND starts_at > $2 "
    "RETURNING starts_at) "
    "SELECT (SELECT starts_at FROM taken) AS starts_at, "
    "EXISTS (SELECT 1 FROM slot WHERE id = $1) AS found"
)
INSERT_BOOKING = (
    "INSERT INTO booking (reference, token_hash, name, email, phone, language, status, "
    "version, created_at, updated_at, cancelled_at) "
    "VALUES ($1, $2, $3, $4, NULL, 'de', 'confirmed', 0, $5, $5, NULL) RETURNING id"
)
INSERT_APPOINTMENT = (
    "INSERT INTO appointment (booking, slot, position, status, created_at) "
    "VALUES ($1, $2, 0, 'active', $3)"
)


class SlotFullError(Exception):
    """Raised inside the transaction so that leaving it rolls back."""


async def book_raw(connection: asyncpg.Connection, slot_id: int) -> None:
    async with connection.transaction():
        at = datetime.now(UTC)
        taken = await connection.fetchrow(TAKE_PLACE, slot_id, at)
        if taken is None or taken["starts_at"] is None:
            raise SlotFullError
        # What the app stores: a fresh reference and the hash of a fresh manage token.
        booking_id = await connection.fetchval(
            INSERT_BOOKING,
            new_reference(),
            digest(new_manage_token()),
            BOOKER["name"],
            BOOKER["email"],
            at,
        )
        await connection.execute(INSERT_APPOINTMENT, booking_id, slot_id, at)


async def raw_attempt(pool: asyncpg.Pool, slot_id: int) -> str:
    async with pool.acquire() as connection:
        if not await connection.fetchval(IS_FREE, slot_id, datetime.now(UTC)):
            return "full"
        for _ in range(REFERENCE_ATTEMPTS):
            try:
                await book_raw(connection, slot_id)
            except asyncpg.UniqueViolationError:
                continue  # two references collided (1 in 1.5e11); draw another
            except SlotFullError:
                return "full"
            return "booked"
    return "reference collisions"


async def raw_client(pool: asyncpg.Pool, plan: list[int]) -> list[Sample]:
    samples: list[Sample] = []
    for slot_id in plan:
        begin = time.monotonic()
        outcome: str
        try:
            outcome = await raw_attempt(pool, slot_id)
        except Exception as error:
            outcome = type(error).__name__
        samples.append((begin, time.monotonic(), outcome))
    return samples


async def raw_race(database_url: str, plans: list[list[int]], options: Options) -> Figures:
    # The server's pool shape and release (see wcr.database.connection_pool): both
    # rounds pay for opening connections under load alike.
    size = options.pool_size
    async with asyncpg.create_pool(
        database_url, min_size=min(2, size), max_size=size, reset=keep_session
    ) as pool:
        meter = harness.CpuMeter()
        cpu = time.process_time()
        start = time.monotonic()
        try:
            per_client = await asyncio.wait_for(
                asyncio.gather(*(raw_client(pool, plan) for plan in plans)), RACE_TIMEOUT
            )
        except TimeoutError:
            raise BenchError(f"the raw round did not finish in {RACE_TIMEOUT} s") from None
        wall = time.monotonic() - start
        use = meter.measure()
        shares = {
            "postgres": use.named("postgres"),
            "bench process": round(100 * (time.process_time() - cpu) / wall, 1),
        }
    samples = [sample for samples in per_client for sample in samples]
    cpu_shares = {"machine": use.machine, **shares, "rest": use.rest(shares)}
    return figures("raw asyncpg", start, samples, "booked", cpu_shares)


# --- verification -----------------------------------------------------------------


class Outcomes(Protocol):
    """A round's answers counted by outcome (this race's and booking_rate's figures)."""

    @property
    def outcomes(self) -> dict[str, int]: ...


def outcome_problems(result: Outcomes, slots: int, success: str, refusal: str) -> list[str]:
    problems = []
    if result.outcomes.get(success, 0) != slots:
        problems.append(f"{result.outcomes.get(success, 0)} bookings ({success}), not {slots}")
    others = {o: n for o, n in result.outcomes.items() if o not in {success, refusal}}
    if others:
        problems.append(f"answers other than {success} and {refusal}: {others}")
    server_errors = sum(n for o, n in result.outcomes.items() if o.startswith("5"))
    if server_errors:
        problems.append(f"{server_errors} server errors (5xx)")
    return problems


async def database_problems(database_url: str, slot_ids: list[int]) -> list[str]:
    """Each slot booked once, and held by exactly one active appointment."""
    connection = await asyncpg.connect(database_url, timeout=10)
    try:
        booked = await connection.fetch(
            "SELECT booked, count(*) AS n FROM slot WHERE id = ANY($1) GROUP BY booked",
            slot_ids,
        )
        holders = await connection.fetch(
            "SELECT a.slot, count(*) AS n FROM appointment a JOIN booking b ON b.id = a.booking "
            "WHERE a.slot = ANY($1) AND a.status = 'active' AND b.status = 'confirmed' "
            "GROUP BY a.slot",
            slot_ids,
        )
    finally:
        await connection.close()
    problems = []
    by_count = {row["booked"]: row["n"] for row in booked}
    if by_count != {1: len(slot_ids)}:
        problems.append(f"slots by booked count {by_count}, not {{1: {len(slot_ids)}}}")
    appointments = sum(row["n"] for row in holders)
    if len(holders) != len(slot_ids) or appointments != len(slot_ids):
        problems.append(
            f"{appointments} active appointments on {len(holders)} slots, "
            f"not {len(slot_ids)} on {len(slot_ids)}"
        )
    return problems


# --- report -----------------------------------------------------------------------


def print_figures(result: Figures, problems: list[str]) -> None:
    outcomes = ", ".join(f"{o}: {n}" for o, n in result.outcomes.items())
    cpu = ", ".join(f"{k} {v:.0f}%" for k, v in result.cpu.items())
    print(f"  requests          {result.requests}")
    print(f"  wall time         {result.wall_s:.3f} s")
    print(f"  requests/s        {result.requests_per_s:.1f}")
    print(f"  bookings          {result.bookings}")
    print(f"  bookings/s        {result.bookings_per_s:.1f}  (over the time to the last one)")
    print(
        f"  latency ms        p50 {result.p50_ms:.1f}  p99 {result.p99_ms:.1f}  "
        f"max {result.max_ms:.1f}"
    )
    print(f"  outcomes          {outcomes}")
    print(f"  CPU (% of a core) {cpu}")
    print(f"  verification      {'; '.join(problems) or 'ok'}")


def ratios(http: Figures, raw: Figures) -> dict[str, float]:
    return {
        "requests_per_s": round(http.requests_per_s / raw.requests_per_s, 3),
        "p99": round(http.p99_ms / raw.p99_ms, 2),
    }


# --- the run ----------------------------------------------------------------------


async def publish_rounds(server: Server, key: str, slots: int, rounds: int = 2) -> list[list[int]]:
    """Slots for each round, on separate days so that the rounds never share one."""
    day = datetime.now(UTC).date() + timedelta(days=DAYS_AHEAD)
    ids: list[list[int]] = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        for _ in range(rounds):
            round_ids, day = await publish_slots(session, server, key, day, slots)
            ids.append(round_ids)
    return ids


async def run(options: Options) -> bool:
    rng = random.Random()
    database = harness.ThrowawayDatabase(options.admin_url, DATABASE_PREFIX)
    async with database as database_url:
        print(f"database   {database.name}: migrate, seed-demo, key")
        key = await asyncio.to_thread(prepare_database, database_url)
        env = harness.wcr_env(database_url) | {"WCR_POOL_SIZE": str(options.pool_size)}
        async with harness.running_servers(env, workers=options.workers) as [server]:
            print(f"server     {server.url}, pid {server.pid}, {options.workers} worker(s)")
            http_ids, raw_ids, bare_ids = await publish_rounds(server, key, options.slots, 3)
            plans = deal_targets(http_ids, options.clients, options.attempts, rng)
            http = await http_race(server, plans, options)
        http_problems = outcome_problems(http, options.slots, "201", "409")
        http_problems += await database_problems(database_url, http_ids)
        plans = deal_targets(raw_ids, options.clients, options.attempts, rng)
        raw = await raw_race(database_url, plans, options)
        raw_problems = outcome_problems(raw, options.slots, "booked", "full")
        raw_problems += await database_problems(database_url, raw_ids)
        bare_env = env | {"WCR_DATABASE_URL": database_url}
        async with harness.running_servers(bare_env, workers=options.workers, app=BARE_APP) as [
            bare_server
        ]:
            plans = deal_targets(bare_ids, options.clients, options.attempts, rng)
            bare = await http_race(bare_server, plans, options, name="bare Litestar")
        bare_problems = outcome_problems(bare, options.slots, "201", "409")
        bare_problems += await database_problems(database_url, bare_ids)
    report(
        options, Round(http, http_problems), Round(raw, raw_problems), Round(bare, bare_problems)
    )
    return not (http_problems or raw_problems or bare_problems)


@dataclass(frozen=True)
class Round:
    figures: Figures
    problems: list[str]


def report(options: Options, app: Round, raw: Round, bare: Round) -> None:
    print(
        f"\nHTTP: {options.clients} clients x {options.attempts} bookings on {options.slots} "
        f"slots, {options.workers} worker(s), pool {options.pool_size}, "
        f"{options.loaders} load generator(s)"
    )
    print_figures(app.figures, app.problems)
    print(f"\nraw asyncpg: the same race, pool {options.pool_size}, no HTTP")
    print_figures(raw.figures, raw.problems)
    summary = report_bare_and_ratios(app, raw, bare)
    if options.json:
        harness.print_summary_line({"options": harness.options_view(options), **summary})


def report_bare_and_ratios(app: Round, raw: Round, bare: Round) -> dict[str, Any]:
    """The bare round and the three ratios printed (both races end so); the JSON
    summary of the three rounds."""
    print("\nbare Litestar: the raw transaction behind one route, same uvicorn and load")
    print_figures(bare.figures, bare.problems)
    pairs = {
        "HTTP / raw": ratios(app.figures, raw.figures),
        "bare Litestar / raw (the framework's ceiling)": ratios(bare.figures, raw.figures),
        "HTTP / bare Litestar (what the app adds)": ratios(app.figures, bare.figures),
    }
    for title, relative in pairs.items():
        print(f"\n{title}")
        print(f"  requests/s ratio  {relative['requests_per_s']:.3f}")
        print(f"  p99 ratio         {relative['p99']:.2f}")
    return {
        "http": asdict(app.figures) | {"problems": app.problems},
        "raw": asdict(raw.figures) | {"problems": raw.problems},
        "bare": asdict(bare.figures) | {"problems": bare.problems},
        "ratios": pairs["HTTP / raw"],
        "bare_ratios": pairs["bare Litestar / raw (the framework's ceiling)"],
        "app_to_bare_ratios": pairs["HTTP / bare Litestar (what the app adds)"],
        "ok": not (app.problems or raw.problems or bare.problems),
    }


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    return harness.run_bench(lambda: asyncio.run(run(options)))


if __name__ == "__main__":
    sys.exit(main())
