"""Live events: how long a call at the desk takes to reach every call display.

N displays follow a site's SSE stream while the desk calls walk-in tickets at a fixed
rate; for each call and display, latency is the arrival of the ``called`` event minus
the instant just before the desk sent call-next. Three scenarios: the memory channel
backend, the Redis streams backend, and Redis with two app instances (displays split
over both, the desk on the first).

    .venv/bin/python -m bench.live_events --help

Everything runs on 127.0.0.1 in a throw-away PostgreSQL database that is dropped at the
end, also when the run fails; the Redis scenarios use one empty Redis database number,
flushed before each scenario and at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import queue
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import aiohttp
import redis

from bench import harness
from bench.harness import STOP_TIMEOUT, BenchError, Latency, Server, positive, positive_float

REDIS_HOST_URL = "redis://127.0.0.1:6379"
DATABASE_PREFIX = "wcr_ebench"

SITE = "bochum"
EVENTS_PATH = f"/api/v1/sites/{SITE}/events"
STAFF_USER = "bench-desk"

AIM_P99_MS = 100.0
POLL_SECONDS = 5.0  # what the municipal displays in Berlin and Munich do, per the issue

# Upper bounds, so that no wait in this script can hang for ever.
REQUEST_TIMEOUT = 30
READY_TIMEOUT = 60
DRAIN_TIMEOUT = 5.0  # after the last call: how long events may still come in
PRECREATE_CONCURRENCY = 4
POLL_INTERVAL = 0.05
BUSY_REST = 25.0  # per cent of a core used by others, above which a warning is printed


# --- options ----------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    name: str
    redis: bool
    instances: int
    desk_alone: bool = False  # no subscriber on the desk's instance

    def describe(self, redis_url: str | None) -> str:
        backend = f"Redis streams ({redis_url})" if self.redis else "memory backend"
        if self.desk_alone:
            where = "the desk alone on the first, all subscribers on the second"
        elif self.instances > 1:
            where = "subscribers split over both, the desk on the first"
        else:
            where = "desk and subscribers on it"
        return f"{backend}, {self.instances} instance(s): {where}"


SCENARIOS = {
    "memory": Scenario("memory", redis=False, instances=1),
    "redis": Scenario("redis", redis=True, instances=1),
    "redis-2": Scenario("redis-2", redis=True, instances=2),
    # Not in the default run: the deployment that keeps the fan-out off the call path.
    "redis-split": Scenario("redis-split", redis=True, instances=2, desk_alone=True),
}
DEFAULT_SCENARIOS = ("memory", "redis", "redis-2")


@dataclass(frozen=True)
class Options:
    subscribers: int
    rate: float
    seconds: float
    json: bool
    reader_processes: int
    scenarios: tuple[str, ...]
    redis_db: int | None
    py_spy: str | None
    dispatcher: bool
    admin_url: str
    hog: bool = False

    @property
    def calls(self) -> int:
        return max(1, round(self.rate * self.seconds))


def parse_options(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m bench.live_events",
        description="Latency from a desk's call-next to the call displays' SSE streams.",
    )
    parser.add_argument("--subscribers", type=positive, default=200, help="SSE subscribers")
    parser.add_argument("--rate", type=positive_float, default=20.0, help="calls per second")
    parser.add_argument("--seconds", type=positive_float, default=10.0, help="calling time")
    parser.add_argument("--json", action="store_true", help="end with a JSON summary line")
    parser.add_argument(
        "--reader-processes",
        type=int,
        default=1,
        metavar="N",
        help="processes that hold the subscribers (0: in the desk's own event loop)",
    )
    parser.add_argument(
        "--scenario",
        dest="scenarios",
        action="append",
        choices=list(SCENARIOS),
        help=f"run this scenario (repeatable; default: {', '.join(DEFAULT_SCENARIOS)})",
    )
    parser.add_argument(
        "--redis-db", type=int, help="Redis database number (default: an empty one of 1-15)"
    )
    parser.add_argument(
        "--py-spy",
        metavar="PREFIX",
        help="profile the servers while calling: PREFIX.<scenario>.<instance>.txt, raw stacks",
    )
    parser.add_argument(
        "--with-dispatcher",
        action="store_true",
        help="let the servers send the outbox meanwhile (off by default: the demo's backlog "
        "of booking messages would run during the first scenario)",
    )
    parser.add_argument(
        "--hog",
        action="store_true",
        help="keep one core busy with a CPU hog of the bench's own throughout (issue 15's "
        "front desk under load)",
    )
    args = parser.parse_args(argv)
    if args.reader_processes < 0:
        parser.error("--reader-processes must be 0 or more")
    if args.redis_db is not None and not 0 <= args.redis_db <= 15:
        parser.error("--redis-db must be 0-15")
    return Options(
        subscribers=args.subscribers,
        rate=args.rate,
        seconds=args.seconds,
        json=args.json,
        reader_processes=min(args.reader_processes, args.subscribers),
        scenarios=tuple(dict.fromkeys(args.scenarios or DEFAULT_SCENARIOS)),
        redis_db=args.redis_db,
        py_spy=args.py_spy,
        dispatcher=args.with_dispatcher,
        admin_url=harness.admin_url(),
        hog=args.hog,
    )


# --- the throw-away database ------------------------------------------------------


def wcr_env(database_url: str) -> dict[str, str]:
    return harness.wcr_env(database_url, drop=["WCR_REDIS_URL"])  # each scenario sets its own


def prepare_database(database_url: str) -> str:
    """Migrate, seed the demo, add a front-desk account at the site; returns its password."""
    password = secrets.token_urlsafe(16)
    env = wcr_env(database_url)
    harness.migrate(env, seed_demo=True)
    harness.wcr(
        env,
        *("staff-add", STAFF_USER, "--site", SITE, "--role", "frontdesk", "--password-stdin"),
        stdin=password + "\n",
    )
    return password


# --- Redis ------------------------------------------------------------------------


def choose_redis_db(wanted: int | None) -> int:
    """The given database number, or an empty one, so that nobody else's data is flushed."""
    numbers = list(range(1, 16))
    random.shuffle(numbers)
    try:
        for number in [wanted] if wanted is not None else numbers:
            client = redis.Redis.from_url(f"{REDIS_HOST_URL}/{number}")
            try:
                if wanted is not None or client.dbsize() == 0:
                    client.ping()
                    return number
            finally:
                client.close()
    except redis.RedisError as error:
        raise BenchError(f"cannot reach Redis at {REDIS_HOST_URL}: {error}") from error
    raise BenchError("no empty Redis database among 1-15; choose one with --redis-db")


def flush_redis(url: str) -> None:
    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    except redis.RedisError as error:
        raise BenchError(f"cannot flush {url}: {error}") from error
    finally:
        client.close()


# --- servers ----------------------------------------------------------------------


@asynccontextmanager
async def running_servers(
    database_url: str, redis_url: str | None, count: int, *, dispatcher: bool
) -> AsyncIterator[list[Server]]:
    """``count`` single-process uvicorn servers of the app on one database.

    The outbox goes to a temporary folder: the demo's bookings queue messages, and a
    server that sends them must not write them into the working copy's var/.
    """
    with tempfile.TemporaryDirectory(prefix="wcr-ebench-") as outbox:
        env = wcr_env(database_url) | {
            "WCR_OUTBOX_DIR": str(Path(outbox) / "outbox"),
            "WCR_DISPATCH_IN_PROCESS": "1" if dispatcher else "0",
        }
        if redis_url:
            env["WCR_REDIS_URL"] = redis_url
        async with harness.running_servers(env, count) as servers:
            yield servers


# --- subscribers ------------------------------------------------------------------


# A subscriber's outcome as plain data: server index, ready, arrival per ticket id,
# tickets whose 'called' event came more than once, error.
StreamData = tuple[int, bool, dict[int, float], list[int], str | None]


@dataclass
class Stream:
    """One subscriber: which server it follows and when each called ticket arrived."""

    server: int
    ready: bool = False
    arrivals: dict[int, float] = field(default_factory=dict)
    duplicates: list[int] = field(default_factory=list)  # tickets whose call came again
    error: str | None = None

    def as_tuple(self) -> StreamData:
        # Plain data crosses the process boundary (pickle) without class lookups.
        return self.server, self.ready, self.arrivals, self.duplicates, self.error


async def follow(
    session: aiohttp.ClientSession, url: str, stream: Stream, on_ready: Callable[[], None]
) -> None:
    """Read one SSE stream until cancelled, noting when each ``called`` event arrives."""
    try:
        async with session.get(url, headers={"Accept": "text/event-stream"}) as response:
            if response.status != 200:
                stream.error = f"HTTP {response.status}"
                return
            event = b""
            async for raw in response.content:
                arrived = time.monotonic()
                line = raw.rstrip(b"\r\n")
                if not line:
                    event = b""  # end of one message
                elif line.startswith(b"event:"):
                    event = line[6:].strip()
                    if event == b"ready" and not stream.ready:
                        stream.ready = True
                        on_ready()
                elif event == b"ticket" and line.startswith(b"data:") and b'"called"' in line:
                    data = json.loads(line[5:])
                    if data.get("type") == "called":
                        ticket_id = int(data["ticket"]["id"])
                        if ticket_id in stream.arrivals:
                            stream.duplicates.append(ticket_id)
                        else:
                            stream.arrivals[ticket_id] = arrived
        stream.error = "the server ended the stream"
    except (aiohttp.ClientError, TimeoutError, ValueError, KeyError) as error:
        stream.error = f"{type(error).__name__}: {error}"


async def read_streams(
    assignments: list[tuple[int, str]],
    report_ready: Callable[[int, list[str]], None],
    next_order: Callable[[], Awaitable[tuple[list[int], float]]],
) -> list[StreamData]:
    """Follow one stream per (server index, URL); report once all are ready; then wait
    for the order (ticket ids, time allowed) and return when every stream has them all."""
    streams = [Stream(server) for server, _ in assignments]
    ready = 0

    def on_ready() -> None:
        nonlocal ready
        ready += 1

    # No total timeout: a stream is silent between events. Connects are bounded.
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=harness.CONNECT_TIMEOUT)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        tasks = [
            asyncio.create_task(follow(session, url, stream, on_ready))
            for stream, (_, url) in zip(streams, assignments, strict=True)
        ]
        try:
            deadline = time.monotonic() + READY_TIMEOUT
            while ready < len(streams) and time.monotonic() < deadline:
                if any(stream.error for stream in streams):
                    break
                await asyncio.sleep(POLL_INTERVAL)
            report_ready(ready, sorted({s.error for s in streams if s.error}))
            ticket_ids, allowed = await next_order()
            wanted = set(ticket_ids)
            deadline = time.monotonic() + allowed
            while time.monotonic() < deadline:
                if all(s.error or s.arrivals.keys() >= wanted for s in streams):
                    break
                await asyncio.sleep(0.01)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    return [stream.as_tuple() for stream in streams]


def reader_main(
    index: int, assignments: list[tuple[int, str]], orders: Any, results: Any, wait: float
) -> None:
    """Entry point of a reader process: its share of the subscribers, one session."""

    def report_ready(count: int, errors: list[str]) -> None:
        results.put(("ready", index, count, errors))

    async def next_order() -> tuple[list[int], float]:
        ticket_ids, allowed = await harness.poll_queue(
            orders, wait, "order", interval=POLL_INTERVAL
        )
        return ticket_ids, allowed

    try:
        results.put(
            ("done", index, asyncio.run(read_streams(assignments, report_ready, next_order)))
        )
    except BaseException as error:
        results.put(("failed", index, repr(error)))  # the parent must not wait for us
        raise


class Readers(Protocol):
    pids: list[int]

    async def start(self) -> None: ...

    async def finish(self, ticket_ids: list[int], allowed: float) -> list[StreamData]: ...

    def close(self) -> None: ...


def check_ready(expected: int, ready: int, errors: list[str]) -> None:
    if ready < expected:
        detail = "; ".join(errors[:3]) or f"timeout {READY_TIMEOUT} s"
        raise BenchError(f"only {ready} of {expected} subscribers got 'ready' ({detail})")


class ProcessReaders:
    """Subscribers in separate processes, so that reading costs the desk nothing."""

    def __init__(self, assignments: list[tuple[int, str]], processes: int, wait: float) -> None:
        context = harness.spawn_context()
        self.results = context.Queue()
        self.orders = [context.Queue() for _ in range(processes)]
        self.shares = [assignments[i::processes] for i in range(processes)]
        self.processes = [
            context.Process(
                target=reader_main,
                args=(i, self.shares[i], self.orders[i], self.results, wait),
                daemon=True,
            )
            for i in range(processes)
        ]
        self.pids: list[int] = []

    async def _receive(self, kind: str, timeout: float) -> tuple[Any, ...]:
        deadline = time.monotonic() + timeout
        while True:
            with suppress(queue.Empty):
                message = self.results.get_nowait()
                break
            # One that died without a word (killed, or failed before its first line).
            dead = [p.exitcode for p in self.processes if p.exitcode not in {None, 0}]
            if dead:
                raise BenchError(f"a reader process exited with code {dead[0]}")
            if time.monotonic() > deadline:
                raise BenchError(f"no {kind} from the reader processes in {timeout:.0f} s")
            await asyncio.sleep(POLL_INTERVAL)
        if message[0] == "failed":
            raise BenchError(f"reader process {message[1]} failed: {message[2]}")
        if message[0] != kind:
            raise BenchError(f"reader process {message[1]} sent {message[0]}, not {kind}")
        return tuple(message)

    async def start(self) -> None:
        for process in self.processes:
            process.start()
        self.pids = [p.pid for p in self.processes if p.pid is not None]
        ready, errors = 0, []
        for _ in self.processes:
            _, _, count, problems = await self._receive("ready", READY_TIMEOUT + 60)
            ready += count
            errors += problems
        check_ready(sum(len(share) for share in self.shares), ready, errors)

    async def finish(self, ticket_ids: list[int], allowed: float) -> list[StreamData]:
        for orders in self.orders:
            orders.put((ticket_ids, allowed))
        by_reader: dict[int, Any] = {}
        for _ in self.processes:
            _, index, streams = await self._receive("done", allowed + 60)
            by_reader[index] = streams
        return [stream for index in sorted(by_reader) for stream in by_reader[index]]

    def close(self) -> None:
        harness.stop_children(self.processes, grace=2)


class InlineReaders:
    """Subscribers in the desk's own event loop (to see what that costs the measurement)."""

    def __init__(self, assignments: list[tuple[int, str]]) -> None:
        self.assignments = assignments
        self.orders: asyncio.Queue[tuple[list[int], float]] = asyncio.Queue()
        self.task: asyncio.Task[Any] | None = None
        self.pids = [os.getpid()]

    async def start(self) -> None:
        ready: asyncio.Future[tuple[int, list[str]]] = asyncio.get_running_loop().create_future()

        def report_ready(count: int, errors: list[str]) -> None:
            ready.set_result((count, errors))

        self.task = asyncio.create_task(
            read_streams(self.assignments, report_ready, self.orders.get)
        )
        done, _ = await asyncio.wait({ready, self.task}, timeout=READY_TIMEOUT + 60)
        if ready not in done:
            if self.task in done:
                self.task.result()  # raises what went wrong
            raise BenchError("the subscribers did not report")
        check_ready(len(self.assignments), *ready.result())

    async def finish(self, ticket_ids: list[int], allowed: float) -> list[StreamData]:
        if self.task is None:
            raise BenchError("the subscribers were not started")
        self.orders.put_nowait((ticket_ids, allowed))
        return await asyncio.wait_for(self.task, allowed + 60)

    def close(self) -> None:
        if self.task is not None:
            self.task.cancel()


# --- the desk ---------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    counter: int
    sent: float  # time.monotonic() just before sending call-next
    answered: float
    outcome: int | str
    ticket_id: int | None


class Desk:
    """A front-desk client on one server (one aiohttp session, kept-alive connections)."""

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.session = session
        self.base = base
        self.headers: dict[str, str] = {}

    async def _json(self, method: str, path: str, expect: int, body: Any = None) -> Any:
        async with self.session.request(
            method, self.base + path, json=body, headers=self.headers
        ) as response:
            text = await response.text()
            if response.status != expect:
                raise BenchError(f"{method} {path}: {response.status} {text[:300]}")
            return json.loads(text)

    async def login(self, password: str) -> None:
        body = {"username": STAFF_USER, "password": password}
        answer = await self._json("POST", "/api/v1/auth/login", 200, body)
        self.headers = {"Authorization": f"Bearer {answer['token']}"}

    async def counters(self) -> list[dict[str, Any]]:
        return list(await self._json("GET", f"/api/v1/sites/{SITE}/counters", 200))

    async def walk_in(self, service: str) -> int:
        answer = await self._json(
            "POST", f"/api/v1/sites/{SITE}/tickets", 201, {"service": service}
        )
        return int(answer["ticket"]["id"])

    async def call_next(self, counter: int) -> Call:
        url = f"{self.base}/api/v1/sites/{SITE}/counters/{counter}/call-next"
        ticket_id = None
        sent = time.monotonic()
        try:
            async with self.session.post(url, headers=self.headers) as response:
                outcome: int | str = response.status
                body = await response.read()
            if outcome == 200:
                ticket_id = int(json.loads(body)["ticket"]["id"])
        except (aiohttp.ClientError, TimeoutError, ValueError, KeyError) as error:
            outcome = type(error).__name__
        return Call(counter, sent, time.monotonic(), outcome, ticket_id)


def disjoint_counters(counters: list[dict[str, Any]]) -> list[tuple[int, str, str]]:
    """(id, service, name) of counters whose services no other chosen counter serves, so
    that each one's call-next takes exactly the tickets issued for it."""
    chosen: list[tuple[int, str, str]] = []
    taken: set[str] = set()
    for counter in counters:
        services = set(counter["services"])
        if services and not services & taken:
            chosen.append((int(counter["id"]), counter["services"][0], counter["name"]))
            taken |= services
    if not chosen:
        raise BenchError(f"no counter at {SITE} serves a queue")
    return chosen


async def issue_tickets(desk: Desk, services: list[str]) -> None:
    """One walk-in ticket per entry of ``services``, a few requests at a time."""
    gate = asyncio.Semaphore(PRECREATE_CONCURRENCY)

    async def one(service: str) -> None:
        async with gate:
            await desk.walk_in(service)

    await asyncio.gather(*(one(service) for service in services))


async def call_at_rate(desk: Desk, plan: list[int], rate: float) -> list[Call]:
    """Call-next on ``plan``'s counters at a fixed rate, open loop: a slow answer does
    not delay the next call."""
    start = time.monotonic() + 0.05
    tasks = []
    for i, counter in enumerate(plan):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(desk.call_next(counter)))
    return list(await asyncio.wait_for(asyncio.gather(*tasks), REQUEST_TIMEOUT * 2))


# --- py-spy -----------------------------------------------------------------------


@asynccontextmanager
async def profiling(
    servers: list[Server], prefix: str | None, scenario: str
) -> AsyncIterator[list[int]]:
    """py-spy on each server while the block runs (raw collapsed stacks, 100 Hz); yields
    the profilers' pids. Sampling pauses the servers: profiled figures come out worse."""
    if prefix is None:
        yield []
        return
    profilers: list[harness.Profiler] = []
    try:
        for index, server in enumerate(servers):
            output = f"{prefix}.{scenario}.{index}.txt"
            profilers.append(harness.start_py_spy(server.pid, output))
        await asyncio.sleep(1)  # py-spy needs a moment to attach
        yield [profiler.pid for profiler in profilers]
    finally:
        for profiler in profilers:
            profiler.process.send_signal(signal.SIGINT)  # all at once: each writes its output now
        for profiler in profilers:
            harness.stop_py_spy(profiler, interrupt=False)


# --- figures ----------------------------------------------------------------------


def latency_of(seconds: list[float]) -> Latency | None:
    """None when nothing arrived (no call, or every event missing)."""
    return Latency.of(seconds, digits=2) if seconds else None


def latency_line(latency: Latency) -> str:
    return (
        f"p50 {latency.p50_ms:7.1f}  p95 {latency.p95_ms:7.1f}  p99 {latency.p99_ms:7.1f}  "
        f"max {latency.max_ms:7.1f}"
    )


@dataclass(frozen=True)
class Figures:
    scenario: str
    instances: int
    subscribers: int
    calls: int
    calls_per_s: float
    call_outcomes: dict[str, int]
    events_expected: int
    events_received: int
    events_missing: int
    duplicates: int
    replayed_before_run: int
    stream_errors: dict[str, int]
    latency: Latency | None
    by_instance: dict[str, Latency | None]
    first_display: Latency | None
    fan_out: Latency | None
    call_next: Latency | None
    cpu: dict[str, float]
    aim_met: bool

    def problems(self) -> list[str]:
        problems = []
        failed = {o: n for o, n in self.call_outcomes.items() if o != "200"}
        if failed:
            problems.append(f"call-next answers other than 200: {failed}")
        if self.events_missing:
            problems.append(f"{self.events_missing} events missing")
        if self.duplicates:
            problems.append(f"{self.duplicates} events delivered twice")
        if self.stream_errors:
            problems.append(f"streams ended: {self.stream_errors}")
        return problems


def figures(
    scenario: Scenario,
    calls: list[Call],
    streams: list[StreamData],
    cpu: dict[str, float],
) -> Figures:
    made = [call for call in calls if call.ticket_id is not None]
    measured = {call.ticket_id for call in made}
    latencies: list[float] = []
    by_server: dict[int, list[float]] = {}
    first: list[float] = []
    spread: list[float] = []
    for call in made:
        arrivals = []
        for server, _, seen, _, _ in streams:
            at = seen.get(call.ticket_id)  # type: ignore[arg-type]
            if at is not None:
                arrivals.append(at)
                latencies.append(at - call.sent)
                by_server.setdefault(server, []).append(at - call.sent)
        if arrivals:
            first.append(min(arrivals) - call.sent)
            spread.append(max(arrivals) - min(arrivals))
    by_instance: dict[str, Latency | None] = {}
    if scenario.instances > 1 and not scenario.desk_alone:
        by_instance["same instance as the desk"] = latency_of(by_server.get(0, []))
        others = [s for server, values in by_server.items() if server != 0 for s in values]
        by_instance["other instance"] = latency_of(others)
    expected = len(made) * len(streams)
    latency = latency_of(latencies)
    span = max((c.sent for c in calls), default=0) - min((c.sent for c in calls), default=0)
    return Figures(
        scenario=scenario.name,
        instances=scenario.instances,
        subscribers=len(streams),
        calls=len(calls),
        calls_per_s=round((len(calls) - 1) / span, 2) if span > 0 else 0.0,
        call_outcomes=dict(sorted(Counter(str(c.outcome) for c in calls).items())),
        events_expected=expected,
        events_received=len(latencies),
        events_missing=expected - len(latencies),
        duplicates=sum(1 for s in streams for t in s[3] if t in measured),
        replayed_before_run=sum(1 for s in streams for t in s[3] if t not in measured),
        stream_errors=dict(Counter(s[4] for s in streams if s[4])),
        latency=latency,
        by_instance=by_instance,
        first_display=latency_of(first),
        fan_out=latency_of(spread),
        call_next=latency_of([c.answered - c.sent for c in calls]),
        cpu=cpu,
        aim_met=latency is not None
        and latency.p99_ms < AIM_P99_MS
        and expected == len(latencies) > 0,
    )


# --- one scenario -----------------------------------------------------------------


def make_readers(assignments: list[tuple[int, str]], options: Options) -> Readers:
    if options.reader_processes == 0:
        return InlineReaders(assignments)
    wait = READY_TIMEOUT + options.seconds + 120  # bounds a reader's wait for its order
    return ProcessReaders(assignments, options.reader_processes, wait)


async def run_scenario(
    scenario: Scenario,
    database_url: str,
    password: str,
    redis_url: str | None,
    options: Options,
    *,
    hog: int | None = None,
) -> Figures:
    if scenario.redis:
        if redis_url is None:
            raise BenchError("no Redis database chosen")
        flush_redis(redis_url)  # no replayed events of earlier scenarios or runs
    url = redis_url if scenario.redis else None
    async with running_servers(
        database_url, url, scenario.instances, dispatcher=options.dispatcher
    ) as servers:
        timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            desk = Desk(session, servers[0].url)
            await desk.login(password)
            counters = disjoint_counters(await desk.counters())
            plan = [counters[i % len(counters)][0] for i in range(options.calls)]
            service_of = {counter: service for counter, service, _ in counters}
            # One ticket per call, and one per counter for a warm-up call that primes the
            # server's paths and pool before the subscribers connect.
            await issue_tickets(desk, [service_of[c] for c in plan + list(service_of)])
            for counter in service_of:
                warm = await desk.call_next(counter)
                if warm.outcome != 200:
                    raise BenchError(f"warm-up call-next on counter {counter}: {warm.outcome}")
            names = ", ".join(f"{name} ({service})" for _, service, name in counters)
            print(f"  counters: {names}")
            hosts = list(range(1 if scenario.desk_alone else 0, len(servers)))
            assignments = [
                (hosts[i % len(hosts)], servers[hosts[i % len(hosts)]].url + EVENTS_PATH)
                for i in range(options.subscribers)
            ]
            readers = make_readers(assignments, options)
            try:
                await readers.start()
                async with profiling(servers, options.py_spy, scenario.name) as profilers:
                    # The hog first: it is the desk's child, and a process counts once.
                    groups = {
                        **({"hog": [hog]} if hog else {}),
                        "servers": [s.pid for s in servers],
                        "readers": [p for p in readers.pids if p != os.getpid()],
                        "desk": [os.getpid()],
                    }
                    meter = harness.CpuMeter(groups | ({"py-spy": profilers} if profilers else {}))
                    calls = await call_at_rate(desk, plan, options.rate)
                    ids = [c.ticket_id for c in calls if c.ticket_id is not None]
                    streams = await readers.finish(ids, DRAIN_TIMEOUT)
                    use = meter.measure()
            finally:
                readers.close()
    shares = use.groups | {"postgres": use.named("postgres"), "redis": use.named("redis-server")}
    cpu = shares | {"rest": use.rest(shares), "machine": use.machine}
    return figures(scenario, calls, streams, cpu)


# --- report -----------------------------------------------------------------------


def print_figures(result: Figures, options: Options) -> None:
    def row(label: str, text: str) -> None:
        print(f"  {label:<26}{text}")

    outcomes = ", ".join(f"{o}: {n}" for o, n in result.call_outcomes.items())
    where = (
        "in the desk's own event loop"
        if options.reader_processes == 0
        else f"in {options.reader_processes} reader process(es)"
    )
    row("subscribers", f"{result.subscribers} on {result.instances} instance(s), {where}")
    row("calls made", f"{result.calls} ({outcomes}) at {result.calls_per_s:.1f}/s")
    row(
        "events",
        f"expected {result.events_expected}, received {result.events_received}, "
        f"missing {result.events_missing}",
    )
    latencies = [("latency ms", result.latency), *result.by_instance.items()]
    latencies += [
        ("first display ms", result.first_display),
        ("fan-out ms", result.fan_out),
        ("call-next ms", result.call_next),
    ]
    for label, latency in latencies:
        row(label, latency_line(latency) if latency else "none")
    row("CPU (% of a core)", ", ".join(f"{k} {v:.0f}%" for k, v in result.cpu.items()))
    if result.cpu.get("rest", 0) > BUSY_REST:
        row("", "a large 'rest': someone else used the machine; compare with care")
    row(f"aim p99 < {AIM_P99_MS:.0f} ms", "met" if result.aim_met else "MISSED")
    row("delivery", "; ".join(result.problems()) or "ok")
    if result.replayed_before_run:
        row(
            "replayed at connect",
            f"{result.replayed_before_run} 'called' events of calls made before the "
            "subscribers connected came twice (history, then again as new)",
        )


def print_explanation() -> None:
    print(
        "\nlatency: arrival of a 'called' event at a subscriber minus the instant just before "
        "the desk sent call-next (one clock, CLOCK_MONOTONIC, for all processes);\n"
        "first display: the earliest subscriber per call; fan-out: last minus first "
        "arrival per call; call-next: the desk's round trip.\n"
        f"For comparison: the municipal call displays in Berlin and Munich poll every "
        f"{POLL_SECONDS:.0f} s, i.e. up to {POLL_SECONDS * 1000:.0f} ms from call to screen "
        f"({POLL_SECONDS * 500:.0f} ms on average)."
    )


def print_summary(results: list[Figures]) -> None:
    print("\nsummary (ms)           p50      p99      max  missing  aim     others' CPU")
    for result in results:
        latency = result.latency
        p50, p99, top = (
            (latency.p50_ms, latency.p99_ms, latency.max_ms) if latency else (0.0, 0.0, 0.0)
        )
        aim = "met" if result.aim_met else "MISSED"
        print(
            f"  {result.scenario:<17} {p50:8.1f} {p99:8.1f} {top:8.1f} "
            f"{result.events_missing:8d}  {aim:<7} {result.cpu.get('rest', 0):.0f}%"
        )


# --- the run ----------------------------------------------------------------------


def cpu_hog() -> subprocess.Popen[bytes]:
    """A process that keeps one core busy until killed (a busy loop, no I/O)."""
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    print(f"CPU hog: pid {hog.pid} keeps one core busy for the whole run")
    return hog


async def run(options: Options) -> bool:
    print(
        f"live events: {options.subscribers} subscribers, {options.calls} calls at "
        f"{options.rate:g}/s over {options.seconds:g} s, scenarios {', '.join(options.scenarios)}"
    )
    wants_redis = any(SCENARIOS[name].redis for name in options.scenarios)
    redis_url = None
    if wants_redis:
        redis_url = f"{REDIS_HOST_URL}/{choose_redis_db(options.redis_db)}"
    results = []
    hog = cpu_hog() if options.hog else None
    try:
        database = harness.ThrowawayDatabase(options.admin_url, DATABASE_PREFIX)
        async with database as database_url:
            print(f"database {database.name}: migrate, seed-demo, staff-add {STAFF_USER} ({SITE})")
            password = await asyncio.to_thread(prepare_database, database_url)
            for name in options.scenarios:
                scenario = SCENARIOS[name]
                print(f"\n{name}: {scenario.describe(redis_url)}")
                hog_pid = hog.pid if hog else None
                result = await run_scenario(
                    scenario, database_url, password, redis_url, options, hog=hog_pid
                )
                print_figures(result, options)
                results.append(result)
    finally:
        if hog is not None:
            hog.kill()
            hog.wait(STOP_TIMEOUT)
        if redis_url:
            with suppress(BenchError):
                flush_redis(redis_url)
    print_explanation()
    print_summary(results)
    ok = not any(result.problems() for result in results)
    if options.json:
        summary = {
            "options": harness.options_view(options) | {"calls": options.calls},
            "aim_p99_ms": AIM_P99_MS,
            "scenarios": [asdict(r) | {"problems": r.problems()} for r in results],
            "ok": ok,
        }
        harness.print_summary_line(summary)
    return ok


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    return harness.run_bench(lambda: asyncio.run(run(options)))


if __name__ == "__main__":
    sys.exit(main())
