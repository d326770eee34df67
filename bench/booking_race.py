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
import math
import multiprocessing
import os
import queue
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall_time
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlparse

import aiohttp
import asyncpg

from wcr.tokens import digest, new_manage_token, new_reference

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
HOST = "127.0.0.1"
# The venv's own scripts, whichever way the venv was reached.
BIN = Path(sys.executable).parent

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
CLI_TIMEOUT = 300
HEALTH_TIMEOUT = 60
REQUEST_TIMEOUT = 60
LOADER_READY_TIMEOUT = 60
RACE_TIMEOUT = 900
STOP_TIMEOUT = 15
REFERENCE_ATTEMPTS = 5


class BenchError(Exception):
    """The bench could not be set up or run (as opposed to a failed verification)."""


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


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive number")
    return value


def parse_options(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m bench.booking_race",
        description="Race concurrent bookings over HTTP and over raw asyncpg.",
    )
    parser.add_argument("--clients", type=positive, default=500, help="concurrent clients")
    parser.add_argument("--slots", type=positive, default=50, help="slots of one place each")
    parser.add_argument("--attempts", type=positive, default=4, help="bookings per client")
    parser.add_argument("--workers", type=positive, default=1, help="uvicorn workers")
    parser.add_argument("--pool-size", type=positive, default=10, help="PostgreSQL pool size")
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
    args = parser.parse_args(argv)
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
        admin_url=os.environ.get("WCR_BENCH_POSTGRES_URL", DEFAULT_ADMIN_URL),
    )


# --- the throw-away database ------------------------------------------------------


def with_database(url: str, name: str) -> str:
    return urlparse(url)._replace(path="/" + name).geturl()


async def admin_execute(admin_url: str, sql: str) -> None:
    try:
        connection = await asyncpg.connect(admin_url, timeout=10)
    except (OSError, asyncpg.PostgresError) as error:
        raise BenchError(f"cannot reach PostgreSQL at {admin_url}: {error}") from error
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@asynccontextmanager
async def fresh_database(admin_url: str) -> AsyncIterator[str]:
    """A new, empty database named after this process; dropped however the run ends."""
    name = f"wcr_bench_{os.getpid()}"
    # A database of this name can only be left over from a crashed run that had our pid.
    drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    await admin_execute(admin_url, drop)
    await admin_execute(admin_url, f'CREATE DATABASE "{name}"')
    try:
        yield with_database(admin_url, name)
    finally:
        await admin_execute(admin_url, drop)


def wcr_env(database_url: str) -> dict[str, str]:
    env = {**os.environ, "WCR_DATABASE_URL": database_url}
    env.pop("PICCOLO_CONF", None)  # `wcr` picks its own; an inherited one points elsewhere
    return env


def wcr(database_url: str, *args: str) -> str:
    result = subprocess.run(
        [str(BIN / "wcr"), *args],
        env=wcr_env(database_url),
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"wcr {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def prepare_database(database_url: str) -> str:
    """Migrate and seed the demo; returns a fresh API key of the bench's agency."""
    wcr(database_url, "migrate")
    wcr(database_url, "seed-demo")
    return wcr(database_url, "agency-key", AGENCY).strip().splitlines()[-1]


# --- the server -------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: IO[bytes]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def log_tail(log: IO[bytes], lines: int = 40) -> str:
    log.seek(0)
    return "\n".join(log.read().decode(errors="replace").splitlines()[-lines:])


async def wait_healthy(server: Server) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise BenchError(f"the server exited at start:\n{log_tail(server.log)}")
            with suppress(aiohttp.ClientError, TimeoutError):
                async with session.get(server.url + "/health") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.1)
    raise BenchError(f"no answer from /health in {HEALTH_TIMEOUT} s:\n{log_tail(server.log)}")


def stop_process_group(process: subprocess.Popen[Any]) -> None:
    """SIGTERM, then SIGKILL, to the group that this script started for ``process``."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(STOP_TIMEOUT)


@asynccontextmanager
async def running_server(database_url: str, options: Options) -> AsyncIterator[Server]:
    port = free_port()
    command = [
        sys.executable, "-m", "uvicorn", "wcr.app:app_from_env", "--factory",
        "--host", HOST, "--port", str(port), "--workers", str(options.workers),
        "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    env = wcr_env(database_url) | {
        "WCR_RATE_LIMIT_PER_MINUTE": "0",
        "WCR_POOL_SIZE": str(options.pool_size),
    }
    # A file, not a pipe: nobody reads the server's output while it runs, and a full
    # pipe would block it.
    with tempfile.TemporaryFile() as log:
        # Its own process group, so that stopping it also reaches the workers.
        process = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        server = Server(process, f"http://{HOST}:{port}", log)
        try:
            await wait_healthy(server)
            yield server
        except BenchError as error:
            # A 500 says little by itself; the server logged the why.
            raise BenchError(f"{error}\nserver output:\n{log_tail(log)}") from error
        finally:
            stop_process_group(process)


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


def with_rest(cpu: dict[str, float]) -> dict[str, float]:
    """Adds what the machine did besides the measured parts (other people's work, too)."""
    measured = sum(v for k, v in cpu.items() if k != "machine")
    return cpu | {"rest": round(max(0.0, cpu["machine"] - measured), 1)}


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest rank: a latency that some request really had."""
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def figures(
    name: str, start: float, samples: list[Sample], success: int | str, cpu: dict[str, float]
) -> Figures:
    wall = max(end for _, end, _ in samples) - start
    last_success = max((end for _, end, o in samples if o == success), default=start)
    successes = sum(1 for _, _, o in samples if o == success)
    latencies = sorted((end - begin) * 1000 for begin, end, _ in samples)
    outcomes = Counter(str(o) for _, _, o in samples)
    return Figures(
        name=name,
        requests=len(samples),
        wall_s=wall,
        requests_per_s=len(samples) / wall,
        bookings=successes,
        # Bookings stop once the slots are gone: rate them over the time they took.
        bookings_per_s=successes / (last_success - start) if last_success > start else 0.0,
        p50_ms=percentile(latencies, 0.50),
        p99_ms=percentile(latencies, 0.99),
        max_ms=latencies[-1],
        outcomes=dict(sorted(outcomes.items())),
        cpu=with_rest(cpu),
    )


@dataclass(frozen=True)
class ProcessStat:
    parent: int
    name: str
    ticks: int  # user + system CPU, in clock ticks


def process_table() -> dict[int, ProcessStat]:
    """Every process on the machine, read from /proc (only read: nothing is signalled)."""
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            # Processes come and go while we read: a vanished one is simply left out.
            with suppress(OSError, ValueError, IndexError):
                text = (entry / "stat").read_text()
                name = text[text.index("(") + 1 : text.rindex(")")]
                fields = text[text.rindex(")") + 1 :].split()
                table[int(entry.name)] = ProcessStat(
                    int(fields[1]), name, int(fields[11]) + int(fields[12])
                )
    return table


def descendants(table: dict[int, ProcessStat], root: int) -> list[int]:
    """``root`` and everything below it (uvicorn's supervisor and its workers)."""
    tree = [root]
    for pid in tree:  # grows while children are found; bounded by the table's size
        tree += [child for child, stat in table.items() if stat.parent == pid]
    return tree


def machine_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of all cores since boot."""
    user, nice, system, idle, iowait, irq, softirq, steal = (
        int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    # Steal is time the hypervisor gave to others; guest time is already within user.
    busy = user + nice + system + irq + softirq
    return busy, busy + idle + iowait + steal


class CpuMeter:
    """CPU used over an interval by the server, by PostgreSQL and by the whole machine.

    The figures say which side saturates first. PostgreSQL's share counts all of its
    processes, so it includes any other database work on this machine at the time.
    """

    def __init__(self, server_root: int | None = None) -> None:
        self.server_root = server_root
        self.before = process_table()
        self.busy, self.total = machine_ticks()
        self.started = time.monotonic()

    def _ticks(self, after: dict[int, ProcessStat], pids: list[int]) -> int:
        # A process born during the interval counts in full.
        return sum(
            after[pid].ticks - (self.before[pid].ticks if pid in self.before else 0)
            for pid in pids
            if pid in after
        )

    def percentages(self) -> dict[str, float]:
        """Per cent of one core: 100 is one core busy for the whole interval."""
        after = process_table()
        busy, total = machine_ticks()
        per_cent = 100 / os.sysconf("SC_CLK_TCK") / (time.monotonic() - self.started)
        cores = os.cpu_count() or 1
        postgres = [pid for pid, stat in after.items() if stat.name == "postgres"]
        used = {
            "machine": round(100 * cores * (busy - self.busy) / max(1, total - self.total), 1),
            "postgres": round(self._ticks(after, postgres) * per_cent, 1),
        }
        if self.server_root is not None:
            server = descendants(after, self.server_root)
            used["server"] = round(self._ticks(after, server) * per_cent, 1)
        return used


# --- round 1: over HTTP -----------------------------------------------------------


def booking_bodies(plan: list[int]) -> list[bytes]:
    # Encoded before the start, so that the load generator spends its CPU on sending.
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


async def load(url: str, plans: list[list[int]], ready: Any, go: Any) -> tuple[list[Sample], float]:
    bodies = [booking_bodies(plan) for plan in plans]
    # One connection per client: the limit must not queue clients inside aiohttp.
    connector = aiohttp.TCPConnector(limit=len(plans))
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        ready.put(os.getpid())
        if not await asyncio.to_thread(go.wait, LOADER_READY_TIMEOUT):
            raise TimeoutError("no start signal")
        cpu = time.process_time()
        per_client = await asyncio.gather(*(http_client(session, url, b) for b in bodies))
        cpu = time.process_time() - cpu
    return [sample for samples in per_client for sample in samples], cpu


def loader_main(url: str, plans: list[list[int]], ready: Any, go: Any, results: Any) -> None:
    """Entry point of a load-generator process: its share of the clients, one session."""
    try:
        results.put(asyncio.run(load(url, plans, ready, go)))
    except BaseException as error:
        results.put(repr(error))  # the parent must not wait out its timeout for us
        raise


async def receive(messages: Any, timeout: float, waiting_for: str) -> Any:
    """The next message from the load generators.

    Polled rather than awaited in a thread: a thread blocked in ``get`` would keep this
    process alive after Ctrl-C until its timeout ran out.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with suppress(queue.Empty):
            return messages.get_nowait()
        await asyncio.sleep(0.02)
    raise BenchError(f"no {waiting_for} in {timeout} s")


async def collect(results: Any, count: int) -> tuple[list[Sample], list[float]]:
    samples: list[Sample] = []
    cpu: list[float] = []
    deadline = time.monotonic() + RACE_TIMEOUT
    for _ in range(count):
        answer = await receive(results, deadline - time.monotonic(), "end of the race")
        if isinstance(answer, str):
            raise BenchError(f"a load generator failed: {answer}")
        samples += answer[0]
        cpu.append(answer[1])
    return samples, cpu


def stop_loaders(loaders: list[Any]) -> None:
    """Reap the load generators; any still running after a second has failed or been
    interrupted, and its results are of no use any more."""
    for loader in loaders:
        loader.join(1)
        if loader.is_alive():
            loader.kill()
            loader.join(STOP_TIMEOUT)


async def http_race(server: Server, plans: list[list[int]], options: Options) -> Figures:
    # spawn, not fork: this process already runs an event loop and helper threads.
    context = multiprocessing.get_context("spawn")
    ready, results, go = context.Queue(), context.Queue(), context.Event()
    url = server.url + "/api/v1/bookings"
    loaders = [
        context.Process(
            target=loader_main, args=(url, plans[i :: options.loaders], ready, go, results)
        )
        for i in range(options.loaders)
    ]
    for loader in loaders:
        loader.start()
    profiler = None
    try:
        for _ in loaders:
            await receive(ready, LOADER_READY_TIMEOUT, "ready load generator")
        meter = CpuMeter(server.process.pid)
        profiler = await start_py_spy(server, options.py_spy)
        start = time.monotonic()
        go.set()
        samples, loader_cpu = await collect(results, options.loaders)
        cpu = meter.percentages()
    finally:
        stop_py_spy(profiler)
        stop_loaders(loaders)
    wall = max(end for _, end, _ in samples) - start
    cpu["load generators"] = round(100 * sum(loader_cpu) / wall, 1)
    return figures("HTTP", start, samples, 201, cpu)


async def start_py_spy(server: Server, output: Path | None) -> subprocess.Popen[bytes] | None:
    if output is None:
        return None
    # Blocking sampling (py-spy's default) pauses the server ~100 times a second, which
    # costs it little; --nonblocking would cost nothing but tears a third of the stacks.
    # --subprocesses reaches uvicorn's workers when there are several.
    command = [
        str(BIN / "py-spy"), "record", "--pid", str(server.process.pid), "--subprocesses",
        "--rate", "100", "--format", "raw", "--output", str(output),
    ]  # fmt: skip
    profiler = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    await asyncio.sleep(1)  # py-spy needs a moment to attach before the race starts
    return profiler


def stop_py_spy(profiler: subprocess.Popen[bytes] | None) -> None:
    if profiler is None:
        return
    profiler.send_signal(signal.SIGINT)  # py-spy writes its output on Ctrl-C
    try:
        profiler.wait(STOP_TIMEOUT * 2)
    except subprocess.TimeoutExpired:
        profiler.kill()
        profiler.wait(STOP_TIMEOUT)


# --- round 2: raw asyncpg ---------------------------------------------------------

TAKE_PLACE = (
    "UPDATE slot SET booked = booked + 1 "
    "WHERE id = $1 AND booked < capacity AND withdrawn_at IS NULL AND starts_at > $2 "
    "RETURNING id"
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
        if await connection.fetchval(TAKE_PLACE, slot_id, at) is None:
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
    # The server's pool shape (see wcr.database.connection_pool): both rounds pay
    # for opening connections under load alike.
    size = options.pool_size
    async with asyncpg.create_pool(database_url, min_size=min(2, size), max_size=size) as pool:
        meter = CpuMeter()
        cpu = time.process_time()
        start = time.monotonic()
        try:
            per_client = await asyncio.wait_for(
                asyncio.gather(*(raw_client(pool, plan) for plan in plans)), RACE_TIMEOUT
            )
        except TimeoutError:
            raise BenchError(f"the raw round did not finish in {RACE_TIMEOUT} s") from None
        wall = time.monotonic() - start
        used = meter.percentages()
        used["bench process"] = round(100 * (time.process_time() - cpu) / wall, 1)
    samples = [sample for samples in per_client for sample in samples]
    return figures("raw asyncpg", start, samples, "booked", used)


# --- verification -----------------------------------------------------------------


def outcome_problems(result: Figures, slots: int, success: str, refusal: str) -> list[str]:
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


async def publish_rounds(server: Server, key: str, slots: int) -> tuple[list[int], list[int]]:
    """Slots for both rounds, on separate days so that the rounds never share one."""
    first_day = datetime.now(UTC).date() + timedelta(days=DAYS_AHEAD)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        http_ids, next_day = await publish_slots(session, server, key, first_day, slots)
        raw_ids, _ = await publish_slots(session, server, key, next_day, slots)
    return http_ids, raw_ids


async def run(options: Options) -> bool:
    rng = random.Random()
    async with fresh_database(options.admin_url) as database_url:
        print(f"database   {urlparse(database_url).path.lstrip('/')}: migrate, seed-demo, key")
        key = await asyncio.to_thread(prepare_database, database_url)
        async with running_server(database_url, options) as server:
            print(f"server     {server.url}, pid {server.process.pid}, {options.workers} worker(s)")
            http_ids, raw_ids = await publish_rounds(server, key, options.slots)
            plans = deal_targets(http_ids, options.clients, options.attempts, rng)
            http = await http_race(server, plans, options)
        http_problems = outcome_problems(http, options.slots, "201", "409")
        http_problems += await database_problems(database_url, http_ids)
        plans = deal_targets(raw_ids, options.clients, options.attempts, rng)
        raw = await raw_race(database_url, plans, options)
        raw_problems = outcome_problems(raw, options.slots, "booked", "full")
        raw_problems += await database_problems(database_url, raw_ids)
    report(options, http, http_problems, raw, raw_problems)
    return not (http_problems or raw_problems)


def report(
    options: Options, http: Figures, http_problems: list[str], raw: Figures, raw_problems: list[str]
) -> None:
    print(
        f"\nHTTP: {options.clients} clients x {options.attempts} bookings on {options.slots} "
        f"slots, {options.workers} worker(s), pool {options.pool_size}, "
        f"{options.loaders} load generator(s)"
    )
    print_figures(http, http_problems)
    print(f"\nraw asyncpg: the same race, pool {options.pool_size}, no HTTP")
    print_figures(raw, raw_problems)
    relative = ratios(http, raw)
    print("\nHTTP / raw")
    print(f"  requests/s ratio  {relative['requests_per_s']:.3f}")
    print(f"  p99 ratio         {relative['p99']:.2f}")
    if options.json:
        options_view = {k: str(v) if isinstance(v, Path) else v for k, v in asdict(options).items()}
        del options_view["admin_url"]
        summary = {
            "options": options_view,
            "http": asdict(http) | {"problems": http_problems},
            "raw": asdict(raw) | {"problems": raw_problems},
            "ratios": relative,
            "ok": not (http_problems or raw_problems),
        }
        print(json.dumps(summary))


def interrupt(_signal: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    # SIGTERM unwinds like Ctrl-C, so that the server is stopped and the database dropped.
    signal.signal(signal.SIGTERM, interrupt)
    try:
        ok = asyncio.run(run(options))
    except BenchError as error:
        print(f"bench failed: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bench interrupted", file=sys.stderr)
        return 130
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
