"""Statistics of a year: how long the page and the CSV files take to answer.

One site (Bochum, Europe/Berlin) with four agencies and a service each gets a year of
data, bulk inserted straight into a migrated database (``executemany`` on SQLite,
``COPY`` on PostgreSQL): every weekday from 08:00 to 16:00, slots of 15 minutes with
three places, 60,000 bookings (a tenth of them one-stop visits of two services, some
cancelled, some rescheduled, some never coming) and 80,000 tickets (the booked
visitors who came and walk-ins, a tenth for two services; no-shows, people who left),
with a step per service given and waits and service times drawn from lognormal
distributions. Then the app runs under uvicorn and one admin asks, one request after
the other (the first of each, which fills the cache of closed days, timed apart):

    daily.csv of a month and of the whole year, monthly.csv (the ESF summary) of the
    year, the page of a month and of the whole year

    .venv/bin/python -m bench.stats                 # or: make bench-stats
    .venv/bin/python -m bench.stats --engine sqlite --requests 10 --json

The database is a temporary SQLite file, or a throw-away PostgreSQL database
(``WCR_BENCH_POSTGRES_URL``), dropped at the end however the run ends. Verification:
every answer is 200, and the year's daily.csv adds up to the generated data (booked,
cancelled, walk-ins, services given). Aim: p95 under 500 ms for each. Exit status: 0
verified, 1 a mismatch, 2 could not run, 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import math
import os
import random
import sqlite3
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx

from bench import harness
from bench.harness import BenchError, Latency, positive

BERLIN = ZoneInfo("Europe/Berlin")
LANGUAGES = ("de", "en", "ar", "fr", "tr", "uk")
LANGUAGE_WEIGHTS = (40, 15, 15, 8, 10, 12)
SERVICES = ("registration", "recognition", "employment", "permit")
FIRST, LAST = date(2025, 12, 1), date(2026, 11, 30)
MONTH = (date(2026, 11, 1), date(2026, 11, 30))
PASSWORD = "bench password for the statistics"  # noqa: S105 - a throw-away account
AIM_P95_MS = 500.0
SLOT_MINUTES, CAPACITY = 15, 3
OPEN_HOUR, CLOSE_HOUR = 8, 16


@dataclass(frozen=True)
class Options:
    engines: tuple[str, ...]
    bookings: int
    tickets: int
    requests: int
    seed: int
    json: bool
    admin_url: str


def parse_options(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--bookings", type=positive, default=60_000)
    parser.add_argument("--tickets", type=positive, default=80_000)
    parser.add_argument("--requests", type=positive, default=20, help="per measurement")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--json", action="store_true", help="only the JSON summary line")
    args = parser.parse_args(argv)
    engines = ("sqlite", "postgres") if args.engine == "both" else (args.engine,)
    return Options(
        engines,
        args.bookings,
        args.tickets,
        args.requests,
        args.seed,
        args.json,
        harness.admin_url(),
    )


# --- the year's rows ---------------------------------------------------------------------


@dataclass
class Year:
    """Rows per table, as tuples in the column order of :data:`COLUMNS`, and the totals
    the year's daily.csv must add up to."""

    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)


# Each table's columns as the bulk load fills them (the rest keep their defaults).
COLUMNS = {
    "site": "id slug name address timezone",
    "agency": "id slug name",
    "service": "id slug agency duration_minutes names",
    "agency_site": "agency site",
    "service_site": "service site",
    "slot": "id site service agency starts_at ends_at capacity booked created_at",
    "booking": "id reference token_hash name email language status created_at updated_at "
    "cancelled_at silent",
    "appointment": "booking slot position status created_at version",
    "ticket": "id site day code booking service kind status due_at created_at queued_at "
    "called_at finished_at language step",
    "ticket_step": "ticket site service queued_at called_at finished_at outcome",
}


def weekdays() -> list[date]:
    days = [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)]
    return [d for d in days if d.isoweekday() <= 5]


def local(day: date, minutes: float) -> datetime:
    """``minutes`` of wall-clock time after local midnight, as UTC (whole seconds)."""
    wall = datetime.combine(day, datetime.min.time(), tzinfo=BERLIN) + timedelta(minutes=minutes)
    return wall.astimezone(UTC).replace(microsecond=0)


def lognormal(rng: random.Random, mean_minutes: float, sigma: float = 0.6) -> timedelta:
    mu = math.log(mean_minutes) - sigma**2 / 2
    return timedelta(seconds=round(60 * rng.lognormvariate(mu, sigma)))


@dataclass
class Slot:
    id: int
    service: int
    start: datetime
    end: datetime
    booked: int = 0


@dataclass
class Visit:
    """A visitor who comes to the desk: booked (``booking``) or walking in."""

    arrives: datetime
    booking: int | None
    services: list[int]
    language: str


@dataclass
class Generator:
    rng: random.Random
    year: Year = field(default_factory=Year)
    next_id: dict[str, int] = field(default_factory=dict)

    def new_id(self, table: str) -> int:
        new = self.next_id.get(table, 1)
        self.next_id[table] = new + 1
        return new

    def add(self, table: str, *values: Any) -> None:
        self.year.rows.setdefault(table, []).append(values)

    def count(self, name: str, n: int = 1) -> None:
        self.year.totals[name] = self.year.totals.get(name, 0) + n

    def language(self) -> str:
        return self.rng.choices(LANGUAGES, LANGUAGE_WEIGHTS)[0]

    def services(self) -> list[int]:
        """One service, or two for a tenth of the visitors (a one-stop visit)."""
        return self.rng.sample(range(1, len(SERVICES) + 1), 2 if self.rng.random() < 0.1 else 1)

    def catalogue(self) -> None:
        self.add(
            "site", 1, "bochum", "Welcome Office Bochum", "Universitätsstraße 43", "Europe/Berlin"
        )
        for n, slug in enumerate(SERVICES, start=1):
            self.add("agency", n, f"agency-{slug}", f"Agency for {slug}")
            self.add("service", n, slug, n, 20, f'{{"de": "{slug}", "en": "{slug}"}}')
            self.add("agency_site", n, 1)
            self.add("service_site", n, 1)

    def day(self, day: date, bookings: int, walk_ins: int) -> None:
        slots = {
            service: [
                Slot(self.new_id("slot"), service, local(day, m), local(day, m + SLOT_MINUTES))
                for m in range(OPEN_HOUR * 60, CLOSE_HOUR * 60, SLOT_MINUTES)
            ]
            for service in range(1, len(SERVICES) + 1)
        }
        made = local(day, 0) - timedelta(days=self.rng.randint(1, 30))
        visits = [v for v in (self.booking(slots, made) for _ in range(bookings)) if v]
        for _ in range(walk_ins):
            arrives = local(day, self.rng.uniform(OPEN_HOUR * 60, CLOSE_HOUR * 60 - 30))
            visits.append(Visit(arrives, None, self.services(), self.language()))
        for code, visit in enumerate(sorted(visits, key=lambda v: v.arrives), start=1):
            self.ticket(day, code, visit)
        for service_slots in slots.values():
            for slot in service_slots:
                self.add(
                    "slot",
                    slot.id,
                    1,
                    slot.service,
                    slot.service,
                    slot.start,
                    slot.end,
                    CAPACITY,
                    slot.booked,
                    made,
                )

    def free(self, slots: list[Slot], after: datetime | None = None) -> Slot | None:
        choices = [s for s in slots if s.booked < CAPACITY and (after is None or s.start >= after)]
        return self.rng.choice(choices) if choices else None

    def booking(self, slots: dict[int, list[Slot]], made: datetime) -> Visit | None:
        """A booking of one slot (or two back to back); the visitor who will come, if any."""
        services = self.services()
        chosen: list[Slot] = []
        for service in services:
            after = chosen[-1].end + timedelta(minutes=5) if chosen else None
            slot = self.free(slots[service], after)
            if slot is None:
                return None
            chosen.append(slot)
        language, roll = self.language(), self.rng.random()
        cancelled = roll < 0.08
        booking_id = self.new_id("booking")
        status = "cancelled" if cancelled else "confirmed"
        self.add(
            "booking",
            booking_id,
            f"B{booking_id:09d}",
            "0" * 64,
            "",
            None,
            language,
            status,
            made,
            made,
            made if cancelled else None,
            True,  # noqa: FBT003 - silent: nobody is told of the bench's bookings
        )
        if 0.08 <= roll < 0.11:
            elsewhere = self.free(slots[services[0]])
            if elsewhere is not None and elsewhere is not chosen[0]:
                self.add("appointment", booking_id, elsewhere.id, 0, "replaced", made, 0)
        for position, slot in enumerate(chosen):
            self.add(
                "appointment",
                booking_id,
                slot.id,
                position,
                status if cancelled else "active",
                made,
                1,
            )
            slot.booked += 1
            self.count("booked")
            self.count("cancelled", cancelled)
        if cancelled or roll > 0.95:
            return None
        arrives = chosen[0].start - timedelta(minutes=self.rng.randint(2, 20))
        return Visit(arrives, booking_id, services, language)

    def ticket(self, day: date, code: int, visit: Visit) -> None:
        """The visit's ticket and a step per service given: done, or a no-show at the
        first call, or gone before being called."""
        roll = self.rng.random()
        status = "no_show" if roll < 0.04 else "left" if roll < 0.05 else "done"
        ticket_id = self.new_id("ticket")
        queued, called, finished = visit.arrives, None, None
        reached = []
        for service in visit.services:
            reached.append(service)
            if status == "left":
                finished = queued + lognormal(self.rng, 15)
                break
            called = queued + lognormal(self.rng, 12)
            if status == "no_show":
                finished = called + timedelta(minutes=2)
                self.add("ticket_step", ticket_id, 1, service, queued, called, finished, "no_show")
                break
            finished = called + lognormal(self.rng, 18)
            self.add("ticket_step", ticket_id, 1, service, queued, called, finished, "done")
            self.count("served")
            queued = finished  # on to the next agency
        if visit.booking is None:
            self.count("walk_ins", len(reached))
        kind = "walkin" if visit.booking is None else "appointment"
        self.add(
            "ticket",
            ticket_id,
            1,
            day,
            f"T{code:04d}",
            visit.booking,
            reached[-1],
            kind,
            status,
            visit.arrives,
            visit.arrives,
            queued,
            called,
            finished,
            visit.language,
            len(reached) - 1,
        )


def generate(options: Options) -> Year:
    generator = Generator(random.Random(options.seed))
    generator.catalogue()
    days = weekdays()
    for n, day in enumerate(days):
        # Spread the totals evenly, the remainder on the first days.
        bookings = options.bookings // len(days) + (n < options.bookings % len(days))
        booked_tickets = round(bookings * 0.87 * 0.95)
        walk_ins = max(0, options.tickets // len(days) - booked_tickets)
        generator.day(day, bookings, walk_ins)
    year = generator.year
    year.totals["bookings"] = len(year.rows.get("booking", []))
    year.totals["tickets"] = len(year.rows.get("ticket", []))
    return year


# --- loading it -------------------------------------------------------------------------


def sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return str(value.astimezone(UTC))  # as Piccolo stores it
    if isinstance(value, date):
        return value.isoformat()
    return value


def load_sqlite(path: Path, year: Year) -> None:
    connection = sqlite3.connect(path)
    try:
        with connection:
            for table, names in COLUMNS.items():
                columns = names.split()
                marks = ", ".join("?" for _ in columns)
                connection.executemany(
                    f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({marks})',  # noqa: S608 - fixed names
                    ([sqlite_value(v) for v in row] for row in year.rows.get(table, [])),
                )
        connection.execute("ANALYZE")
    finally:
        connection.close()


async def load_postgres(url: str, year: Year) -> None:
    connection = await asyncpg.connect(url)
    try:
        async with connection.transaction():
            for table, names in COLUMNS.items():
                await connection.copy_records_to_table(
                    table, records=year.rows.get(table, []), columns=names.split()
                )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


# --- asking -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Ask:
    name: str
    path: str


ASKS = (
    Ask("daily.csv, a month", f"/api/v1/stats/daily.csv?site=bochum&from={MONTH[0]}&to={MONTH[1]}"),
    Ask("daily.csv, the year", f"/api/v1/stats/daily.csv?site=bochum&from={FIRST}&to={LAST}"),
    Ask("monthly.csv, the year", "/api/v1/stats/monthly.csv?site=bochum&year=2026"),
    Ask("page, a month", f"/de/admin/stats?site=bochum&from={MONTH[0]}&to={MONTH[1]}"),
    Ask("page, the year", f"/de/admin/stats?site=bochum&from={FIRST}&to={LAST}"),
)


@dataclass(frozen=True)
class Measured:
    latency: Latency
    # CPU per request of the server process (SQLite runs inside it) and of every
    # PostgreSQL backend (other people's queries on the same PostgreSQL land there too):
    # on a busy machine the answer times grow with the waiting for a core, these do not.
    server_cpu_ms: float
    postgres_cpu_ms: float
    # The first of the warm-up requests: it counts what the cache of closed days does
    # not hold yet (the first ask of the year counts the year and stores it).
    first_ms: float


def measure(
    base: str, token: str, requests: int, server_pid: int
) -> tuple[dict[str, Measured], dict[str, str]]:
    measured: dict[str, Measured] = {}
    bodies: dict[str, str] = {}
    with httpx.Client(base_url=base, timeout=120, cookies={"wcr_staff": token}) as client:
        for ask in ASKS:
            seconds = []
            started = time.perf_counter()
            response = client.get(ask.path)  # the first: it fills the cache
            first_ms = round(1000 * (time.perf_counter() - started), 1)
            response = client.get(ask.path)  # the second of the two to warm up
            meter = harness.CpuMeter({"server": [server_pid]})
            for _ in range(requests):
                started = time.perf_counter()
                response = client.get(ask.path)
                seconds.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise BenchError(f"{ask.path}: {response.status_code} {response.text[:300]}")
            use = meter.measure()
            per_request = 10 * use.wall_s / requests  # per cent of a core -> ms per request
            bodies[ask.name] = response.text
            measured[ask.name] = Measured(
                latency=Latency.of(seconds, digits=1),
                server_cpu_ms=round(use.groups["server"] * per_request, 1),
                postgres_cpu_ms=round(use.named("postgres") * per_request, 1),
                first_ms=first_ms,
            )
    return measured, bodies


def log_in(base: str) -> str:
    response = httpx.post(
        f"{base}/api/v1/auth/login",
        json={"username": "bench-admin", "password": PASSWORD},
        timeout=30,
    )
    if response.status_code != 200:
        raise BenchError(f"login: {response.status_code} {response.text}")
    return str(response.json()["token"])


def mismatches(year: Year, body: str) -> list[str]:
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    found = []
    for column, total in (
        ("booked", "booked"),
        ("cancelled", "cancelled"),
        ("walk_ins", "walk_ins"),
        ("served", "served"),
    ):
        got = sum(int(r[column]) for r in rows)
        if got != year.totals.get(total, 0):
            found.append(
                f"MISMATCH: {column} of the year is {got}, the data has {year.totals.get(total, 0)}"
            )
    return found


@contextmanager
def database(engine: str, options: Options) -> Iterator[str]:
    if engine == "sqlite":
        with tempfile.TemporaryDirectory(prefix="wcr-bench-stats-") as folder:
            yield f"sqlite:///{Path(folder) / 'stats.sqlite3'}"
    else:
        with harness.ThrowawayDatabase(options.admin_url, "wcr_bench_stats") as url:
            yield url


def run_engine(engine: str, options: Options, year: Year) -> dict[str, Any]:
    with database(engine, options) as url:
        env = harness.wcr_env(url, drop=("WCR_RETENTION_DAYS",))
        harness.migrate(env)
        harness.wcr(
            env,
            "staff-add",
            "bench-admin",
            "--role",
            "admin",
            "--password-stdin",
            stdin=PASSWORD + "\n",
        )
        started = time.perf_counter()
        if engine == "sqlite":
            load_sqlite(Path(url.removeprefix("sqlite:///")), year)
        else:
            asyncio.run(load_postgres(url, year))
        loaded = time.perf_counter() - started

        async def serve() -> tuple[dict[str, Measured], dict[str, str]]:
            async with harness.running_servers(env) as servers:
                base = servers[0].url
                token = await asyncio.to_thread(log_in, base)
                return await asyncio.to_thread(
                    measure, base, token, options.requests, servers[0].pid
                )

        timings, bodies = asyncio.run(serve())
    return {
        "engine": engine,
        # Other work on the machine meanwhile (2 cores here): answer times grow with it.
        "load_average": round(os.getloadavg()[0], 1),
        "load_s": round(loaded, 1),
        "timings": timings,
        "problems": mismatches(year, bodies["daily.csv, the year"]),
        "page_kb": round(len(bodies["page, the year"].encode()) / 1024),
    }


def report(options: Options, year: Year, results: list[dict[str, Any]]) -> None:
    if not options.json:
        rows = year.rows
        print(
            f"one site, {FIRST} to {LAST}: {len(rows['booking']):,} bookings, "
            f"{len(rows['appointment']):,} appointments, {len(rows['slot']):,} slots, "
            f"{len(rows['ticket']):,} tickets, {len(rows['ticket_step']):,} steps"
        )
        for result in results:
            load, size = result["load_s"], result["page_kb"]
            print(
                f"\n{result['engine']} (bulk load {load} s, the year's page {size} KB, "
                f"load average {result['load_average']})"
            )
            for name, measured in result["timings"].items():
                latency = measured.latency
                verdict = "ok" if latency.p95_ms < AIM_P95_MS else f"over {AIM_P95_MS:.0f} ms"
                cpu = f"cpu server {measured.server_cpu_ms:6.1f} ms"
                if result["engine"] == "postgres":
                    cpu += f" + postgres {measured.postgres_cpu_ms:6.1f} ms"
                print(
                    f"  {name:24} first {measured.first_ms:7.1f} ms  p50 {latency.p50_ms:7.1f} ms  "
                    f"p95 {latency.p95_ms:7.1f} ms  {cpu}  {verdict}"
                )
            for problem in result["problems"]:
                print(problem)
    harness.print_summary_line(
        {
            "bench": "stats",
            "options": harness.options_view(options),
            "rows": {table: len(rows) for table, rows in year.rows.items()},
            "results": [
                {
                    "engine": r["engine"],
                    "load_s": r["load_s"],
                    "load_average": r["load_average"],
                    "first_ms": {n: t.first_ms for n, t in r["timings"].items()},
                    "p50_ms": {n: t.latency.p50_ms for n, t in r["timings"].items()},
                    "p95_ms": {n: t.latency.p95_ms for n, t in r["timings"].items()},
                    "server_cpu_ms": {n: t.server_cpu_ms for n, t in r["timings"].items()},
                    "postgres_cpu_ms": {n: t.postgres_cpu_ms for n, t in r["timings"].items()},
                    "verified": not r["problems"],
                }
                for r in results
            ],
        }
    )


def run(options: Options) -> bool:
    year = generate(options)
    results = [run_engine(engine, options, year) for engine in options.engines]
    report(options, year, results)
    return all(not r["problems"] for r in results)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    return harness.run_bench(lambda: run(options))


if __name__ == "__main__":
    raise SystemExit(main())
