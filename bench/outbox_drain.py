"""Draining the outbox: how fast ``wcr worker --once`` sends due messages.

Round 1 lets one worker process send every due message; round 2 resets the same
messages and lets two workers share them. Both go to real peers on 127.0.0.1 in
processes of their own: an aiosmtpd SMTP server and a Twilio-compatible HTTP API,
which count what they receive. Every message must arrive exactly once.

    .venv/bin/python -m bench.outbox_drain --help

Everything runs in a throw-away PostgreSQL database that is dropped at the end, also
when the run fails.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall_time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

import asyncpg

from bench import harness
from bench.harness import HOST, STOP_TIMEOUT, BenchError, positive
from wcr.config import SUPPORTED_LANGUAGES, Settings
from wcr.tokens import digest, new_manage_token, new_reference

# What the workers are told (WCR_PUBLIC_URL, WCR_MAIL_FROM, WCR_TWILIO_*).
PUBLIC_URL = "http://127.0.0.1:8000"
MAIL_FROM = "termine@wcr-welcome.example"
TWILIO_SID = "AC" + "0123456789abcdef" * 2
TWILIO_TOKEN = "bench-twilio-auth-token"  # noqa: S105 - a made-up secret for a local fake
BENCH_SECRET = "bench-server-secret-of-at-least-32-characters"  # noqa: S105 - made up too
TWILIO_FROM = "+4915199999999"
LEASE_SECONDS = 120  # the dispatcher's default, set explicitly against inherited values

# About 2.5 minutes in all on the 2-core machine; 10 000 take 20-25 (bench/README.md).
DEFAULT_MESSAGES = 10_000

# Bench appointments lie far beyond the demo's 14 days, never on a demo slot.
DAYS_AHEAD = 60
DAY_START = wall_time(8, 0)
SLOTS_PER_DAY = 8  # 8 x 45 min (the longest demo service) ends at 14:00

# Upper bounds, so that no wait in this script can hang for ever.
SERVER_TIMEOUT = 30
DRAIN_TIMEOUT_BASE = 120  # seconds, plus DRAIN_TIMEOUT_PER_MESSAGE x messages
DRAIN_TIMEOUT_PER_MESSAGE = 0.2
POLL_INTERVAL = 0.01
QUIET_SECONDS = 3.0  # the machine's load measured before the rounds
PY_SPY_RATE = 100
DATABASE_PREFIX = "wcr_obench"


# --- options ----------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    messages: int
    batch: int
    json: bool
    py_spy: Path | None
    admin_url: str

    @property
    def bookings(self) -> int:
        return self.messages // 2

    @property
    def drain_timeout(self) -> float:
        return DRAIN_TIMEOUT_BASE + DRAIN_TIMEOUT_PER_MESSAGE * self.messages


def parse_options(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m bench.outbox_drain",
        description="Drain due outbox messages with one `wcr worker --once`, then two.",
    )
    parser.add_argument(
        "--messages",
        type=positive,
        default=DEFAULT_MESSAGES,
        help=f"due messages, half e-mail, half SMS (an even number; default {DEFAULT_MESSAGES})",
    )
    parser.add_argument(
        "--batch", type=positive, default=50, help="WCR_OUTBOX_BATCH of the workers (default 50)"
    )
    parser.add_argument("--json", action="store_true", help="end with a JSON summary line")
    parser.add_argument(
        "--py-spy",
        type=Path,
        metavar="FILE",
        help="profile the worker of round 1 with py-spy (raw collapsed stacks into FILE)",
    )
    args = parser.parse_args(argv)
    if args.messages % 2:
        parser.error("--messages must be even: one e-mail and one SMS per booking")
    if args.py_spy is not None and shutil.which("py-spy", path=str(harness.BIN)) is None:
        parser.error("--py-spy needs py-spy in the venv: .venv/bin/pip install py-spy")
    return Options(
        messages=args.messages,
        batch=args.batch,
        json=args.json,
        py_spy=args.py_spy,
        admin_url=harness.admin_url(),
    )


# --- the throw-away database ------------------------------------------------------


def wcr_env(database_url: str, **extra: str) -> dict[str, str]:
    # Nothing of the caller's own WCR_ settings (SMTP, Twilio, batch, lease) leaks in.
    return harness.wcr_env(database_url, inherit_wcr=False) | extra


# --- the due messages -------------------------------------------------------------


@dataclass(frozen=True)
class Workload:
    """The bench's messages as written, to reset them and to check what arrived."""

    message_ids: list[int]
    mail_ids: frozenset[str]  # the Message-ID header each e-mail must arrive with
    phones: frozenset[str]
    demo_messages: int  # the demo bookings' own messages, removed before the rounds


def local_start(day: date, minutes: int, tz: ZoneInfo) -> datetime:
    return (datetime.combine(day, DAY_START, tzinfo=tz) + timedelta(minutes=minutes)).astimezone(
        UTC
    )


async def next_ids(connection: asyncpg.Connection, sequence: str, count: int) -> list[int]:
    rows = await connection.fetch(
        "SELECT nextval($1::regclass) AS id FROM generate_series(1, $2)", sequence, count
    )
    return [row["id"] for row in rows]


async def write_workload(database_url: str, bookings: int) -> Workload:
    """``bookings`` confirmed bookings of one appointment each, with an e-mail address and
    a phone number, and their two due ``booked`` confirmations, as ``bookings.book``
    writes them (version 0; the link is made at sending), in bulk.

    The appointments go round every service at every demo site, each in a slot of its
    own with its one place taken. The demo bookings' messages are deleted first, so
    that the counts are exact.
    """
    from wcr.notifications.render import message_id  # noqa: PLC0415 - not in the peers

    connection = await asyncpg.connect(database_url, timeout=10)
    try:
        async with connection.transaction():
            demo = await connection.fetchval(
                "WITH gone AS (DELETE FROM message RETURNING 1) SELECT count(*) FROM gone"
            )
            offers = await connection.fetch(
                "SELECT DISTINCT s.site, s.service, s.agency, sv.duration_minutes AS minutes, "
                "si.timezone FROM slot s JOIN service sv ON sv.id = s.service "
                "JOIN site si ON si.id = s.site ORDER BY s.site, s.service"
            )
            if not offers:
                raise BenchError("no demo slots: did `wcr seed-demo` run?")
            taken = {
                r["reference"] for r in await connection.fetch("SELECT reference FROM booking")
            }
            first_day = datetime.now(UTC).date() + timedelta(days=DAYS_AHEAD)
            at = datetime.now(UTC) - timedelta(minutes=1)
            slot_ids = await next_ids(connection, "slot_id_seq", bookings)
            booking_ids = await next_ids(connection, "booking_id_seq", bookings)
            message_ids = await next_ids(connection, "message_id_seq", 2 * bookings)
            slots: list[tuple[Any, ...]] = []
            people: list[tuple[Any, ...]] = []
            appointments: list[tuple[Any, ...]] = []
            messages: list[tuple[Any, ...]] = []
            for n in range(bookings):
                offer = offers[n % len(offers)]
                k = n // len(offers)
                day = first_day + timedelta(days=k // SLOTS_PER_DAY)
                start = local_start(
                    day, offer["minutes"] * (k % SLOTS_PER_DAY), ZoneInfo(offer["timezone"])
                )
                end = start + timedelta(minutes=offer["minutes"])
                made = at + timedelta(microseconds=n)
                slot_id, booking_id = slot_ids[n], booking_ids[n]
                slots.append(
                    (slot_id, offer["site"], offer["service"], offer["agency"], start, end, made)
                )
                reference = new_reference()
                while reference in taken:  # one in 1.5e11 per booking
                    reference = new_reference()
                taken.add(reference)
                token = new_manage_token()
                email, phone = f"visitor{n}@example.org", f"+49151{n:08d}"
                language = SUPPORTED_LANGUAGES[n % len(SUPPORTED_LANGUAGES)]
                people.append(
                    (
                        booking_id,
                        reference,
                        digest(token),
                        f"Visitor {n}",
                        email,
                        phone,
                        language,
                        made,
                    )
                )
                appointments.append((booking_id, slot_id, made))
                for offset, (channel, address) in enumerate((("email", email), ("sms", phone))):
                    messages.append(
                        (
                            message_ids[2 * n + offset],
                            f"booked:{booking_id}:v0:{channel}",
                            booking_id,
                            channel,
                            address,
                            made,
                        )
                    )
            await connection.execute(
                "INSERT INTO slot (id, site, service, agency, starts_at, ends_at, capacity, "
                "booked, created_at) SELECT id, site, service, agency, starts_at, ends_at, 1, 1, "
                "made FROM unnest($1::int[], $2::int[], $3::int[], $4::int[], "
                "$5::timestamptz[], $6::timestamptz[], $7::timestamptz[]) "
                "AS t(id, site, service, agency, starts_at, ends_at, made)",
                *zip(*slots, strict=True),
            )
            await connection.execute(
                "INSERT INTO booking (id, reference, token_hash, name, email, phone, language, "
                "status, version, created_at, updated_at) SELECT id, reference, token_hash, "
                "name, email, phone, language, 'confirmed', 0, made, made FROM unnest("
                "$1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], "
                "$7::text[], $8::timestamptz[]) "
                "AS t(id, reference, token_hash, name, email, phone, language, made)",
                *zip(*people, strict=True),
            )
            await connection.execute(
                "INSERT INTO appointment (booking, slot, position, status, created_at, version) "
                "SELECT booking, slot, 0, 'active', made, 0 FROM unnest($1::int[], $2::int[], "
                "$3::timestamptz[]) AS t(booking, slot, made)",
                *zip(*appointments, strict=True),
            )
            await connection.execute(
                "INSERT INTO message (id, dedup_key, booking, kind, channel, recipient, version, "
                "slot, status, due_at, attempts, created_at) SELECT id, dedup_key, "
                "booking, 'booked', channel, recipient, 0, NULL, 'pending', made, 0, made "
                "FROM unnest($1::int[], $2::text[], $3::int[], $4::text[], $5::text[], "
                "$6::timestamptz[]) "
                "AS t(id, dedup_key, booking, channel, recipient, made)",
                *zip(*messages, strict=True),
            )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return Workload(
        message_ids=[m[0] for m in messages],
        mail_ids=frozenset(message_id(m[1]) for m in messages if m[3] == "email"),
        phones=frozenset(m[4] for m in messages if m[3] == "sms"),
        demo_messages=int(demo),
    )


async def check_rendering(database_url: str, message_ids: list[int]) -> list[str]:
    """The dispatcher's own ``render.context`` must find the booking and its appointment
    (a message without them would still be "sent", with an empty visit)."""
    os.environ["PICCOLO_CONF"] = "wcr.piccolo_conf"
    from wcr.app import ALL_TABLES  # noqa: PLC0415 - heavy, and not needed by the peers
    from wcr.database import bind_tables, make_engine  # noqa: PLC0415
    from wcr.notifications import render, repository  # noqa: PLC0415
    from wcr.server_secret import use  # noqa: PLC0415

    bind_tables(make_engine(database_url), ALL_TABLES)
    use(Settings(secret_key=BENCH_SECRET))  # the workers' secret
    problems = []
    for message in await repository.messages_by_id(message_ids[:2]):
        ctx = await render.context(message)
        if ctx is None or len(ctx.visit) != 1:
            problems.append(f"render.context of message {message.id} finds no appointment")
            continue
        rendered = render.render(ctx, public_url=PUBLIC_URL, mail_from=MAIL_FROM)
        # Only e-mails carry a calendar; an SMS has none.
        wants_calendar = message.channel == "email"
        if ctx.booking.reference not in rendered.sms or bool(rendered.calendars) != wants_calendar:
            problems.append(f"message {message.id} renders without reference or calendar")
    return problems


async def reset_messages(database_url: str, workload: Workload) -> None:
    """Every bench message pending and due again, as written, with no attempts."""
    connection = await asyncpg.connect(database_url, timeout=10)
    try:
        async with connection.transaction():
            await connection.execute(
                "UPDATE message SET status = 'pending', attempts = 0, "
                "lease_until = NULL, sent_at = NULL, last_error = NULL, provider_id = NULL, "
                "delivery = NULL WHERE id = ANY($1::int[])",
                workload.message_ids,
            )
            await connection.execute("DELETE FROM message_attempt")
        await settle(connection)
    finally:
        await connection.close()


async def settle(connection: asyncpg.Connection) -> None:
    """No dead rows or pending checkpoint left over from the step before."""
    await connection.execute("VACUUM ANALYZE message")
    await connection.execute("VACUUM ANALYZE message_attempt")
    await connection.execute("CHECKPOINT")


async def vacuum(database_url: str) -> None:
    connection = await asyncpg.connect(database_url, timeout=10)
    try:
        await settle(connection)
    finally:
        await connection.close()


@dataclass(frozen=True)
class Outcome:
    statuses: dict[str, int]
    not_one_attempt: int
    sms_without_provider_id: int
    attempts_by_worker: dict[str, int]
    attempt_outcomes: dict[str, int]


async def read_outcome(database_url: str) -> Outcome:
    connection = await asyncpg.connect(database_url, timeout=10)
    try:
        statuses = await connection.fetch(
            "SELECT status, count(*) AS n FROM message GROUP BY status"
        )
        facts = await connection.fetchrow(
            "SELECT count(*) FILTER (WHERE attempts <> 1) AS not_one, "
            "count(*) FILTER (WHERE channel = 'sms' AND provider_id IS NULL) AS no_sid "
            "FROM message"
        )
        attempts = await connection.fetch(
            "SELECT worker, ok, count(*) AS n FROM message_attempt GROUP BY worker, ok"
        )
    finally:
        await connection.close()
    by_worker: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    for row in attempts:
        by_worker[row["worker"]] += row["n"]
        outcomes[row["ok"]] += row["n"]
    return Outcome(
        statuses={row["status"]: row["n"] for row in statuses},
        not_one_attempt=facts["not_one"],
        sms_without_provider_id=facts["no_sid"],
        attempts_by_worker=dict(by_worker),
        attempt_outcomes=dict(outcomes),
    )


# --- the peers: an SMTP server and a Twilio-compatible API, each its own process ----


class Tally:
    """What a peer received; the server adds from its own thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.keys: Counter[str] = Counter()
        self.marked = 0  # e-mails with a calendar part, SMS with the manage link
        self.refused = 0
        self.first: float | None = None
        self.last: float | None = None

    def add(self, key: str, *, marked: bool) -> int:
        moment = time.monotonic()  # CLOCK_MONOTONIC: one clock for all processes
        with self.lock:
            self.keys[key] += 1
            self.marked += marked
            self.first = moment if self.first is None else self.first
            self.last = moment
            return self.keys.total()

    def refuse(self) -> None:
        with self.lock:
            self.refused += 1

    def reset(self) -> None:
        with self.lock:
            self.keys.clear()
            self.marked = self.refused = 0
            self.first = self.last = None

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "received": self.keys.total(),
                "keys": list(self.keys),
                "duplicates": sum(n - 1 for n in self.keys.values()),
                "marked": self.marked,
                "refused": self.refused,
                "first": self.first,
                "last": self.last,
            }


# The header section only; Message-IDs are short and never folded.
HEADERS_END = re.compile(rb"\r?\n\r?\n")
MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(<[^>\r\n]*>)", re.IGNORECASE | re.MULTILINE)


class SmtpCounter:
    """aiosmtpd handler: counts each mail by its Message-ID, without parsing the MIME."""

    def __init__(self, tally: Tally) -> None:
        self.tally = tally

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        content: bytes = envelope.content
        head = HEADERS_END.split(content, maxsplit=1)[0]
        found = MESSAGE_ID.search(head)
        if found is None or len(envelope.rcpt_tos) != 1:
            self.tally.refuse()
            return "554 bench: one recipient and a Message-ID, please"
        self.tally.add(found.group(1).decode(), marked=b"text/calendar" in content)
        return "250 OK"


def start_smtp(port: int, tally: Tally) -> Callable[[], None]:
    from aiosmtpd.controller import Controller  # noqa: PLC0415

    controller = Controller(
        SmtpCounter(tally), hostname=HOST, port=port, ready_timeout=SERVER_TIMEOUT
    )
    controller.start()
    return controller.stop


def start_twilio(port: int, tally: Tally) -> Callable[[], None]:
    """Twilio's Messages API as far as the dispatcher uses it, with Twilio's checks."""
    from aiohttp import web  # noqa: PLC0415

    expected = "Basic " + base64.b64encode(f"{TWILIO_SID}:{TWILIO_TOKEN}".encode()).decode()

    async def create_message(request: web.Request) -> web.Response:
        if request.match_info["sid"] != TWILIO_SID:
            tally.refuse()
            return web.json_response({"code": 20404, "message": "not found"}, status=404)
        if request.headers.get("Authorization") != expected:
            tally.refuse()
            return web.json_response({"code": 20003, "message": "auth"}, status=401)
        form = await request.post()
        to, sender, body = (str(form.get(name, "")) for name in ("To", "From", "Body"))
        if not (to and sender and body):
            tally.refuse()
            return web.json_response({"code": 21602, "message": "To, From, Body"}, status=400)
        number = tally.add(to, marked="#t=" in body)
        answer = {
            "sid": f"SM{number:032d}",
            "account_sid": TWILIO_SID,
            "to": to,
            "from": sender,
            "body": body,
            "status": "queued",
        }
        return web.json_response(answer, status=201)

    async def start() -> web.AppRunner:
        app = web.Application()
        app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", create_message)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, HOST, port).start()
        return runner

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="twilio", daemon=True)
    thread.start()
    runner = asyncio.run_coroutine_threadsafe(start(), loop).result(SERVER_TIMEOUT)

    def stop() -> None:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(STOP_TIMEOUT)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(STOP_TIMEOUT)

    return stop


def peer_main(kind: str, port: int, control: Connection) -> None:
    """Entry point of a peer process: serves in a thread, answers the bench here."""
    tally = Tally()
    stop = (start_smtp if kind == "smtp" else start_twilio)(port, tally)
    try:
        control.send(("ready", os.getpid()))
        while True:  # until the bench says stop, or goes away (EOF)
            try:
                command = control.recv()
            except EOFError:
                break
            if command == "stats":
                control.send(tally.snapshot())
            elif command == "reset":
                tally.reset()
                control.send("ok")
            else:
                break
    finally:
        stop()


@dataclass
class Peer:
    kind: str
    port: int
    process: Any  # multiprocessing's Process of the spawn context
    control: Connection

    def ask(self, command: str) -> Any:
        try:
            self.control.send(command)
            if self.control.poll(SERVER_TIMEOUT):
                return self.control.recv()
        except (EOFError, OSError) as error:
            raise BenchError(f"the {self.kind} server went away: {error}") from error
        raise BenchError(f"the {self.kind} server did not answer {command!r}")

    @property
    def pid(self) -> int:
        return int(self.process.pid)


def wait_ready(peer: Peer) -> None:
    try:
        ready = peer.control.poll(SERVER_TIMEOUT) and peer.control.recv()
    except EOFError:  # it died at start
        ready = None
    if not ready:
        raise BenchError(
            f"the {peer.kind} server did not start (exit code {peer.process.exitcode})"
        )


@contextmanager
def running_peers() -> Iterator[tuple[Peer, Peer]]:
    """The SMTP server and the Twilio API, each in a process of its own (its own GIL)."""
    context = harness.spawn_context()
    peers: list[Peer] = []
    try:
        for kind in ("smtp", "twilio"):
            ours, theirs = context.Pipe()
            port = harness.free_port()
            process = context.Process(
                target=peer_main, args=(kind, port, theirs), name=f"bench-{kind}", daemon=True
            )
            process.start()
            theirs.close()
            peers.append(Peer(kind, port, process, ours))
            wait_ready(peers[-1])
        yield peers[0], peers[1]
    finally:
        for peer in peers:
            with suppress(OSError):
                peer.control.send("stop")
        harness.stop_children([peer.process for peer in peers], grace=STOP_TIMEOUT)
        for peer in peers:
            peer.control.close()


# --- CPU --------------------------------------------------------------------------


@dataclass(frozen=True)
class Cpu:
    shares: dict[str, float]  # per cent of one core
    others: list[str]  # who used most of ``rest``


def cpu_meter(peers: Sequence[Peer]) -> harness.CpuMeter:
    """This script with what it reaped (the workers, py-spy), and each peer."""
    return harness.CpuMeter({"bench": [os.getpid()]} | {peer.kind: [peer.pid] for peer in peers})


def cpu_by_user(use: harness.CpuUse, workers_cpu_s: float = 0.0) -> Cpu:
    """The round's CPU by who used it, the workers by their own rusage.

    ``postgres`` counts every PostgreSQL process, so other databases' queries at the
    time land there too. ``rest`` is what the machine did besides the workers, the
    peers, PostgreSQL and this script (with py-spy): other people's work, the kernel's
    network softirqs and the hypervisor's steal.
    """
    workers = use.share(workers_cpu_s)
    used = {
        "workers": workers,
        "postgres": use.named("postgres"),
        **{kind: share for kind, share in use.groups.items() if kind != "bench"},
        "bench + py-spy": round(max(0.0, use.groups["bench"] - workers), 1),
    }
    others = [(name, share) for name, share in use.others.items() if name != "postgres"][:3]
    busiest = [f"{name} {share:.0f}%" for name, share in others if share >= 1]
    return Cpu(used | {"rest": use.rest(used)}, busiest)


def quiet_load(peers: Sequence[Peer]) -> dict[str, Any]:
    """The machine's load while nothing of the bench works: someone else's share."""
    meter = cpu_meter(peers)
    time.sleep(QUIET_SECONDS)
    cpu = cpu_by_user(meter.measure())
    return {
        "machine": round(sum(cpu.shares.values()), 1),
        "loadavg_1min": round(os.getloadavg()[0], 2),
        "others": cpu.others,
    }


# --- a round ----------------------------------------------------------------------


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log: IO[bytes]
    started: float
    ended: float | None = None
    cpu_s: float = 0.0


def worker_env(database_url: str, peers: tuple[Peer, Peer], batch: int) -> dict[str, str]:
    smtp, twilio = peers
    return wcr_env(
        database_url,
        WCR_SMTP_HOST=HOST,
        WCR_SMTP_PORT=str(smtp.port),
        WCR_SMTP_TLS="none",
        WCR_MAIL_FROM=MAIL_FROM,
        WCR_TWILIO_ACCOUNT_SID=TWILIO_SID,
        WCR_TWILIO_AUTH_TOKEN=TWILIO_TOKEN,
        WCR_TWILIO_FROM=TWILIO_FROM,
        WCR_TWILIO_BASE_URL=f"http://{HOST}:{twilio.port}",
        WCR_PUBLIC_URL=PUBLIC_URL,
        # One secret for every worker: the links they sign are the same.
        WCR_SECRET_KEY=BENCH_SECRET,
        WCR_OUTBOX_BATCH=str(batch),
        WCR_OUTBOX_LEASE_SECONDS=str(LEASE_SECONDS),
    )


def reap(workers: list[Worker], deadline: float) -> None:
    """Wait for every worker, with its own CPU time (wait4), until ``deadline``."""
    running = list(workers)
    while running and time.monotonic() < deadline:
        for worker in list(running):
            pid, status, usage = os.wait4(worker.process.pid, os.WNOHANG)
            if pid:
                worker.ended = time.monotonic()
                worker.cpu_s = usage.ru_utime + usage.ru_stime
                worker.process.returncode = os.waitstatus_to_exitcode(status)
                running.remove(worker)
        time.sleep(POLL_INTERVAL)
    if running:
        raise BenchError(f"the workers did not finish in {deadline - workers[0].started:.0f} s")


def stop_workers(workers: list[Worker]) -> None:
    """Kill the workers still running (after a timeout, an error or Ctrl-C)."""
    for worker in workers:
        if worker.process.returncode is None:
            with suppress(ProcessLookupError):
                os.killpg(worker.process.pid, signal.SIGKILL)
            worker.process.wait(STOP_TIMEOUT)


def has_exited(pid: int) -> bool:
    """Whether the child ``pid`` has ended, leaving it for ``reap`` (WNOWAIT)."""
    return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None


def profile(pid: int, output: Path, peers: tuple[Peer, Peer], deadline: float) -> harness.Profiler:
    """py-spy on the worker ``pid`` from its first message on (its imports left out)."""
    while time.monotonic() < deadline and not has_exited(pid):
        if any(peer.ask("stats")["received"] for peer in peers):
            break
        time.sleep(0.05)
    return harness.start_py_spy(pid, output, rate=PY_SPY_RATE, flags=["--idle"])


@dataclass(frozen=True)
class Round:
    workers: int
    batch: int
    messages: int
    wall_s: float  # first worker started to last one ended
    per_s: float
    startup_s: float  # first worker started to the first message at a peer
    send_s: float  # first to last message at the peers
    send_per_s: float
    worker_cpu_s: float
    cpu_ms_per_message: float
    sent_by_worker: list[int]
    cpu: dict[str, float]  # per cent of one core
    others: list[str]  # who used most of cpu["rest"]
    problems: list[str]


def run_round(
    database_url: str,
    peers: tuple[Peer, Peer],
    workload: Workload,
    options: Options,
    *,
    count: int,
    py_spy: Path | None = None,
) -> Round:
    for peer in peers:
        peer.ask("reset")
    env = worker_env(database_url, peers, options.batch)
    with ExitStack() as stack:
        meter = cpu_meter(peers)
        workers: list[Worker] = []
        stack.callback(stop_workers, workers)
        for _ in range(count):
            log = stack.enter_context(tempfile.TemporaryFile())
            # Its own session: stopping it on a timeout reaches nothing else.
            process = subprocess.Popen(
                [str(harness.BIN / "wcr"), "worker", "--once"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=log,
                start_new_session=True,
            )
            workers.append(Worker(process, log, time.monotonic()))
        deadline = workers[0].started + options.drain_timeout
        spy = profile(workers[0].process.pid, py_spy, peers, deadline) if py_spy else None
        try:
            reap(workers, deadline)
        finally:
            if spy is not None:
                harness.stop_py_spy(spy, interrupt=False)  # it ends with the worker
        cpu_s = sum(w.cpu_s for w in workers)
        cpu = cpu_by_user(meter.measure(), cpu_s)
        problems = [
            f"worker {w.process.pid} exited with {w.process.returncode}:\n"
            + harness.log_tail(w.log, 30)
            for w in workers
            if w.process.returncode != 0
        ]
    smtp, twilio = (peer.ask("stats") for peer in peers)
    outcome = asyncio.run(read_outcome(database_url))
    problems += database_problems(outcome, len(workload.message_ids), count)
    problems += peer_problems("SMTP", smtp, workload.mail_ids, "with a calendar")
    problems += peer_problems("Twilio", twilio, workload.phones, "with the manage link")
    first = min((s["first"] for s in (smtp, twilio) if s["first"] is not None), default=None)
    last = max((s["last"] for s in (smtp, twilio) if s["last"] is not None), default=None)
    started = workers[0].started
    wall = max(w.ended or started for w in workers) - started
    send = (last - first) if first is not None and last is not None else 0.0
    by_pid = {int(name.rsplit(":", 1)[1]): n for name, n in outcome.attempts_by_worker.items()}
    return Round(
        workers=count,
        batch=options.batch,
        messages=options.messages,
        wall_s=round(wall, 3),
        per_s=round(options.messages / wall, 1),
        startup_s=round(first - started, 3) if first is not None else 0.0,
        send_s=round(send, 3),
        send_per_s=round(options.messages / send, 1) if send else 0.0,
        worker_cpu_s=round(cpu_s, 2),
        cpu_ms_per_message=round(1000 * cpu_s / options.messages, 2),
        sent_by_worker=[by_pid.get(w.process.pid, 0) for w in workers],
        cpu=cpu.shares,
        others=cpu.others,
        problems=problems,
    )


def database_problems(outcome: Outcome, expected: int, count: int) -> list[str]:
    """Every message sent, claimed once, by every worker."""
    problems = []
    if outcome.statuses != {"sent": expected}:
        problems.append(f"statuses {outcome.statuses}, not {{'sent': {expected}}}")
    if outcome.not_one_attempt:
        problems.append(f"{outcome.not_one_attempt} messages not claimed exactly once")
    if outcome.attempt_outcomes != {"sent": expected}:
        problems.append(f"attempts {outcome.attempt_outcomes}, not {{'sent': {expected}}}")
    if outcome.sms_without_provider_id:
        problems.append(f"{outcome.sms_without_provider_id} SMS without Twilio's SID")
    if len(outcome.attempts_by_worker) != count:
        problems.append(f"{len(outcome.attempts_by_worker)} workers sent, not {count}")
    return problems


def peer_problems(name: str, got: dict[str, Any], want: frozenset[str], marked: str) -> list[str]:
    """Each expected e-mail (Message-ID) or SMS (number) arrived exactly once."""
    problems = []
    if got["received"] != len(want) or got["duplicates"]:
        problems.append(
            f"{name} received {got['received']} ({len(got['keys'])} distinct, "
            f"{got['duplicates']} duplicates), not {len(want)} distinct"
        )
    if set(got["keys"]) != want:
        problems.append(f"{name}: {len(want - set(got['keys']))} expected ones missing")
    if got["marked"] != len(want):
        problems.append(f"{name}: {got['marked']} {marked}, not {len(want)}")
    if got["refused"]:
        problems.append(f"{name} refused {got['refused']} requests")
    return problems


# --- the profile ------------------------------------------------------------------

# (category, function or "" for any, a piece of the file's path). A sample of the
# worker's main thread goes to the rule of its innermost matching frame; what runs
# outside the dispatcher's calls (I/O callbacks of the event loop) goes by its leaf.
CALL_RULES = [
    ("imports on first use", "_find_and_load", "importlib"),
    ("PostgreSQL: opening a connection", "get_new_connection", "piccolo/engine/postgres.py"),
    ("icalendar: the .ics", "", "icalendar/"),
    ("Babel: dates and times", "", "babel/"),
    ("render.email: the MIME message", "email", "notifications/render.py"),
    ("render.render: texts, html", "render", "notifications/render.py"),
    ("aiosmtplib: connect, EHLO, send", "", "aiosmtplib/"),
    ("twilio client (+ aiohttp)", "", "twilio/"),
    ("render.contexts: 3 queries a batch", "contexts", "notifications/render.py"),
    ("mark sent + attempt row", "_finish", "notifications/dispatcher.py"),
    ("claim", "claim", "notifications/dispatcher.py"),
]
IDLE = "waiting (PostgreSQL, SMTP, Twilio)"
LEAF_RULES = [
    ("asyncpg: protocol callbacks", "asyncpg/"),
    ("aiohttp: protocol callbacks", "aiohttp/"),
    ("aiosmtplib: connect, EHLO, send", "aiosmtplib/"),
    ("asyncio: transports, loop", "asyncio/"),
]


def frame_parts(frame: str) -> tuple[str, str]:
    """py-spy's ``function (path:line)`` as (function, path)."""
    function, _, where = frame.rpartition(" (")
    return function, where.rsplit(":", 1)[0]


def categorise(frames: list[str]) -> str:
    if "select" in frame_parts(frames[-1])[0].lower():
        return IDLE  # the loop waits for PostgreSQL, the SMTP server or Twilio
    for frame in reversed(frames):  # innermost first
        function, path = frame_parts(frame)
        for name, wanted, piece in CALL_RULES:
            if piece in path and (not wanted or function.endswith(wanted)):
                return name
    for frame in reversed(frames[-4:]):
        for name, piece in LEAF_RULES:
            if piece in frame_parts(frame)[1]:
                return name
    return "other"


def summarise_profile(path: Path, messages: int) -> dict[str, float]:
    """Wall milliseconds per message by category, from py-spy's raw output (with
    ``--idle``, one sample every 1/PY_SPY_RATE s); only the worker's main thread."""
    counts: Counter[str] = Counter()
    for line in path.read_text().splitlines():
        stack, _, number = line.rpartition(" ")
        frames = stack.split(";")
        # The executor's idle threads (getaddrinfo) start in threading, not in `wcr`.
        if number.isdigit() and stack and "threading.py" not in frames[0]:
            counts[categorise(frames)] += int(number)
    per_sample = 1000 / PY_SPY_RATE / messages
    return {name: round(n * per_sample, 2) for name, n in counts.most_common()}


# --- report -----------------------------------------------------------------------


def table(rounds: list[Round]) -> list[str]:
    def row(label: str, values: list[str]) -> str:
        return f"  {label:<34}" + "".join(f"{v:>16}" for v in values)

    lines = [row("", [f"{r.workers} worker{'s' * (r.workers > 1)}" for r in rounds])]
    lines += [
        row("messages (e-mail + SMS)", [str(r.messages) for r in rounds]),
        row("WCR_OUTBOX_BATCH", [str(r.batch) for r in rounds]),
        row("time to drain, s", [f"{r.wall_s:.1f}" for r in rounds]),
        row("messages/s (over the drain)", [f"{r.per_s:.1f}" for r in rounds]),
        row("start-up to 1st message, s", [f"{r.startup_s:.2f}" for r in rounds]),
        row("1st to last message, s", [f"{r.send_s:.1f}" for r in rounds]),
        row("messages/s (1st to last)", [f"{r.send_per_s:.1f}" for r in rounds]),
        row("worker CPU (with start-up), ms/msg", [f"{r.cpu_ms_per_message:.2f}" for r in rounds]),
        row("sent by each worker", ["/".join(map(str, r.sent_by_worker)) for r in rounds]),
    ]
    for key in rounds[0].cpu:
        lines.append(row(f"CPU % of a core: {key}", [f"{r.cpu[key]:.0f}" for r in rounds]))
    lines.append(row("verification", ["ok" if not r.problems else "FAILED" for r in rounds]))
    return lines


def report(
    options: Options,
    workload: Workload,
    quiet: dict[str, Any],
    rounds: list[Round],
    spied: dict[str, float] | None,
) -> None:
    print(
        f"\n{options.messages} due messages ({len(workload.mail_ids)} e-mails, "
        f"{len(workload.phones)} SMS) of {options.bookings} bookings; "
        f"{workload.demo_messages} demo messages removed first"
    )
    print(
        f"machine before the rounds: {quiet['machine']:.0f}% of a core busy over "
        f"{QUIET_SECONDS:.0f} s ({', '.join(quiet['others']) or 'nobody much'}), "
        f"load average {quiet['loadavg_1min']:.2f}, {os.cpu_count()} cores\n"
    )
    print("\n".join(table(rounds)))
    for one in rounds:
        print(f"  rest, {one.workers} worker(s): {', '.join(one.others) or 'nobody much'}")
    for one in rounds:
        for problem in one.problems:
            print(f"MISMATCH ({one.workers} worker(s)): {problem}")
    ratio = round(rounds[1].per_s / rounds[0].per_s, 2)
    sending = round(rounds[1].send_per_s / rounds[0].send_per_s, 2) if rounds[0].send_per_s else 0
    print(
        f"\n2 workers / 1 worker, messages/s: {ratio:.2f} over the drain, {sending:.2f} 1st to last"
    )
    if spied is not None:
        total = sum(spied.values())
        print(f"\nprofile of the worker in round 1 ({options.py_spy}), wall ms per message:")
        for name, ms in spied.items():
            print(f"  {name:<34}{ms:>8.2f}{100 * ms / total:>7.0f} %")
    if options.json:
        summary = {
            "options": {"messages": options.messages, "batch": options.batch},
            "quiet": quiet,
            "rounds": [asdict(r) for r in rounds],
            "ratio_2_to_1": ratio,
            "ratio_2_to_1_sending": sending,
            "profile": spied,
            "ok": not any(r.problems for r in rounds),
        }
        harness.print_summary_line(summary)


# --- the run ----------------------------------------------------------------------


def run(options: Options) -> bool:
    database = harness.ThrowawayDatabase(options.admin_url, DATABASE_PREFIX)
    with database as database_url:
        print(f"database   {database.name}: migrate, seed-demo", flush=True)
        harness.migrate(wcr_env(database_url), seed_demo=True)
        began = time.monotonic()
        workload = asyncio.run(write_workload(database_url, options.bookings))
        problems = asyncio.run(check_rendering(database_url, workload.message_ids))
        if problems:
            raise BenchError("; ".join(problems))
        asyncio.run(vacuum(database_url))
        print(
            f"messages   {options.messages} written in {time.monotonic() - began:.1f} s",
            flush=True,
        )
        with running_peers() as peers:
            smtp, twilio = peers
            print(f"peers      SMTP :{smtp.port}, Twilio :{twilio.port}", flush=True)
            quiet = quiet_load(peers)
            rounds = []
            for count in (1, 2):
                if count > 1:
                    asyncio.run(reset_messages(database_url, workload))
                spy = options.py_spy if count == 1 else None
                rounds.append(
                    run_round(database_url, peers, workload, options, count=count, py_spy=spy)
                )
                print(f"round {count}    {count} worker(s): {rounds[-1].wall_s:.1f} s", flush=True)
    spied = summarise_profile(options.py_spy, options.messages) if options.py_spy else None
    report(options, workload, quiet, rounds, spied)
    return not any(r.problems for r in rounds)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    return harness.run_bench(lambda: run(options))


if __name__ == "__main__":
    sys.exit(main())
