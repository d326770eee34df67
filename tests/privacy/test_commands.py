"""The data protection commands as an operator runs them: processes of the real `wcr`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from litestar import Litestar

from tests.conftest import TEST_SECRET_KEY, World
from tests.databases import WCR
from tests.privacy.visits import (
    FIONA,
    OLGA,
    RITA,
    Sim,
    everything,
    future_booking,
    history,
    traces,
)
from tests.queue.conftest import Desk
from wcr.booking.tables import Booking
from wcr.notifications.dispatcher import Dispatcher
from wcr.notifications.tables import Message


def environment(database_url: str, outbox: Path) -> dict[str, str]:
    return {
        **os.environ,
        "WCR_DATABASE_URL": database_url,
        "WCR_SECRET_KEY": TEST_SECRET_KEY,
        "WCR_OUTBOX_DIR": str(outbox),
    }


def wcr(database_url: str, outbox: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [WCR, *args],
        env=environment(database_url, outbox),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def counts(output: str) -> dict[str, int]:
    pairs = (line.rsplit(": ", 1) for line in output.splitlines() if ": " in line)
    return {name: int(value) for name, value in pairs if value.isdigit()}


async def old_and_recent(
    app: Litestar, world: World, desk: Desk, dispatcher: Dispatcher, sim: Sim
) -> None:
    now = datetime.now(UTC)
    await history(app, world, desk, dispatcher, sim, RITA, now - timedelta(days=10))
    await history(app, world, desk, dispatcher, sim, OLGA, now - timedelta(days=120))
    sim.go(None)


async def test_purge_and_its_dry_run_from_the_command_line(
    app: Litestar,
    world: World,
    desk: Desk,
    dispatcher: Dispatcher,
    sim: Sim,
    outbox: Path,
    database_url: str,
) -> None:
    await old_and_recent(app, world, desk, dispatcher, sim)
    rows = await everything()

    dry = wcr(database_url, outbox, "purge", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith("would erase personal data of visits before ")
    assert "(WCR_RETENTION_DAYS=90)" in dry.stdout
    assert await everything() == rows
    assert await traces(OLGA, outbox) != []

    done = wcr(database_url, outbox, "purge")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("erased personal data of visits before ")
    assert counts(done.stdout) == counts(dry.stdout)
    assert counts(done.stdout)["booking"] == 2
    assert counts(done.stdout)["ticket"] == 3
    assert counts(done.stdout)["waitlist_entry"] == 2
    assert await traces(OLGA, outbox) == []
    assert "booking.name" in await traces(RITA, outbox)

    shorter = subprocess.run(
        [WCR, "purge"],
        env=environment(database_url, outbox) | {"WCR_RETENTION_DAYS": "7"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert shorter.returncode == 0, shorter.stderr
    assert counts(shorter.stdout)["booking"] == 2  # Rita's
    assert counts(shorter.stdout)["waitlist_entry"] == 2
    bad = subprocess.run(
        [WCR, "purge"],
        env=environment(database_url, outbox) | {"WCR_RETENTION_DAYS": "ninety"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad.returncode != 0
    assert "WCR_RETENTION_DAYS" in bad.stderr


async def test_person_export_and_erase_from_the_command_line(
    app: Litestar,
    world: World,
    desk: Desk,
    dispatcher: Dispatcher,
    sim: Sim,
    outbox: Path,
    database_url: str,
) -> None:
    await old_and_recent(app, world, desk, dispatcher, sim)
    ahead = (await future_booking(world, OLGA)).json()["reference"]
    await future_booking(world, FIONA, days=8)

    by_number = wcr(database_url, outbox, "person-export", "0049 1512 3456789")
    assert by_number.returncode == 0, by_number.stderr
    held = json.loads(by_number.stdout)
    assert held["contact"] == OLGA.e164
    assert ahead in {b["reference"] for b in held["bookings"]}
    assert held["tickets"]
    assert held["messages"]
    assert len(held["waitlist"]) == 2
    by_address = json.loads(wcr(database_url, outbox, "person-export", OLGA.email).stdout)
    assert {b["reference"] for b in by_address["bookings"]} == {
        b["reference"] for b in held["bookings"]
    }

    erased = wcr(database_url, outbox, "person-erase", OLGA.email)
    assert erased.returncode == 0, erased.stderr
    assert f"cancelled: {ahead}" in erased.stdout
    assert counts(erased.stdout)["booking"] == 3
    assert counts(erased.stdout)["waitlist_entry"] == 2  # her open entry and the one she left
    assert "left the waitlist (nobody told): " in erased.stdout
    assert await traces(OLGA, outbox, only=OLGA.address()) == []
    # Her walk-in gave her number alone: named, and erased when asked.
    assert f"not followed (erase each that is this person's too): {OLGA.e164}" in erased.stdout
    assert wcr(database_url, outbox, "person-erase", OLGA.phone).returncode == 0
    assert await traces(OLGA, outbox) == []
    assert "booking.email" in await traces(FIONA, outbox)
    cancelled = await Booking.select(Booking.id, Booking.status).where(Booking.reference == ahead)
    assert cancelled[0]["status"] == "cancelled"
    assert not await Message.exists().where(
        Message.booking == cancelled[0]["id"], Message.kind == "cancelled"
    )
    after = json.loads(wcr(database_url, outbox, "person-export", OLGA.email).stdout)
    assert (after["bookings"], after["tickets"], after["messages"]) == ([], [], [])

    refused = wcr(database_url, outbox, "person-erase", "not a contact")
    assert refused.returncode != 0
    assert "contact" in refused.stderr


async def test_the_worker_process_purges_when_it_starts(
    app: Litestar,
    world: World,
    desk: Desk,
    dispatcher: Dispatcher,
    sim: Sim,
    outbox: Path,
    database_url: str,
) -> None:
    await old_and_recent(app, world, desk, dispatcher, sim)
    worker = subprocess.Popen(
        [WCR, "worker"],
        env=environment(database_url, outbox),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        # Until every trace is gone, not only the booking: the purge goes table by
        # table, then the outbox folder (CI once stopped it between the two).
        while await traces(OLGA, outbox):
            assert worker.poll() is None, worker.stderr.read() if worker.stderr else ""
            assert time.monotonic() < deadline, "the worker did not purge"
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        if worker.stderr is not None:
            worker.stderr.close()
    assert worker.returncode == 0
    assert await traces(OLGA, outbox) == []
    assert await Booking.exists().where(Booking.name == RITA.name)
