"""Dispatchers as separate processes: several at once, and one killed mid-batch."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from litestar import Litestar

from tests.conftest import World, local, next_weekday
from tests.notifications.servers import SmtpServer
from wcr.booking import bookings
from wcr.booking.contact import clean_contact
from wcr.notifications.tables import Message, MessageAttempt

pytestmark = pytest.mark.slow
WCR = str(Path(sys.executable).with_name("wcr"))
MESSAGES = 30


async def booked_mails(world: World, app: Litestar, count: int) -> None:
    """``count`` bookings with an e-mail address only: one confirmation each."""
    day = next_weekday(4)
    for n in range(count):
        slot = await world.slot(
            local(day, 8, 0).replace(hour=8 + n // 12, minute=(n % 12) * 5), minutes=5
        )
        contact = clean_contact(f"Person {n}", f"p{n}@example.org", None, "en")
        await bookings.book(app.state.engine, [slot], contact)


def worker(
    database_url: str,
    smtp_port: int,
    *args: str,
    batch: int = 50,
    extra: dict[str, str] | None = None,
) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "WCR_DATABASE_URL": database_url,
        "WCR_SMTP_HOST": "127.0.0.1",
        "WCR_SMTP_PORT": str(smtp_port),
        "WCR_OUTBOX_LEASE_SECONDS": "3",
        "WCR_OUTBOX_BATCH": str(batch),
        **(extra or {}),
    }
    return subprocess.Popen(
        [WCR, "worker", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


async def all_sent() -> list[str]:
    rows = await Message.select(Message.status)
    return [r["status"] for r in rows]


async def test_two_workers_send_every_message_once(
    world: World, app: Litestar, database_url: str
) -> None:
    await booked_mails(world, app, MESSAGES)
    with SmtpServer(delay=0.1) as smtp:
        # Small batches, so that both keep claiming while the other sends.
        first = worker(database_url, smtp.port, "--once", batch=3)
        second = worker(database_url, smtp.port, "--once", batch=3)
        for process in (first, second):
            assert process.stderr is not None  # stderr=PIPE
            assert process.wait(timeout=120) == 0, process.stderr.read()
            process.stderr.close()
        ids = Counter(m["Message-ID"] for m in smtp.inbox.messages)
    assert len(ids) == MESSAGES
    assert max(ids.values()) == 1
    assert await all_sent() == ["sent"] * MESSAGES
    senders = Counter(r["worker"] for r in await MessageAttempt.select(MessageAttempt.worker))
    assert len(senders) == 2, senders  # both took part
    assert sum(senders.values()) == MESSAGES  # one attempt each: nobody claimed twice


async def test_a_worker_killed_mid_batch_loses_nothing(
    world: World, app: Litestar, database_url: str
) -> None:
    await booked_mails(world, app, MESSAGES)
    with SmtpServer(delay=0.1) as smtp:
        doomed = worker(database_url, smtp.port)
        deadline = time.monotonic() + 60
        while len(smtp.inbox.messages) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        doomed.send_signal(signal.SIGKILL)  # in the middle of its batch of 30
        doomed.wait(timeout=10)
        assert doomed.stderr is not None  # stderr=PIPE
        doomed.stderr.close()
        received_before = len(smtp.inbox.messages)
        assert 5 <= received_before < MESSAGES
        time.sleep(3.5)  # the dead worker's lease runs out
        rescue = worker(database_url, smtp.port, "--once")
        assert rescue.stderr is not None  # stderr=PIPE
        assert rescue.wait(timeout=120) == 0, rescue.stderr.read()
        rescue.stderr.close()
        ids = Counter(m["Message-ID"] for m in smtp.inbox.messages)
    assert len(ids) == MESSAGES  # nothing lost
    # At least once: only the mail in flight at the kill may come again, and it keeps
    # its Message-ID, so a mail system shows it once.
    assert sum(ids.values()) - MESSAGES <= 1
    assert await all_sent() == ["sent"] * MESSAGES


async def test_two_workers_racing_for_one_recipient_keep_the_daily_cap(
    world: World, app: Litestar, database_url: str
) -> None:
    await booked_mails(world, app, MESSAGES)
    # Thirty confirmations, all to one address: the cap of 5 must hold across workers.
    await Message.update({Message.recipient: "one@example.org"}).where(Message.kind == "booked")
    cap = {"WCR_MAX_MESSAGES_PER_RECIPIENT_PER_DAY": "5"}
    # Each mail held half a second at the server, one claimed at a time: the sends
    # last longer than a worker takes to start, so the second joins while the first
    # sends (with 50 ms, the first had done all thirty before the second began).
    with SmtpServer(delay=0.5) as smtp:
        first = worker(database_url, smtp.port, "--once", batch=1, extra=cap)
        second = worker(database_url, smtp.port, "--once", batch=1, extra=cap)
        for process in (first, second):
            assert process.stderr is not None  # stderr=PIPE
            assert process.wait(timeout=120) == 0, process.stderr.read()
            process.stderr.close()
        received = len(smtp.inbox.messages)
    booked = await Message.select(Message.status).where(Message.kind == "booked")
    statuses = Counter(r["status"] for r in booked)
    assert received == 5
    assert statuses == {"sent": 5, "suppressed": MESSAGES - 5}
    senders = Counter(r["worker"] for r in await MessageAttempt.select(MessageAttempt.worker))
    assert len(senders) == 2, senders  # both took part
