"""Several instances of the app on PostgreSQL and Redis (issue 13, item 6), as the
README's "Running several instances" starts them: real processes, ``wcr serve
--workers 2`` and ``wcr serve`` on one database and one Redis, the dispatcher off in
both and two ``wcr worker`` processes beside them.

A visitor books on the first instance; the front desk signs in on the first and checks
the visitor in on the second (the session is the database's, not a process's); a call
display's stream on the first hears the check-in; the confirmation mail reaches a local
SMTP server exactly once; and the public rate limit is one budget for all of them.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
import redis

from tests.conftest import TEST_SECRET_KEY
from tests.databases import DatabaseFactory, postgres_available
from tests.live_server import free_port
from tests.notifications.servers import SmtpServer
from tests.queue.test_live_events import PASSWORD, prepare
from wcr import features
from wcr.booking.tables import Slot
from wcr.catalogue.tables import Service, Site
from wcr.database import bind_tables, make_engine

WCR = str(Path(sys.executable).with_name("wcr"))
REDIS_URL = os.environ.get("WCR_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SERVICE = "residence-registration"
PUBLIC_BUDGET = 30  # public requests per minute and client address, for all instances
STREAM_TIMEOUT = httpx.Timeout(10.0, read=None)
START_TIMEOUT = 60.0
MAIL_TIMEOUT = 30.0
LATE_MAIL_SECONDS = 3.0  # several dispatcher rounds: a second copy would have come


def redis_available() -> bool:
    try:
        with redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2) as client:
            return bool(client.ping())
    except redis.RedisError:
        return False


async def require_services() -> None:
    """Skipped without PostgreSQL or Redis; on CI (.ci/run starts both) a failure."""
    missing = [
        name
        for name, there in (
            ("PostgreSQL (WCR_TEST_POSTGRES_URL)", await postgres_available()),
            (f"Redis ({REDIS_URL})", redis_available()),
        )
        if not there
    ]
    if missing and os.environ.get("CI"):
        pytest.fail(f"{' and '.join(missing)} must be reachable on CI")
    if missing:
        pytest.skip(f"{' and '.join(missing)} not reachable")


# --- processes ----------------------------------------------------------------------


@dataclass(frozen=True)
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: IO[bytes]

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-3000:]


@contextmanager
def started(name: str, args: list[str], env: dict[str, str]) -> Iterator[Process]:
    """``wcr ARGS`` in a process group of its own (uvicorn's workers are in it too),
    stopped at the end; its output goes to a file, shown when something fails."""
    with tempfile.TemporaryFile() as log:
        popen = subprocess.Popen(
            [WCR, *args], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        process = Process(name, popen, log)
        try:
            yield process
        except BaseException as error:
            error.add_note(f"output of {name}:\n{process.output()}")
            raise
        finally:
            if popen.poll() is None:
                os.killpg(popen.pid, signal.SIGTERM)
                try:
                    popen.wait(15)
                except subprocess.TimeoutExpired:
                    os.killpg(popen.pid, signal.SIGKILL)
                    popen.wait(15)


async def wait_healthy(process: Process, base: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    async with httpx.AsyncClient(timeout=2) as client:
        while time.monotonic() < deadline:
            assert process.popen.poll() is None, f"{process.name} exited:\n{process.output()}"
            try:
                if (await client.get(f"{base}/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    pytest.fail(f"{process.name} did not answer in {START_TIMEOUT} s:\n{process.output()}")


# --- the world ----------------------------------------------------------------------


async def slot_starting_soon(database_url: str) -> int:
    """A free place at Bochum in five minutes: inside the check-in window (from 30
    minutes before), whatever the time of day the test runs at."""
    engine = make_engine(database_url)
    bind_tables(engine, features.table_classes())
    site = await Site.select(Site.id).where(Site.slug == "bochum").first()
    service = await Service.select(Service.id, Service.agency).where(Service.slug == SERVICE)
    assert site is not None
    assert service
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=5)
    rows = await Slot.insert(
        Slot(
            site=site["id"],
            service=service[0]["id"],
            agency=service[0]["agency"],
            starts_at=start,
            ends_at=start + timedelta(minutes=20),
            capacity=1,
        )
    ).returning(Slot.id)
    return int(rows[0]["id"])


@asynccontextmanager
async def postgres_database() -> AsyncIterator[str]:
    with tempfile.TemporaryDirectory() as folder:
        factory = DatabaseFactory("postgres", Path(folder))
        await factory.prepare()  # migrated by the real `wcr migrate`
        try:
            url = await factory.new()
            await asyncio.to_thread(prepare, url)  # the demo and a Bochum clerk
            yield url
        finally:
            await factory.close()


async def next_event(lines: AsyncIterator[str], wanted: str) -> dict[str, Any]:
    """The next ``ticket`` event of type ``wanted`` on an SSE stream."""
    kind = None
    async for line in lines:
        if line.startswith("event:"):
            kind = line.split(":", 1)[1].strip()
        elif line.startswith("data:") and kind == "ticket":
            data: dict[str, Any] = json.loads(line.split(":", 1)[1])
            if data["type"] == wanted:
                return data
    pytest.fail("the stream ended")


async def confirmations(smtp: SmtpServer, address: str, reference: str) -> list[str]:
    """Message-IDs of the confirmations to ``address``, once the first came and the
    dispatchers had time to send a second."""
    deadline = time.monotonic() + MAIL_TIMEOUT

    def ours() -> list[str]:
        with smtp.inbox.lock:
            return [
                str(m["Message-ID"])
                for m in smtp.inbox.messages
                if address in str(m["To"]) and reference in str(m["Subject"])
            ]

    while not ours() and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    await asyncio.sleep(LATE_MAIL_SECONDS)
    return ours()


# --- the test -----------------------------------------------------------------------


@pytest.mark.slow
async def test_two_instances_and_two_workers_share_one_deployment() -> None:
    await require_services()
    prefix = f"wcr_test_{uuid.uuid4().hex[:12]}"  # this run's Redis keys, removed after
    keys = redis.Redis.from_url(REDIS_URL)
    address = f"amira.{prefix}@example.org"
    try:
        async with postgres_database() as database_url:
            slot_id = await slot_starting_soon(database_url)
            with SmtpServer() as smtp, ExitStack() as stack:
                shared = {
                    **os.environ,
                    "WCR_DATABASE_URL": database_url,
                    "WCR_REDIS_URL": REDIS_URL,
                    "WCR_REDIS_PREFIX": prefix,
                    "WCR_SECRET_KEY": TEST_SECRET_KEY,  # one secret: links work everywhere
                    "WCR_DISPATCH_IN_PROCESS": "0",
                    "WCR_CHALLENGE": "off",
                    "WCR_RATE_LIMIT_PER_MINUTE": str(PUBLIC_BUDGET),
                    "WCR_SMTP_HOST": "127.0.0.1",
                    "WCR_SMTP_PORT": str(smtp.port),
                    "WCR_SMTP_TLS": "none",
                    "WCR_MAIL_FROM": "termine@wcr-welcome.example",
                }
                shared.pop("PICCOLO_CONF", None)
                ports = [free_port(), free_port()]
                shared["WCR_PUBLIC_URL"] = f"http://127.0.0.1:{ports[0]}"
                one, two = (f"http://127.0.0.1:{port}" for port in ports)
                servers = [
                    stack.enter_context(started(name, args, shared | {"WCR_PORT": str(port)}))
                    for name, args, port in (
                        ("instance 1", ["serve", "--workers", "2"], ports[0]),
                        ("instance 2", ["serve"], ports[1]),
                    )
                ]
                for name in ("worker 1", "worker 2"):
                    stack.enter_context(started(name, ["worker"], shared))
                for server, base in zip(servers, (one, two), strict=True):
                    await wait_healthy(server, base)
                await deployment_works(one, two, slot_id, address, smtp)
        ours = list(keys.scan_iter(match=f"{prefix}*"))
        assert ours, "rate limits and events went through this run's Redis keys"
    finally:
        for key in keys.scan_iter(match=f"{prefix}*"):
            keys.delete(key)
        keys.close()


async def deployment_works(
    one: str, two: str, slot_id: int, address: str, smtp: SmtpServer
) -> None:
    async with (
        httpx.AsyncClient(base_url=one, timeout=10) as visitor,
        httpx.AsyncClient(timeout=10) as desk,
        httpx.AsyncClient(base_url=one, timeout=STREAM_TIMEOUT) as display,
        display.stream("GET", "/api/v1/sites/bochum/events") as stream,
    ):
        lines = stream.aiter_lines()
        assert await asyncio.wait_for(anext(lines), 5) == "event: ready"
        booked = await visitor.post(
            "/api/v1/bookings",
            json={"slot_id": slot_id, "name": "Amira Haddad", "email": address, "language": "en"},
        )
        assert booked.status_code == 201, booked.text
        reference = booked.json()["reference"]

        login = await desk.post(
            f"{one}/api/v1/auth/login", json={"username": "clerk", "password": PASSWORD}
        )
        assert login.status_code == 200, login.text
        desk.headers["Authorization"] = f"Bearer {login.json()['token']}"
        checked = await desk.post(
            f"{two}/api/v1/sites/bochum/checkins", json={"reference": reference}
        )
        assert checked.status_code == 201, checked.text
        ticket = checked.json()["ticket"]
        event = await asyncio.wait_for(next_event(lines, "checked_in"), 10)
    assert event["ticket"]["id"] == ticket["id"]
    assert event["ticket"]["number"] == ticket["number"]

    sent = await confirmations(smtp, address, reference)
    assert len(sent) == 1, sent  # two dispatchers, one mail

    # One budget for every process: alternate between the instances until refused.
    answers = []
    async with httpx.AsyncClient(timeout=10) as client:
        for n in range(2 * PUBLIC_BUDGET + 2):
            base = (one, two)[n % 2]
            answers.append((base, (await client.get(f"{base}/api/v1/sites")).status_code))
    served = sum(1 for _, status in answers if status == 200)
    refused = {base for base, status in answers if status == 429}
    assert served < PUBLIC_BUDGET, answers  # the booking and the stream counted too
    assert refused == {one, two}, answers


def test_several_workers_refuse_sqlite_and_no_redis(tmp_path: Path) -> None:
    """Without Redis each process would count its own limits and hear only its own
    calls; `wcr serve --workers 2` says so instead of serving."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WCR_")}
    env["WCR_DATABASE_URL"] = f"sqlite:///{tmp_path / 'one.sqlite3'}"
    env["WCR_PORT"] = str(free_port())
    result = subprocess.run(
        [WCR, "serve", "--workers", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "PostgreSQL" in result.stderr
    assert "WCR_REDIS_URL" in result.stderr
