"""The booking race at a fixed offered rate (open loop): latency that does not depend on
how many clients wait.

In the closed race (bench/booking_race.py) 500 clients each send their next booking as
soon as the last is answered, so the mean latency is clients / throughput (Little's
law) whatever the server does. Here bookings arrive on a schedule, ``--rate`` a second
for ``--duration`` seconds, each sent at its time whether or not the ones before were
answered, and each one's latency is counted from the time it was due, not from when it
left: a sender that falls behind shows as latency too, never hides it.

The targets: single-place slots, each asked ``--asks`` times on average, that come
free one by one evenly over the run while every ask goes to a slot come free so far
(see ``released_targets``): a steady rush, most answers refusals (409), the bookings
at a steady pace, every slot booked exactly once at the end. The
same schedule then runs straight through asyncpg (the same database work, see
bench/booking_race.py) on other slots, as the floor. Each round first runs
``--warmup`` seconds of the schedule on slots of its own, not counted: the pools open
their connections, the statements are prepared, the client keeps its connections.

    .venv/bin/python -m bench.booking_rate --rate 500 --duration 20
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass

import aiohttp
import asyncpg

from bench import booking_race as race
from bench import harness
from bench.harness import BenchError, Server, positive, positive_float
from wcr.database import keep_session

# Send-time slack: a booking later than this behind its schedule means the sender,
# not the server, could not keep up, and the run says so instead of reporting it.
SENDER_LAG_LIMIT_S = 0.05
DRAIN_TIMEOUT = 120
SLOWEST = 8


@dataclass(frozen=True)
class RateOptions:
    rate: float
    duration: float
    warmup: float
    asks: int
    workers: int
    pool_size: int
    json: bool
    admin_url: str

    @property
    def requests(self) -> int:
        return round(self.rate * self.duration)

    @property
    def slots(self) -> int:
        return max(1, self.requests // self.asks)

    @property
    def warm_requests(self) -> int:
        return round(self.rate * self.warmup)

    @property
    def warm_slots(self) -> int:
        return max(1, self.warm_requests // self.asks)


def parse_options(argv: Sequence[str] | None = None) -> RateOptions:
    parser = argparse.ArgumentParser(
        prog="python -m bench.booking_rate",
        description="Bookings at a fixed offered rate over HTTP and over raw asyncpg.",
    )
    parser.add_argument("--rate", type=positive_float, default=500.0, help="bookings a second")
    parser.add_argument("--duration", type=positive_float, default=20.0, help="seconds")
    parser.add_argument(
        "--warmup",
        type=positive_float,
        default=3.0,
        help="seconds of the same schedule before, on other slots, not counted",
    )
    parser.add_argument(
        "--asks", type=positive, default=40, help="bookings asked per single-place slot"
    )
    parser.add_argument("--workers", type=positive, default=1, help="uvicorn workers")
    parser.add_argument("--pool-size", type=positive, default=10, help="PostgreSQL pool size")
    parser.add_argument("--json", action="store_true", help="end with a JSON summary line")
    args = parser.parse_args(argv)
    return RateOptions(
        rate=args.rate,
        duration=args.duration,
        warmup=args.warmup,
        asks=args.asks,
        workers=args.workers,
        pool_size=args.pool_size,
        json=args.json,
        admin_url=harness.admin_url(),
    )


# --- one round: the schedule ------------------------------------------------------

Attempt = Callable[[int], Awaitable[int | str]]


@dataclass(frozen=True)
class RateFigures:
    name: str
    offered_per_s: float
    answered_per_s: float
    requests: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    sender_lag_max_ms: float
    outcomes: dict[str, int]
    cpu: dict[str, float]
    # The slowest answers: (seconds into the run it was due, ms, outcome), to tell a
    # stall (many at one moment) from a spread tail.
    slowest: list[tuple[float, float, str]]


async def on_schedule(
    targets: list[int], rate: float, attempt: Attempt
) -> tuple[list[tuple[float, float, int | str]], float]:
    """Each target's attempt started at its due time (start + i / rate); returns
    (due, end, outcome) per attempt and the largest lag of a start behind its time."""
    samples: list[tuple[float, float, int | str]] = []
    lag = 0.0

    async def one(due: float, slot_id: int) -> None:
        try:
            outcome = await attempt(slot_id)
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            outcome = type(error).__name__
        samples.append((due, time.monotonic(), outcome))

    tasks = []
    start = time.monotonic() + 0.1
    for i, slot_id in enumerate(targets):
        due = start + i / rate
        delay = due - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        lag = max(lag, time.monotonic() - due)
        tasks.append(asyncio.create_task(one(due, slot_id)))
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), DRAIN_TIMEOUT)
    except TimeoutError:
        raise BenchError(f"answers still missing {DRAIN_TIMEOUT} s after the last") from None
    return samples, lag


def rate_figures(
    name: str,
    rate: float,
    samples: list[tuple[float, float, int | str]],
    lag: float,
    cpu: dict[str, float],
) -> RateFigures:
    latency = harness.Latency.of(end - due for due, end, _ in samples)
    first_due = min(due for due, _, _ in samples)
    last_end = max(end for _, end, _ in samples)
    return RateFigures(
        name=name,
        offered_per_s=rate,
        answered_per_s=round(len(samples) / (last_end - first_due), 1),
        requests=len(samples),
        p50_ms=latency.p50_ms,
        p95_ms=latency.p95_ms,
        p99_ms=latency.p99_ms,
        max_ms=latency.max_ms,
        sender_lag_max_ms=round(1000 * lag, 2),
        outcomes=dict(sorted(Counter(str(o) for _, _, o in samples).items())),
        cpu=cpu,
        slowest=[
            (round(due - first_due, 2), round(1000 * (end - due), 1), str(outcome))
            for due, end, outcome in sorted(samples, key=lambda s: s[0] - s[1])[:SLOWEST]
        ],
    )


# --- the two rounds -----------------------------------------------------------------


async def measured_round(
    name: str,
    warm: list[int],
    targets: list[int],
    rate: float,
    attempt: Attempt,
    *,
    server_pids: list[int] | None = None,
) -> RateFigures:
    """``warm``'s schedule (the pools, connections and caches a steady load keeps), then
    ``targets``' on the clock, with the CPU shares of the measured part."""
    await on_schedule(warm, rate, attempt)
    meter = harness.CpuMeter({"server": server_pids} if server_pids else {})
    cpu = time.process_time()
    wall = time.monotonic()
    samples, lag = await on_schedule(targets, rate, attempt)
    wall = time.monotonic() - wall
    use = meter.measure()
    shares = {"postgres": use.named("postgres")}
    if server_pids:
        shares["server"] = use.groups["server"]
    shares["bench process"] = round(100 * (time.process_time() - cpu) / wall, 1)
    cpu_shares = {"machine": use.machine, **shares, "rest": use.rest(shares)}
    return rate_figures(name, rate, samples, lag, cpu_shares)


async def http_round(
    server: Server, warm: list[int], targets: list[int], rate: float
) -> RateFigures:
    url = server.url + "/api/v1/bookings"
    bodies = dict(zip(warm + targets, race.booking_bodies(warm + targets), strict=True))
    headers = {"Content-Type": "application/json"}
    # No connection limit: an open loop must not queue requests inside the client.
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=race.REQUEST_TIMEOUT)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def attempt(slot_id: int) -> int:
            async with session.post(url, data=bodies[slot_id], headers=headers) as response:
                await response.read()
                return response.status

        return await measured_round("HTTP", warm, targets, rate, attempt, server_pids=[server.pid])


async def raw_round(
    database_url: str, warm: list[int], targets: list[int], rate: float, pool_size: int
) -> RateFigures:
    async with asyncpg.create_pool(
        database_url, min_size=pool_size, max_size=pool_size, reset=keep_session
    ) as pool:

        async def attempt(slot_id: int) -> str:
            return await race.raw_attempt(pool, slot_id)

        return await measured_round("raw asyncpg", warm, targets, rate, attempt)


# --- the run ------------------------------------------------------------------------


def shuffled_targets(slot_ids: list[int], requests: int, rng: random.Random) -> list[int]:
    """``requests`` targets in random order, every slot among them (the closed race's
    deck, one attempt per client): the warm-up's."""
    return [plan[0] for plan in race.deal_targets(slot_ids, requests, 1, rng)]


def released_targets(slot_ids: list[int], requests: int, rng: random.Random) -> list[int]:
    """``requests`` targets in which the slots come free one by one, evenly over the
    run, and the crowd asks for any slot come free so far: each slot's first ask is the
    one that books it, the others are refused. A steady rush (places freed by
    cancellations, a crowd refreshing), not one burst of bookings at the start, which
    would measure how fast a burst of bookings drains instead of latency at a rate."""
    targets = []
    released = 0
    for position in range(requests):
        due = min(len(slot_ids), (position + 1) * len(slot_ids) // requests)
        if due > released:
            targets.append(slot_ids[released])  # a place comes free: its first ask
            released += 1
        else:
            targets.append(slot_ids[rng.randrange(max(1, released))])
    return targets


def lag_problems(result: RateFigures) -> list[str]:
    if result.sender_lag_max_ms > 1000 * SENDER_LAG_LIMIT_S:
        lag = f"the sender fell {result.sender_lag_max_ms:.0f} ms behind its schedule"
        return [f"{lag}: the figures measure the load generator, not the server"]
    return []


async def run(options: RateOptions) -> bool:
    rng = random.Random()
    database = harness.ThrowawayDatabase(options.admin_url, race.DATABASE_PREFIX)
    async with database as database_url:
        print(f"database   {database.name}: migrate, seed-demo, key")
        key = await asyncio.to_thread(race.prepare_database, database_url)
        env = harness.wcr_env(database_url) | {"WCR_POOL_SIZE": str(options.pool_size)}
        async with harness.running_servers(env, workers=options.workers) as [server]:
            print(f"server     {server.url}, pid {server.pid}, {options.workers} worker(s)")
            http_all, raw_all = await race.publish_rounds(
                server, key, options.slots + options.warm_slots
            )
            http_ids, http_warm = http_all[: options.slots], http_all[options.slots :]
            raw_ids, raw_warm = raw_all[: options.slots], raw_all[options.slots :]
            print(
                f"offering   {options.rate:g} bookings/s for {options.duration:g} s "
                f"({options.requests} requests on {options.slots} slots), after "
                f"{options.warmup:g} s of warm-up on {options.warm_slots} others"
            )
            http = await http_round(
                server,
                shuffled_targets(http_warm, options.warm_requests, rng),
                released_targets(http_ids, options.requests, rng),
                options.rate,
            )
        http_problems = race.outcome_problems(http, options.slots, "201", "409")
        http_problems += await race.database_problems(database_url, http_ids)
        http_problems += lag_problems(http)
        raw = await raw_round(
            database_url,
            shuffled_targets(raw_warm, options.warm_requests, rng),
            released_targets(raw_ids, options.requests, rng),
            options.rate,
            options.pool_size,
        )
        raw_problems = race.outcome_problems(raw, options.slots, "booked", "full")
        raw_problems += await race.database_problems(database_url, raw_ids)
        raw_problems += lag_problems(raw)
    report(options, http, http_problems, raw, raw_problems)
    return not (http_problems or raw_problems)


def print_rate_figures(result: RateFigures, problems: list[str]) -> None:
    outcomes = ", ".join(f"{o}: {n}" for o, n in result.outcomes.items())
    cpu = ", ".join(f"{k} {v:.0f}%" for k, v in result.cpu.items())
    print(f"  offered / answered  {result.offered_per_s:g} / {result.answered_per_s:g} a second")
    print(
        f"  latency ms          p50 {result.p50_ms:.1f}  p95 {result.p95_ms:.1f}  "
        f"p99 {result.p99_ms:.1f}  max {result.max_ms:.1f}  (from the time each was due)"
    )
    print(f"  sender lag max      {result.sender_lag_max_ms:.1f} ms")
    slowest = ", ".join(f"{ms:.0f} ms at {at:.2f} s ({o})" for at, ms, o in result.slowest)
    print(f"  slowest             {slowest}")
    print(f"  outcomes            {outcomes}")
    print(f"  CPU (% of a core)   {cpu}")
    print(f"  verification        {'; '.join(problems) or 'ok'}")


def report(
    options: RateOptions,
    http: RateFigures,
    http_problems: list[str],
    raw: RateFigures,
    raw_problems: list[str],
) -> None:
    print(f"\nHTTP: {options.workers} worker(s), pool {options.pool_size}")
    print_rate_figures(http, http_problems)
    print(f"\nraw asyncpg: the same schedule, pool {options.pool_size}, no HTTP")
    print_rate_figures(raw, raw_problems)
    ratio = round(http.p99_ms / raw.p99_ms, 2)
    print("\nHTTP / raw")
    print(f"  p99 ratio           {ratio:.2f}")
    print(f"  aim (p99 < 50 ms)   {'met' if http.p99_ms < 50 else 'not met'}")
    if options.json:
        harness.print_summary_line(
            {
                "options": harness.options_view(options),
                "http": asdict(http) | {"problems": http_problems},
                "raw": asdict(raw) | {"problems": raw_problems},
                "p99_ratio": ratio,
                "ok": not (http_problems or raw_problems),
            }
        )


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    return harness.run_bench(lambda: asyncio.run(run(options)))


if __name__ == "__main__":
    sys.exit(main())
