"""The purge after the retention: old visits keep no name, address, number or hashed
key anywhere, recent ones keep theirs, the statistics stay the same; a dry run changes
nothing; the worker does it daily."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from litestar import Litestar

from tests.conftest import World
from tests.privacy.visits import (
    FIONA,
    OLGA,
    RITA,
    Sim,
    everything,
    future_booking,
    history,
    statistics,
    traces,
    wait_for,
)
from tests.queue.conftest import Desk
from wcr.audit.public import ActorKind, entries
from wcr.booking.tables import Booking
from wcr.notifications.dispatcher import Dispatcher
from wcr.privacy.public import every_day, purge


async def visits(app: Litestar, world: World, desk: Desk, dispatcher: Dispatcher, sim: Sim) -> None:
    """Rita came ten days ago, Olga four months ago (in this order: the dispatcher
    forgets the cap's counts of days before yesterday, and Olga's must be there to be
    purged), Fiona comes next week."""
    now = datetime.now(UTC)
    await history(app, world, desk, dispatcher, sim, RITA, now - timedelta(days=10))
    await history(app, world, desk, dispatcher, sim, OLGA, now - timedelta(days=120))
    sim.go(None)
    await future_booking(world, FIONA)
    ahead = datetime.now(UTC).date() + timedelta(days=7)
    await wait_for(world, FIONA, "recognition", ahead, ahead + timedelta(days=2))


async def test_a_purge_leaves_no_trace_of_old_visits_and_the_statistics_as_they_were(
    app: Litestar, world: World, desk: Desk, dispatcher: Dispatcher, sim: Sim, outbox: Path
) -> None:
    await visits(app, world, desk, dispatcher, sim)
    olga_before = await traces(OLGA, outbox)
    # The scan sees the person where a visit puts them (else it could prove nothing).
    assert {
        "booking.name",
        "booking.email",
        "booking.phone",
        "booking.email_key",
        "booking.phone_key",
        "ticket.name",
        "ticket.phone",
        "ticket.note",
        "ticket.email_key",
        # Her open entry (its contact keys are held while it is open) and the one she left.
        "waitlist_entry.name",
        "waitlist_entry.email",
        "waitlist_entry.phone",
        "waitlist_entry.email_service",
        "waitlist_entry.phone_service",
        "message.recipient",
        "contact_lock.key",
        "message_quota.recipient_day",
    } <= set(olga_before), olga_before
    assert any(place.startswith("outbox/") for place in olga_before)
    before = await statistics()

    done = await purge(app.state.engine, app.state.settings)

    assert await traces(OLGA, outbox) == []
    assert done.counts["booking"] == 2  # served, and the one cancelled
    assert done.counts["ticket"] == 3  # checked in, walked in, joined from afar
    assert done.counts["waitlist_entry"] == 2  # the one past its days, the one she left
    assert done.counts["contact_lock"] == 2  # her address and her number
    assert done.counts["message"] > 0
    assert done.counts["outbox files"] > 0
    assert await statistics() == before
    # Within the retention, and ahead: untouched.
    assert set(await traces(RITA, outbox)) >= {"booking.name", "ticket.name", "message.recipient"}
    assert {"booking.email", "waitlist_entry.email_service"} <= set(await traces(FIONA, outbox))
    assert set(await traces(RITA, outbox)) >= {"waitlist_entry.name", "waitlist_entry.email"}
    again = await purge(app.state.engine, app.state.settings)
    assert again.total == 0
    logged = await entries(action="purge", actor_kind=ActorKind.SYSTEM)
    assert [e.details["booking"] for e in logged] == [0, 2]  # one entry per run, newest first
    assert logged[0].actor.id == "purge"


async def test_the_retention_is_the_setting(
    app: Litestar, world: World, desk: Desk, dispatcher: Dispatcher, sim: Sim, outbox: Path
) -> None:
    await visits(app, world, desk, dispatcher, sim)
    short = replace(app.state.settings, retention_days=5)
    done = await purge(app.state.engine, short)
    assert done.retention_days == 5
    assert done.counts["booking"] == 4  # Rita's visit ten days ago goes too
    assert done.counts["waitlist_entry"] == 4
    assert await traces(RITA, outbox) == []
    assert {"booking.name", "waitlist_entry.name"} <= set(await traces(FIONA, outbox))


async def test_a_dry_run_counts_exactly_and_changes_nothing(
    app: Litestar, world: World, desk: Desk, dispatcher: Dispatcher, sim: Sim, outbox: Path
) -> None:
    await visits(app, world, desk, dispatcher, sim)
    rows = await everything()
    files = {path.name: path.read_bytes() for path in outbox.iterdir()}

    counted = await purge(app.state.engine, app.state.settings, dry_run=True)

    assert counted.dry_run
    assert await everything() == rows  # no audit entry either
    assert {path.name: path.read_bytes() for path in outbox.iterdir()} == files
    done = await purge(app.state.engine, app.state.settings)
    assert counted.counts == done.counts
    assert counted.counts["booking"] == 2


async def test_small_batches_erase_the_same(
    app: Litestar, world: World, desk: Desk, dispatcher: Dispatcher, sim: Sim, outbox: Path
) -> None:
    await visits(app, world, desk, dispatcher, sim)
    done = await purge(app.state.engine, app.state.settings, batch=1)
    assert (done.counts["booking"], done.counts["ticket"], done.counts["waitlist_entry"]) == (
        2,
        3,
        2,
    )
    assert await traces(OLGA, outbox) == []


async def names() -> set[str]:
    return {row["name"] for row in await Booking.select(Booking.name)}


async def test_the_worker_purges_at_its_start_and_on_each_new_day(
    app: Litestar, world: World, desk: Desk, dispatcher: Dispatcher, sim: Sim, outbox: Path
) -> None:
    await visits(app, world, desk, dispatcher, sim)
    stop = asyncio.Event()
    daily = asyncio.create_task(
        every_day(app.state.engine, app.state.settings, stop, check_every=0.05)
    )
    try:
        async with asyncio.timeout(30):
            while OLGA.name in await names():
                await asyncio.sleep(0.05)
            assert RITA.name in await names()
            # Three months later (the worker still running): Rita's visit is old too.
            sim.go(datetime.now(UTC) + timedelta(days=95))
            while RITA.name in await names():
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        await daily
    assert await traces(OLGA, outbox) == []
    assert await traces(RITA, outbox) == []
    assert len(await entries(action="purge")) >= 2
