"""What the protection costs: the booking race with the proof-of-work challenge and the
booking limits on, against the same race with both off, in one run.

Both rounds book with a distinct contact per attempt (as real visitors would), so the
limits count without refusing anyone, and each round has slots of its own. With the
protection on, every attempt carries a fresh ALTCHA solution: fetched from
``GET /api/v1/challenge`` and solved before the race starts, so the race measures what
the server pays (checking and spending the solution, counting the contact under its
lock), not the client's proof of work. The difficulty is lowered for that reason
(``--max-number``); checking a solution costs the same at any difficulty.

    .venv/bin/python -m bench.protection_cost --help

Everything runs on 127.0.0.1 in a throw-away PostgreSQL database dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import aiohttp
import altcha

from bench import harness
from bench.booking_race import (
    Figures,
    Options,
    database_problems,
    deal_targets,
    http_race,
    outcome_problems,
    prepare_database,
    print_figures,
    publish_rounds,
)
from bench.harness import BenchError, Server, positive

DATABASE_PREFIX = "wcr_bench_protection"
FETCH_CONCURRENCY = 20


@dataclass(frozen=True)
class ProtectionOptions:
    race: Options
    max_number: int


def parse_options(argv: Sequence[str] | None = None) -> ProtectionOptions:
    parser = argparse.ArgumentParser(
        prog="python -m bench.protection_cost",
        description="The booking race with challenge and limits on, and with both off.",
    )
    parser.add_argument("--clients", type=positive, default=200, help="concurrent clients")
    parser.add_argument("--slots", type=positive, default=50, help="slots of one place each")
    parser.add_argument("--attempts", type=positive, default=4, help="bookings per client")
    parser.add_argument("--workers", type=positive, default=1, help="uvicorn workers")
    parser.add_argument("--pool-size", type=positive, default=10, help="PostgreSQL pool size")
    parser.add_argument(
        "--max-number",
        type=positive,
        default=1000,
        help="challenge difficulty for the run (solving happens before the race)",
    )
    parser.add_argument("--json", action="store_true", help="end with a JSON summary line")
    args = parser.parse_args(argv)
    if args.clients * args.attempts < args.slots:
        parser.error("clients x attempts must be at least slots, or some slots stay free")
    race = Options(
        clients=args.clients,
        slots=args.slots,
        attempts=args.attempts,
        workers=args.workers,
        pool_size=args.pool_size,
        loaders=1,
        json=args.json,
        py_spy=None,
        admin_url=harness.admin_url(),
    )
    return ProtectionOptions(race=race, max_number=args.max_number)


def contact(client: int, attempt: int) -> dict[str, str]:
    return {"name": f"Visitor {client}-{attempt}", "email": f"v{client}.{attempt}@example.org"}


def bodies(plans: list[list[int]], solutions: list[str] | None) -> list[list[bytes]]:
    """One body per attempt, each with a contact of its own (and a solution)."""
    spare = iter(solutions or [])
    return [
        [
            json.dumps(
                {"slot_id": slot_id, **contact(c, a)}
                | ({"altcha": next(spare)} if solutions is not None else {})
            ).encode()
            for a, slot_id in enumerate(plan)
        ]
        for c, plan in enumerate(plans)
    ]


async def solutions(server: Server, count: int) -> tuple[list[str], float]:
    """``count`` solved challenges of this server, and the seconds solving took."""
    gate = asyncio.Semaphore(FETCH_CONCURRENCY)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:

        async def fetch() -> altcha.Challenge:
            async with gate, session.get(server.url + "/api/v1/challenge") as response:
                if response.status != 200:
                    raise BenchError(f"GET /api/v1/challenge: {response.status}")
                return altcha.Challenge.from_dict(await response.json())

        challenges = await asyncio.gather(*(fetch() for _ in range(count)))
    started = time.process_time()
    solved = []
    for challenge in challenges:
        solution = altcha.solve_challenge(challenge, timeout=30)
        if solution is None:
            raise BenchError("a challenge could not be solved")
        solved.append(altcha.Payload(challenge, solution).to_base64())
    return solved, time.process_time() - started


async def race(
    env: dict[str, str], options: ProtectionOptions, slot_ids: list[int], *, protected: bool
) -> tuple[Figures, float]:
    rng = random.Random()
    plans = deal_targets(slot_ids, options.race.clients, options.race.attempts, rng)
    if protected:
        env = env | {
            "WCR_CHALLENGE": "on",
            "WCR_CHALLENGE_MAX_NUMBER": str(options.max_number),
            "WCR_MAX_ACTIVE_BOOKINGS_PER_CONTACT": "3",
            "WCR_MAX_ACTIVE_BOOKINGS_PER_COMPANY": "20",
        }
    async with harness.running_servers(env, workers=options.race.workers) as [server]:
        solved, solving = (
            await solutions(server, options.race.clients * options.race.attempts)
            if protected
            else (None, 0.0)
        )
        figures = await http_race(server, plans, options.race, bodies(plans, solved))
    return figures, solving


def ratios(on: Figures, off: Figures) -> dict[str, float]:
    return {
        "requests_per_s": round(on.requests_per_s / off.requests_per_s, 3),
        "bookings_per_s": round(on.bookings_per_s / off.bookings_per_s, 3),
        "p50": round(on.p50_ms / off.p50_ms, 2),
        "p99": round(on.p99_ms / off.p99_ms, 2),
    }


async def run(options: ProtectionOptions) -> bool:
    database = harness.ThrowawayDatabase(options.race.admin_url, DATABASE_PREFIX)
    async with database as database_url:
        print(f"database   {database.name}: migrate, seed-demo, key")
        key = await asyncio.to_thread(prepare_database, database_url)
        env = harness.wcr_env(database_url) | {"WCR_POOL_SIZE": str(options.race.pool_size)}
        async with harness.running_servers(env) as [server]:
            off_ids, on_ids = await publish_rounds(server, key, options.race.slots)
        off, _ = await race(env, options, off_ids, protected=False)
        off_problems = outcome_problems(off, options.race.slots, "201", "409")
        off_problems += await database_problems(database_url, off_ids)
        on, solving = await race(env, options, on_ids, protected=True)
        on_problems = outcome_problems(on, options.race.slots, "201", "409")
        on_problems += await database_problems(database_url, on_ids)
    race_options = options.race
    print(
        f"\n{race_options.clients} clients x {race_options.attempts} bookings on "
        f"{race_options.slots} slots, a contact per attempt, {race_options.workers} worker(s)"
    )
    print("\nprotection off (WCR_CHALLENGE=off, limits 0)")
    print_figures(off, off_problems)
    print(
        f"\nprotection on (challenge, max number {options.max_number}, solved beforehand in "
        f"{solving:.1f} s of CPU; limits 3 per contact)"
    )
    print_figures(on, on_problems)
    relative = ratios(on, off)
    print("\non / off")
    for name, value in relative.items():
        print(f"  {name:<17} {value}")
    if race_options.json:
        harness.print_summary_line(
            {
                "options": harness.options_view(race_options) | {"max_number": options.max_number},
                "off": asdict(off) | {"problems": off_problems},
                "on": asdict(on) | {"problems": on_problems},
                "ratios": relative,
                "ok": not (off_problems or on_problems),
            }
        )
    return not (off_problems or on_problems)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    return harness.run_bench(lambda: asyncio.run(run(options)))


if __name__ == "__main__":
    sys.exit(main())
