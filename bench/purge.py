"""`wcr purge` of a year of one site: 60,000 bookings, 80,000 front-desk tickets and
their messages, all past the retention, on SQLite and on PostgreSQL.

The year is written straight into the tables in bulk (``executemany`` on SQLite,
``COPY`` on PostgreSQL), shaped as the app writes it: a slot and an appointment per
booking, a sixth of them cancelled, four messages per booking with one attempt each
(an error quoting the address now and then), check-in tickets of most bookings and
walk-ins with names, numbers and desk notes, their SMS, a step per ticket, and a lock
row per contact key. Then the real command runs as a process, ``wcr purge --dry-run``
and ``wcr purge``, and for each the wall time and the peak resident memory of that
process (``ru_maxrss``, the kernel's high-water mark of the whole process, C libraries
and drivers included, taken by a small launcher: see :data:`LAUNCHER`) are taken.

Memory must not grow with the data: the purge works in batches. So the same is done
for a tenth of the year too, and for an empty database (what the command weighs by
itself); the figures show whether the year costs more than the tenth.

Verified after each purge: the counts printed are the rows written, no booking,
ticket, message, attempt or lock row holds personal data any more, what the statistics
count (bookings per status and day, tickets per kind and status, waits) is unchanged,
and a second purge erases nothing.

    .venv/bin/python -m bench.purge --help
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from bench import harness
from bench.harness import BIN, BenchError, positive

DATABASE_PREFIX = "wcr_bench_purge"
TZ = ZoneInfo("Europe/Berlin")
SECRET = "secret-of-the-purge-bench-0123456789abcdef"  # noqa: S105 - a throw-away server secret
RETENTION_DAYS = 90
SERVICES = ("registration", "recognition", "employment", "integration")
LETTERS = "ABCD"
PEOPLE_SHARE = 0.65  # distinct visitors per booking: some come more than once
CANCELLED_EVERY = 6
CHECKED_IN_SHARE = 0.75  # of the confirmed bookings, the rest did not come


@dataclass(frozen=True)
class Options:
    engines: tuple[str, ...]
    bookings: int
    tickets: int
    admin_url: str
    json: bool


def parse_options(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m bench.purge", description="wcr purge of a year of one site."
    )
    parser.add_argument("--engines", default="sqlite,postgres", help="sqlite, postgres or both")
    parser.add_argument("--bookings", type=positive, default=60_000)
    parser.add_argument("--tickets", type=positive, default=80_000)
    parser.add_argument("--json", action="store_true", help="end with a JSON summary line")
    args = parser.parse_args(argv)
    engines = tuple(e.strip() for e in args.engines.split(",") if e.strip())
    if not engines or set(engines) - {"sqlite", "postgres"}:
        parser.error("--engines: sqlite, postgres or both")
    return Options(
        engines=engines,
        bookings=args.bookings,
        tickets=args.tickets,
        admin_url=harness.admin_url(),
        json=args.json,
    )


# --- the year ------------------------------------------------------------------------


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def reference(n: int) -> str:
    alphabet = "ACDEFGHJKMNPQRTUVWXY34679"
    letters = []
    for _ in range(8):
        n, digit = divmod(n, len(alphabet))
        letters.append(alphabet[digit])
    return "".join(letters)


def weekdays(first: date, last: date) -> list[date]:
    days, day = [], first
    while day <= last:
        if day.isoweekday() <= 5:
            days.append(day)
        day += timedelta(days=1)
    return days


@dataclass
class Year:
    """The rows of one site's year, as tuples in the column order of :data:`COLUMNS`."""

    rows: dict[str, list[tuple[Any, ...]]]

    def count(self, table: str) -> int:
        return len(self.rows[table])


COLUMNS: dict[str, tuple[str, ...]] = {
    "site": ("id", "slug", "name", "address", "timezone"),
    "agency": ("id", "slug", "name"),
    "service": ("id", "slug", "agency", "duration_minutes"),
    "service_site": ("id", "service", "site"),
    "counter": ("id", "site", "name", "state"),
    "site_queue": ("id", "site", "service", "letter"),
    "slot": (
        "id", "site", "service", "agency", "starts_at", "ends_at", "capacity", "booked",
        "created_at",
    ),
    "booking": (
        "id", "reference", "token_hash", "name", "email", "phone", "language", "status",
        "version", "created_at", "updated_at", "cancelled_at", "email_key", "phone_key",
    ),
    "appointment": ("id", "booking", "slot", "position", "status", "created_at", "version"),
    "ticket": (
        "id", "site", "day", "code", "booking", "service", "kind", "name", "phone", "status",
        "due_at", "created_at", "queued_at", "called_at", "counter", "finished_at", "language",
        "note",
    ),
    "ticket_step": (
        "id", "ticket", "site", "service", "counter", "queued_at", "called_at", "finished_at",
        "outcome",
    ),
    "message": (
        "id", "dedup_key", "booking", "ticket", "kind", "channel", "recipient", "status",
        "due_at", "attempts", "sent_at", "last_error", "provider_id", "created_at",
    ),
    "message_attempt": ("id", "message", "at", "worker", "ok", "error"),
    "contact_lock": ("id", "key", "touched_at"),
}  # fmt: skip


def make_year(bookings: int, tickets: int, today: date) -> Year:  # noqa: PLR0915 - one pass over the year
    """A year of visits that all ended before the retention began, weekdays only."""
    last = today - timedelta(days=RETENTION_DAYS + 2)
    days = weekdays(last - timedelta(days=364), last)
    rows: dict[str, list[tuple[Any, ...]]] = {table: [] for table in COLUMNS}
    rows["site"].append((1, "bench-site", "Bench Site", "Benchstraße 1, Bochum", "Europe/Berlin"))
    rows["agency"] += [(1, "bench-office", "Office"), (2, "bench-chamber", "Chamber")]
    for n, slug in enumerate(SERVICES, 1):
        rows["service"].append((n, slug, 1 + n % 2, 20))
        rows["service_site"].append((n, n, 1))
        rows["site_queue"].append((n, 1, n, LETTERS[n - 1]))
    rows["counter"] += [(n, 1, f"Desk {n}", "open") for n in range(1, 5)]
    people = max(1, int(bookings * PEOPLE_SHARE))
    touched: dict[str, datetime] = {}
    per_day = -(-bookings // len(days))
    numbers: dict[tuple[date, str], int] = {}
    checked_in: list[tuple[int, int, datetime, str, str]] = []
    message_id = attempt_id = 0

    def message(  # noqa: PLR0917 - a row's parts
        booking: int | None, ticket: int | None, kind: str, channel: str, to: str, at: datetime
    ) -> None:
        nonlocal message_id, attempt_id
        message_id += 1
        attempt_id += 1
        failed = message_id % 97 == 0
        error = f"550 5.1.1 <{to}>: mailbox unknown" if failed else None
        provider = f"SM{message_id:032x}" if channel == "sms" else None
        owner = f"b{booking}" if booking else f"t{ticket}"
        rows["message"].append(
            (
                message_id, f"{kind}:{owner}:{channel}:{message_id}", booking, ticket, kind,
                channel, to, "failed" if failed else "sent", at, 1, None if failed else at,
                error, provider, at,
            )
        )  # fmt: skip
        outcome = "failed" if failed else "sent"
        rows["message_attempt"].append((attempt_id, message_id, at, "bench", outcome, error))

    for n in range(1, bookings + 1):
        day = days[(n - 1) // per_day]
        service = 1 + n % len(SERVICES)
        start = datetime.combine(day, wall_time(8, 0), tzinfo=TZ).astimezone(UTC) + timedelta(
            minutes=2 * ((n - 1) % per_day)
        )
        made = start - timedelta(days=3 + n % 11)
        person = n % people
        name, email, phone = (
            f"Visitor {person}",
            f"visitor{person}@example.org",
            f"+49151{person:08d}",
        )
        email_key, phone_key = sha(f"email:{email}"), sha(f"phone:{phone}")
        touched[email_key] = touched[phone_key] = made
        cancelled = n % CANCELLED_EVERY == 0
        language = ("de", "en", "ar", "tr", "uk", "fr")[n % 6]
        rows["slot"].append(
            (n, 1, service, 1 + service % 2, start, start + timedelta(minutes=20), 1,
             0 if cancelled else 1, made - timedelta(days=20))
        )  # fmt: skip
        rows["booking"].append(
            (
                n, reference(n), sha(f"token{n}"), name, email, phone, language,
                "cancelled" if cancelled else "confirmed", 1 if cancelled else 0, made,
                made + timedelta(days=1) if cancelled else made,
                made + timedelta(days=1) if cancelled else None, email_key, phone_key,
            )
        )  # fmt: skip
        rows["appointment"].append((n, n, n, 0, "cancelled" if cancelled else "active", made, 0))
        for channel, to in (("email", email), ("sms", phone)):
            message(n, None, "booked", channel, to, made)
            if cancelled:
                message(n, None, "cancelled", channel, to, made + timedelta(days=1))
            else:
                message(n, None, "reminder", channel, to, start - timedelta(hours=24))
        if not cancelled and n % 4 != 0 and len(checked_in) < tickets * CHECKED_IN_SHARE:
            checked_in.append((n, service, start, name, phone))

    arrivals = [(b, s, start, name, phone) for b, s, start, name, phone in checked_in]
    walk_ins = tickets - len(arrivals)
    for w in range(walk_ins):
        day = days[w % len(days)]
        at = datetime.combine(day, wall_time(8, 30), tzinfo=TZ).astimezone(UTC)
        at += timedelta(minutes=(w // len(days)) % 450)
        person = bookings + w
        named = w % 5 != 0
        arrivals.append(
            (0, 1 + w % len(SERVICES), at, f"Walker {person}" if named else "",
             f"+49160{person:08d}" if w % 2 == 0 else "")
        )  # fmt: skip
    for t, (booking, service, due, name, phone) in enumerate(arrivals, 1):
        local_day = due.astimezone(TZ).date()
        letter = LETTERS[service - 1]
        numbers[(local_day, letter)] = number = numbers.get((local_day, letter), 0) + 1
        arrived = due - timedelta(minutes=8)
        called = due + timedelta(minutes=t % 17)
        finished = called + timedelta(minutes=6 + t % 13)
        no_show = t % 23 == 0
        rows["ticket"].append(
            (
                t, 1, local_day, f"{letter}{number:03d}", booking or None, service,
                "appointment" if booking else "walkin", name or None, phone or None,
                "no_show" if no_show else "done", due, arrived, arrived, called,
                1 + t % 4, finished, "de", f"{name} brought papers" if t % 10 == 0 else None,
            )
        )  # fmt: skip
        outcome = "no_show" if no_show else "done"
        rows["ticket_step"].append(
            (t, t, 1, service, 1 + t % 4, arrived, called, finished, outcome)
        )
        if phone and not booking:
            message(None, t, "ticket_issued", "sms", phone, arrived)
            message(None, t, "ticket_called", "sms", phone, called)
    rows["contact_lock"] = [(n, key, at) for n, (key, at) in enumerate(touched.items(), 1)]
    return Year(rows)


# --- the databases ---------------------------------------------------------------------


@contextmanager
def database(engine: str, options: Options, label: str) -> Iterator[str]:
    if engine == "sqlite":
        with tempfile.TemporaryDirectory(prefix="wcr-bench-purge-") as folder:
            yield f"sqlite:///{Path(folder) / 'year.sqlite3'}"
        return
    throwaway = harness.ThrowawayDatabase(options.admin_url, f"{DATABASE_PREFIX}_{label}")
    with throwaway as url:
        yield url


def sqlite_file(url: str) -> str:
    return url.removeprefix("sqlite:///")


def write_year(url: str, year: Year) -> None:
    if url.startswith("sqlite"):
        with sqlite3.connect(sqlite_file(url)) as connection:
            for table, columns in COLUMNS.items():
                marks = ", ".join("?" for _ in columns)
                connection.executemany(
                    f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({marks})',  # noqa: S608 - our own names
                    [tuple(_sqlite(v) for v in row) for row in year.rows[table]],
                )
        return
    asyncio.run(_copy_year(url, year))


def _sqlite(value: Any) -> Any:
    # As Piccolo stores them: "2026-01-05 07:00:00+00:00", dates as ISO.
    if isinstance(value, datetime):
        return str(value.astimezone(UTC))
    if isinstance(value, date):
        return value.isoformat()
    return value


async def _copy_year(url: str, year: Year) -> None:
    connection = await asyncpg.connect(url, timeout=10)
    try:
        async with connection.transaction():
            for table, columns in COLUMNS.items():
                await connection.copy_records_to_table(
                    table, records=year.rows[table], columns=list(columns)
                )
            for table in COLUMNS:
                await connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - our own names
                    f'(SELECT COALESCE(MAX(id), 1) FROM "{table}"))'
                )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


def query(url: str, sql: str) -> list[tuple[Any, ...]]:
    if url.startswith("sqlite"):
        with sqlite3.connect(sqlite_file(url)) as connection:
            return [tuple(row) for row in connection.execute(sql)]
    return asyncio.run(_query(url, sql))


async def _query(url: str, sql: str) -> list[tuple[Any, ...]]:
    connection = await asyncpg.connect(url, timeout=10)
    try:
        return [tuple(row) for row in await connection.fetch(sql)]
    finally:
        await connection.close()


# What must be gone: one count per table of rows still holding personal data.
PERSONAL = {
    "booking": "SELECT COUNT(*) FROM booking WHERE name <> '' OR email IS NOT NULL "
    "OR phone IS NOT NULL OR email_key IS NOT NULL OR phone_key IS NOT NULL",
    "ticket": "SELECT COUNT(*) FROM ticket WHERE name IS NOT NULL OR phone IS NOT NULL "
    "OR note IS NOT NULL OR phone_key IS NOT NULL OR email_key IS NOT NULL",
    "message": "SELECT COUNT(*) FROM message WHERE recipient <> '' OR last_error IS NOT NULL "
    "OR provider_id IS NOT NULL",
    "message_attempt": "SELECT COUNT(*) FROM message_attempt WHERE error IS NOT NULL",
    "contact_lock": "SELECT COUNT(*) FROM contact_lock",
}
# What the statistics count, and must still count after the purge.
STATISTICS = (
    (
        "SELECT b.status, s.service, s.starts_at, COUNT(*) FROM booking b "
        "JOIN appointment a ON a.booking = b.id JOIN slot s ON s.id = a.slot "
        "GROUP BY b.status, s.service, s.starts_at ORDER BY 1, 2, 3"
    ),
    (
        "SELECT kind, status, day, service, language, COUNT(*) FROM ticket "
        "GROUP BY kind, status, day, service, language ORDER BY 1, 2, 3, 4, 5"
    ),
    "SELECT service, outcome, queued_at, called_at, finished_at FROM ticket_step ORDER BY id",
    (
        "SELECT kind, channel, status, COUNT(*) FROM message GROUP BY kind, channel, status "
        "ORDER BY 1, 2, 3"
    ),
)


def statistics(url: str) -> list[list[tuple[Any, ...]]]:
    return [[tuple(str(v) for v in row) for row in query(url, sql)] for sql in STATISTICS]


# --- the command -----------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu_s: float  # of the command's process: less moved by others on the machine
    peak_rss_mib: float
    counts: dict[str, int]


# Runs the command it is given and writes the peak resident memory of that child
# (RUSAGE_CHILDREN's ru_maxrss, KiB) and its CPU seconds to the file named first. A
# small launcher, since ru_maxrss also counts the image a child had between fork and
# exec: forked from this bench, which holds a year of rows, every command would look
# that large.
LAUNCHER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[2:])\n"
    "use = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "with open(sys.argv[1], 'w') as out:\n"
    "    out.write(f'{use.ru_maxrss} {use.ru_utime + use.ru_stime}')\n"
    "sys.exit(code)\n"
)


def timed_wcr(env: dict[str, str], *args: str) -> Run:
    """One `wcr` process: its wall time and peak resident memory (ru_maxrss)."""
    with tempfile.TemporaryDirectory() as folder:
        peak = Path(folder) / "peak"
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-c", LAUNCHER, str(peak), str(BIN / "wcr"), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=harness.CLI_TIMEOUT * 4,
            check=False,
        )
        seconds = time.perf_counter() - started
        if result.returncode != 0:
            raise BenchError(f"wcr {' '.join(args)} failed: {result.stderr}{result.stdout}")
        peak_kib, cpu = peak.read_text().split()
    pairs = (line.rsplit(": ", 1) for line in result.stdout.splitlines() if ": " in line)
    counts = {name: int(value) for name, value in pairs if value.strip().isdigit()}
    return Run(round(seconds, 2), round(float(cpu), 2), round(int(peak_kib) / 1024, 1), counts)


@dataclass(frozen=True)
class Figures:
    engine: str
    bookings: int
    tickets: int
    messages: int
    seed_s: float
    dry_run: Run
    purge: Run
    problems: list[str]


def measure(engine: str, options: Options, bookings: int, tickets: int) -> Figures:
    label = f"{engine}_{bookings}"
    with database(engine, options, label) as url:
        env = harness.wcr_env(url, inherit_wcr=False) | {
            "WCR_SECRET_KEY": SECRET,
            "WCR_RETENTION_DAYS": str(RETENTION_DAYS),
            "WCR_OUTBOX_DIR": str(Path(tempfile.gettempdir()) / f"wcr-bench-purge-{os.getpid()}"),
        }
        harness.migrate(env)
        started = time.perf_counter()
        year = make_year(bookings, tickets, datetime.now(UTC).date())
        write_year(url, year)
        seed_s = round(time.perf_counter() - started, 1)
        before = statistics(url)
        dry = timed_wcr(env, "purge", "--dry-run")
        untouched = query(url, PERSONAL["booking"])[0][0] == bookings
        done = timed_wcr(env, "purge")
        problems = check(url, year, before, dry, done)
        if not untouched:
            problems.append("the dry run changed bookings")
        again = timed_wcr(env, "purge")
        if sum(again.counts.values()) != 0:
            problems.append(f"a second purge erased {again.counts}")
        return Figures(
            engine, bookings, year.count("ticket"), year.count("message"), seed_s, dry, done,
            problems,
        )  # fmt: skip


def check(
    url: str, year: Year, before: list[list[tuple[Any, ...]]], dry: Run, done: Run
) -> list[str]:
    problems = []
    expected = {
        "booking": year.count("booking"),
        # A walk-in who gave neither name nor number holds nothing to erase.
        "ticket": sum(1 for row in year.rows["ticket"] if row[7] or row[8] or row[17]),
        "message": year.count("message"),
        "message_attempt": sum(1 for row in year.rows["message_attempt"] if row[-1]),
        "contact_lock": year.count("contact_lock"),
    }
    for table, count in expected.items():
        if done.counts.get(table) != count:
            problems.append(f"purge erased {done.counts.get(table)} {table} rows, not {count}")
    if dry.counts != done.counts:
        problems.append(f"the dry run counted {dry.counts}, the purge {done.counts}")
    for table, sql in PERSONAL.items():
        if (left := query(url, sql)[0][0]) != 0:
            problems.append(f"{left} {table} rows still hold personal data")
    if statistics(url) != before:
        problems.append("the statistics changed")
    return problems


def report(figures: list[Figures]) -> None:
    print(
        f"{'engine':9} {'bookings':>9} {'tickets':>8} {'messages':>9} {'seed s':>7} "
        f"{'dry-run s':>9} {'cpu s':>6} {'MiB':>6} {'purge s':>8} {'cpu s':>6} {'MiB':>6}"
    )
    for f in figures:
        dry, done = f.dry_run, f.purge
        print(
            f"{f.engine:9} {f.bookings:>9} {f.tickets:>8} {f.messages:>9} {f.seed_s:>7} "
            f"{dry.seconds:>9} {dry.cpu_s:>6} {dry.peak_rss_mib:>6} "
            f"{done.seconds:>8} {done.cpu_s:>6} {done.peak_rss_mib:>6}"
        )
    for f in figures:
        for problem in f.problems:
            print(f"PROBLEM {f.engine} {f.bookings}: {problem}", file=sys.stderr)


def run(options: Options) -> bool:
    figures = []
    for engine in options.engines:
        # The command alone (an empty year), a tenth of the year, the year.
        for share in (0, 10, 1):
            bookings = 1 if share == 0 else options.bookings // share
            tickets = 1 if share == 0 else options.tickets // share
            figures.append(measure(engine, options, bookings, tickets))
            print(f"{engine}: {bookings} bookings done", file=sys.stderr, flush=True)
    report(figures)
    if options.json:
        harness.print_summary_line(
            {"options": harness.options_view(options), "figures": [asdict(f) for f in figures]}
        )
    return not any(f.problems for f in figures)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    return harness.run_bench(lambda: run(options))


if __name__ == "__main__":
    sys.exit(main())
