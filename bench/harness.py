"""What every bench here needs besides its own measurement, written once.

A bench parses its options, creates a PostgreSQL database of its own, runs `wcr migrate`
(and mostly `wcr seed-demo`), starts the app under uvicorn on a free loopback port,
measures, verifies, reports, and cleans up however it ends, with one set of exit codes.
Those parts live here, so that a bench file holds only what it measures and checks,
and so that the benches agree on what "CPU", "p99" or "could not run" mean.

Everything here stays on 127.0.0.1 and only reads /proc (Linux). Nothing here imports
`wcr`: the harness does not care how the app's modules are called, and adds nothing
to what a bench's spawned helpers (load generators, fake peers) have to import.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing
import os
import queue
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, asynccontextmanager, contextmanager, suppress
from dataclasses import asdict, dataclass
from enum import IntEnum
from multiprocessing.context import SpawnContext
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlparse

import aiohttp
import asyncpg

HOST = "127.0.0.1"
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
# The venv's own scripts (wcr, py-spy), whichever way the venv was reached.
BIN = Path(sys.executable).parent

# Upper bounds, so that no wait of a bench can hang for ever.
CLI_TIMEOUT = 300
CONNECT_TIMEOUT = 10
HEALTH_TIMEOUT = 60
STOP_TIMEOUT = 15
LOG_LINES = 40  # of a server's output, shown when the bench could not run


class BenchError(Exception):
    """The bench could not be set up or run (as opposed to a failed verification)."""


# --- exit codes -------------------------------------------------------------------


class Exit(IntEnum):
    """The exit status of every bench, so that scripts can tell a bug from bad luck."""

    VERIFIED = 0
    FAILED = 1  # it ran, and the verification found a mismatch
    COULD_NOT_RUN = 2  # no PostgreSQL, a server that did not start, a timeout, ...
    INTERRUPTED = 130  # Ctrl-C or SIGTERM, as a shell reports SIGINT


def _interrupt(_signal: int, _frame: object) -> None:
    raise KeyboardInterrupt


def run_bench(body: Callable[[], bool]) -> int:
    """Runs ``body`` (True: verified) and turns how it ended into the exit status.

    SIGTERM unwinds like Ctrl-C, so that on the way out every server is stopped and
    the throw-away database dropped, whoever ends the run.
    """
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        verified = body()
    except BenchError as error:
        print(f"bench failed: {error}", file=sys.stderr)
        return Exit.COULD_NOT_RUN
    except KeyboardInterrupt:
        print("bench interrupted", file=sys.stderr)
        return Exit.INTERRUPTED
    return Exit.VERIFIED if verified else Exit.FAILED


# --- options ----------------------------------------------------------------------


def positive(text: str) -> int:
    """argparse type: a whole number of at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive number")
    return value


def positive_float(text: str) -> float:
    """argparse type: a finite number above 0 (a rate, a duration)."""
    value = float(text)
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return value


def admin_url() -> str:
    """Where the throw-away databases are created: WCR_BENCH_POSTGRES_URL or the local
    default, never the app's own WCR_DATABASE_URL (a bench must not touch real data)."""
    return os.environ.get("WCR_BENCH_POSTGRES_URL", DEFAULT_ADMIN_URL)


def options_view(options: Any) -> dict[str, Any]:
    """A bench's options dataclass for its JSON summary: paths as text, no admin URL
    (it may carry a password, and says nothing about the figures)."""
    view = {k: str(v) if isinstance(v, Path) else v for k, v in asdict(options).items()}
    view.pop("admin_url", None)
    return view


def print_summary_line(summary: Mapping[str, Any]) -> None:
    """The JSON summary, one line and the last one, so that ``tail -n 1`` finds it."""
    print(json.dumps(summary), flush=True)


# --- the throw-away database ------------------------------------------------------


async def admin_execute(admin_url: str, sql: str) -> None:
    """One statement on the admin connection (CREATE or DROP DATABASE)."""
    try:
        connection = await asyncpg.connect(admin_url, timeout=CONNECT_TIMEOUT)
    except (OSError, asyncpg.PostgresError) as error:
        raise BenchError(f"cannot reach PostgreSQL at {admin_url}: {error}") from error
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@dataclass(frozen=True)
class ThrowawayDatabase:
    """A new, empty database named ``<prefix>_<pid>``, dropped however the run ends.

    ``with`` or ``async with`` it (whichever the bench's top level is); either gives the
    database's URL. A database of this name can only be left over from a crashed run
    that had our pid, so it is dropped first; ``WITH (FORCE)`` ends the sessions that a
    killed server may have left.
    """

    admin_url: str
    prefix: str

    @property
    def name(self) -> str:
        return f"{self.prefix}_{os.getpid()}"

    @property
    def url(self) -> str:
        return urlparse(self.admin_url)._replace(path="/" + self.name).geturl()

    async def create(self) -> str:
        await self.drop()
        await admin_execute(self.admin_url, f'CREATE DATABASE "{self.name}"')
        return self.url

    async def drop(self) -> None:
        await admin_execute(self.admin_url, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    async def __aenter__(self) -> str:
        return await self.create()

    async def __aexit__(self, *_exc: object) -> None:
        await self.drop()

    def __enter__(self) -> str:
        return asyncio.run(self.create())

    def __exit__(self, *_exc: object) -> None:
        asyncio.run(self.drop())


def wcr_env(
    database_url: str, *, inherit_wcr: bool = True, drop: Iterable[str] = ()
) -> dict[str, str]:
    """The environment of a `wcr` command or server on ``database_url``.

    PICCOLO_CONF goes: `wcr` picks its own, and an inherited one points elsewhere. So do
    the names in ``drop``, and with ``inherit_wcr=False`` every WCR_ setting of the
    caller's (SMTP, Twilio, batch sizes), for a bench that sets all it needs itself.
    """
    dropped = {"PICCOLO_CONF", *drop}
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in dropped and (inherit_wcr or not k.startswith("WCR_"))
    }
    return env | {"WCR_DATABASE_URL": database_url}


def wcr(env: Mapping[str, str], *args: str, stdin: str | None = None) -> str:
    """Runs the venv's `wcr` with ``args``; its output, or BenchError with what it said."""
    result = subprocess.run(
        [str(BIN / "wcr"), *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"wcr {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def migrate(env: Mapping[str, str], *, seed_demo: bool = False) -> None:
    """`wcr migrate`, and `wcr seed-demo` (sites, agencies, services, 14 days of slots)."""
    wcr(env, "migrate")
    if seed_demo:
        wcr(env, "seed-demo")


# --- servers ----------------------------------------------------------------------


def free_port() -> int:
    """A port that was free a moment ago (the server binds it right after)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def log_tail(log: IO[bytes], lines: int = LOG_LINES) -> str:
    """The last lines of a child's output file, for a failure message."""
    log.seek(0)
    return "\n".join(log.read().decode(errors="replace").splitlines()[-lines:])


def stop_process_group(process: subprocess.Popen[Any]) -> None:
    """SIGTERM, then SIGKILL, to the process group this script started for ``process``
    (``start_new_session``): that reaches uvicorn's workers, and nothing else."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(STOP_TIMEOUT)


@dataclass(frozen=True)
class Server:
    """A uvicorn process of the app, its base URL and the file it writes its output to."""

    process: subprocess.Popen[bytes]
    url: str
    log: IO[bytes]

    @property
    def pid(self) -> int:
        return self.process.pid


@contextmanager
def uvicorn_server(
    env: Mapping[str, str], *, workers: int = 1, app: str = "wcr.app:app_from_env"
) -> Iterator[Server]:
    """The app under uvicorn on a free loopback port, stopped (workers and all) at the
    end; not answering yet when this yields (``await wait_healthy(server)``).

    The rate limit is off (the load comes from one address), so are the challenge and
    the booking limits unless ``env`` turns them on, and WCR_PUBLIC_URL is the server's
    own URL. Its output goes to a file, not a pipe: nobody reads it while the server
    runs, and a full pipe would block it. A BenchError inside the block gets the end of
    that output added: a 500 or a dead server says little by itself.
    """
    port = free_port()
    url = f"http://{HOST}:{port}"
    command = [
        sys.executable, "-m", "uvicorn", app, "--factory",
        "--host", HOST, "--port", str(port), "--workers", str(workers),
        "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    # No proof of work unless the bench asks for it (WCR_CHALLENGE=on in ``env``).
    server_env = {
        "WCR_CHALLENGE": "off",
        # One bench contact books many places: the limits are off unless ``env`` sets them.
        "WCR_MAX_ACTIVE_BOOKINGS_PER_CONTACT": "0",
        "WCR_MAX_ACTIVE_BOOKINGS_PER_COMPANY": "0",
        **env,
        "WCR_RATE_LIMIT_PER_MINUTE": "0",
        # Staff budget and stream cap too: every desk and display comes from one address.
        "WCR_STAFF_RATE_LIMIT_PER_MINUTE": "0",
        "WCR_MAX_STREAMS_PER_ADDRESS": "0",
        "WCR_PUBLIC_URL": url,
    }
    with tempfile.TemporaryFile() as log:
        # Its own process group, so that stopping it also reaches the workers.
        process = subprocess.Popen(
            command, env=server_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield Server(process, url, log)
        except BenchError as error:
            raise BenchError(f"{error}\noutput of the server {url}:\n{log_tail(log)}") from error
        finally:
            stop_process_group(process)


async def wait_healthy(server: Server) -> None:
    """Until ``GET /health`` answers 200; BenchError if the server dies or stays silent."""
    deadline = time.monotonic() + HEALTH_TIMEOUT
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise BenchError(f"the server {server.url} exited at start")
            with suppress(aiohttp.ClientError, TimeoutError):
                async with session.get(server.url + "/health") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.1)
    raise BenchError(f"no answer from {server.url}/health in {HEALTH_TIMEOUT} s")


@asynccontextmanager
async def running_servers(
    env: Mapping[str, str], count: int = 1, *, workers: int = 1, app: str = "wcr.app:app_from_env"
) -> AsyncIterator[list[Server]]:
    """``count`` servers of ``app`` (the app's factory) on ``env``, started together,
    all answering."""
    with ExitStack() as stack:
        servers = [
            stack.enter_context(uvicorn_server(env, workers=workers, app=app)) for _ in range(count)
        ]
        for server in servers:
            await wait_healthy(server)
        yield servers


# --- helper processes -------------------------------------------------------------


def spawn_context() -> SpawnContext:
    """spawn, not fork: the bench process already runs an event loop and helper threads,
    which a forked child would inherit half-way."""
    return multiprocessing.get_context("spawn")


async def poll_queue(
    messages: Any, timeout: float, waiting_for: str, *, interval: float = 0.02
) -> Any:
    """The next message from a multiprocessing queue, or BenchError after ``timeout``.

    Polled rather than awaited in a thread: a thread blocked in ``get`` would keep the
    process alive after Ctrl-C until its timeout ran out.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with suppress(queue.Empty):
            return messages.get_nowait()
        await asyncio.sleep(interval)
    raise BenchError(f"no {waiting_for} in {timeout:.0f} s")


def stop_children(processes: Iterable[BaseProcess], grace: float) -> None:
    """Reap helper processes; one still running after ``grace`` seconds has failed or
    been interrupted, its results are of no use any more, and it is killed."""
    for process in processes:
        if process.pid is None:  # never started
            continue
        process.join(grace)
        if process.is_alive():
            process.kill()
            process.join(STOP_TIMEOUT)


@dataclass(frozen=True)
class Profiler:
    """A py-spy process and the file its complaints go to (a pipe nobody reads while it
    records could fill up and stop it)."""

    process: subprocess.Popen[bytes]
    errors: IO[bytes]

    @property
    def pid(self) -> int:
        return self.process.pid


def start_py_spy(
    pid: int, output: Path | str, *, rate: int = 100, flags: Sequence[str] = ()
) -> Profiler:
    """py-spy recording ``pid`` as raw collapsed stacks into ``output``.

    Blocking sampling (py-spy's default) pauses the target ``rate`` times a second,
    which costs it a little; --nonblocking would cost nothing but tears stacks.
    """
    command = [
        str(BIN / "py-spy"), "record", "--pid", str(pid), "--rate", str(rate),
        "--format", "raw", "--output", str(output), *flags,
    ]  # fmt: skip
    errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed by stop_py_spy
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=errors, start_new_session=True
    )
    return Profiler(process, errors)


def stop_py_spy(profiler: Profiler, *, interrupt: bool = True) -> None:
    """py-spy writes its file on SIGINT (``interrupt``) or when its target ends; wait for
    that, and say what it complained about if it failed."""
    process = profiler.process
    if interrupt:
        process.send_signal(signal.SIGINT)
    try:
        process.wait(2 * STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.terminate()  # it writes what it has on SIGTERM, too
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_TIMEOUT)
    with profiler.errors:
        if process.returncode != 0:
            print(f"py-spy: {log_tail(profiler.errors).strip()}", file=sys.stderr)


# --- CPU --------------------------------------------------------------------------


@dataclass(frozen=True)
class ProcessStat:
    name: str
    parent: int
    ticks: int  # user + system clock ticks, its own and those of the children it reaped


def process_table() -> dict[int, ProcessStat]:
    """Every process on the machine, read from /proc (only read: nothing is signalled)."""
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            # Processes come and go while we read: a vanished one is simply left out.
            with suppress(OSError, ValueError, IndexError):
                text = (entry / "stat").read_text()
                fields = text[text.rindex(")") + 1 :].split()
                table[int(entry.name)] = ProcessStat(
                    name=text[text.index("(") + 1 : text.rindex(")")],
                    parent=int(fields[1]),
                    ticks=sum(int(v) for v in fields[11:15]),  # utime stime cutime cstime
                )
    return table


def ticks_used(before: dict[int, ProcessStat], after: dict[int, ProcessStat]) -> Counter[int]:
    """Clock ticks per process over the interval; one born meanwhile counts in full.

    A process that ended has its time in its parent's children by now (PostgreSQL's
    backends, uvicorn's workers), so its part before the interval comes off the parent.
    """
    used: Counter[int] = Counter()
    for pid, stat in after.items():
        used[pid] += stat.ticks - (before[pid].ticks if pid in before else 0)
    for pid, stat in before.items():
        if pid not in after and stat.parent in after:
            used[stat.parent] -= stat.ticks
    return used


def machine_busy_ticks() -> int:
    """Busy clock ticks of all cores since boot. Steal, the time the hypervisor gave to
    other guests, counts as busy: it is someone else's work, like any other."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = (
        int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    return user + nice + system + irq + softirq + steal


def process_trees(
    table: dict[int, ProcessStat], groups: Mapping[str, Sequence[int]]
) -> dict[str, list[int]]:
    """Each group's processes and everything below them (uvicorn's supervisor and its
    workers), except what is another group's own process (this script's servers)."""
    children: dict[int, list[int]] = {}
    for pid, stat in table.items():
        children.setdefault(stat.parent, []).append(pid)
    roots = {pid for pids in groups.values() for pid in pids}
    trees = {}
    for label, pids in groups.items():
        tree = list(pids)
        for pid in tree:  # grows while children are found; bounded by the table's size
            tree += [child for child in children.get(pid, []) if child not in roots]
        trees[label] = tree
    return trees


def _stem(name: str) -> str:
    # Kernel workers change their name with their work item: named by the stem.
    return name.split("-", 1)[0] if name.startswith("kworker") else name


@dataclass(frozen=True)
class CpuUse:
    """What a CpuMeter saw over one interval, in per cent of one core: 100 is one core
    busy for the whole interval, and a 2-core machine goes up to 200."""

    wall_s: float
    machine: float  # everything, steal included
    groups: dict[str, float]  # the meter's groups, in their order
    others: dict[str, float]  # every other process by name ("postgres", ...), most first

    def share(self, cpu_seconds: float) -> float:
        """CPU seconds measured otherwise (rusage, a child's report) in the same unit."""
        return round(100 * cpu_seconds / self.wall_s, 1)

    def named(self, name: str) -> float:
        """All processes called ``name`` (every PostgreSQL backend, say), whatever their
        work: other databases' queries at the time land there too."""
        return self.others.get(name, 0.0)

    def rest(self, measured: Mapping[str, float]) -> float:
        """What the machine did besides ``measured``: other people's work, the kernel's
        network softirqs, steal. A large rest makes the figures not worth comparing."""
        return round(max(0.0, self.machine - sum(measured.values())), 1)


class CpuMeter:
    """CPU used from its creation to ``measure()``, by groups of processes of the bench
    (label -> pids, each with all below it), by name for every other process, and by
    the whole machine; it says which side saturates first, and whether someone else
    was using the machine meanwhile."""

    def __init__(self, groups: Mapping[str, Sequence[int]] | None = None) -> None:
        self.groups = dict(groups or {})
        self.started = time.monotonic()
        self.machine = machine_busy_ticks()
        self.table = process_table()

    def measure(self) -> CpuUse:
        after = process_table()
        machine = machine_busy_ticks() - self.machine
        wall = time.monotonic() - self.started
        scale = 100 / os.sysconf("SC_CLK_TCK") / wall
        used = ticks_used(self.table, after)
        groups = {}
        for label, tree in process_trees(after, self.groups).items():
            groups[label] = round(sum(used.pop(pid, 0) for pid in tree) * scale, 1)
        by_name: Counter[str] = Counter()
        for pid, ticks in used.items():
            by_name[_stem(after[pid].name) if pid in after else "?"] += ticks
        return CpuUse(
            wall_s=wall,
            machine=round(machine * scale, 1),
            groups=groups,
            others={name: round(ticks * scale, 1) for name, ticks in by_name.most_common()},
        )


# --- figures ----------------------------------------------------------------------


def percentile(ordered: Sequence[float], fraction: float) -> float:
    """Nearest rank of sorted values: a latency that some request really had."""
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


@dataclass(frozen=True)
class Latency:
    """Nearest-rank percentiles of a set of durations, in milliseconds."""

    count: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float

    @classmethod
    def of(cls, seconds: Iterable[float], *, digits: int | None = None) -> Latency:
        """From durations in seconds, rounded to ``digits`` decimals of a millisecond."""
        ordered = sorted(1000 * s for s in seconds)
        if not ordered:
            raise BenchError("no durations to summarise")

        def ms(value: float) -> float:
            return value if digits is None else round(value, digits)

        return cls(
            count=len(ordered),
            p50_ms=ms(percentile(ordered, 0.50)),
            p95_ms=ms(percentile(ordered, 0.95)),
            p99_ms=ms(percentile(ordered, 0.99)),
            max_ms=ms(ordered[-1]),
        )
