"""One-stop entries racing: 12 cancellations at once while visitors book half of the
other parts of those visits directly. Every freed place is held for exactly one
entry (a whole visit for a one-stop entry, or the one place), no place is both held
and booked or held twice, and claiming books each place once."""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from datetime import time

import httpx
import pytest
from litestar import Litestar

from tests.conftest import World, local, next_weekday
from tests.waitlist.helpers import bearer, booked, holds, join
from tests.waitlist.test_offers import cancel
from tests.waitlist.test_one_stop import BOTH, active, pair
from wcr import clock
from wcr.booking import public as booking
from wcr.database import write_transaction

PAIRS = 12
ENTRIES = 30


async def test_cancellations_and_bookings_racing_never_hold_a_place_twice(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(4)
    pairs = [await pair(world, day, time(8 + n)) for n in range(PAIRS)]
    registrations = [r for r, _ in pairs]
    recognitions = [c for _, c in pairs]
    bookings = [
        (await world.book(r, email=f"booker{n}@example.org")).json()
        for n, r in enumerate(registrations)
    ]
    # Even entries wait for the visit of both, odd ones for the registration alone.
    joined = [
        await join(client, day, n, service=None, services=BOTH)
        if n % 2 == 0
        else await join(client, day, n)
        for n in range(ENTRIES)
    ]
    one_stop = {j["reference"] for j in joined[::2]}

    direct = recognitions[::2]
    answers = await asyncio.gather(
        *(cancel(client, b) for b in bookings),
        *(world.book(c, email=f"direct{n}@example.org") for n, c in enumerate(direct)),
    )
    direct_codes = [a.status_code for a in answers[PAIRS:] if isinstance(a, httpx.Response)]
    assert set(direct_codes) <= {201, 409}

    made = [h for h in await holds() if h["status"] == "held"]
    by_slot: dict[object, list[object]] = defaultdict(list)
    by_entry: dict[object, set[object]] = defaultdict(set)
    for hold in made:
        by_slot[hold["slot"]].append(hold["reference"])
        by_entry[hold["reference"]].add(hold["slot"])
    assert all(len(holders) == 1 for holders in by_slot.values())  # none held twice
    assert set(registrations) <= set(by_slot)  # every freed place went to someone
    for reference, slots in by_entry.items():
        if reference in one_stop:
            # A whole visit: one place of each (not always a pair's two: a recognition
            # that ends 60 minutes before a registration starts is a visit too).
            assert len(slots & set(registrations)) == len(slots & set(recognitions)) == 1
            assert len(slots) == len(BOTH)
        else:
            assert len(slots) == 1
            assert slots <= set(registrations)
    for slot in registrations + recognitions:
        assert await booked(slot) == len(by_slot.get(slot, [])) + await active(slot) <= 1
    # A direct booking got its place only when no hold took it.
    assert direct_codes.count(201) == sum([await active(c) for c in direct])

    claims = await asyncio.gather(
        *(
            client.post(f"/api/v1/waitlist/{j['reference']}/claim", headers=bearer(j["token"]))
            for j in joined
            for _ in range(2)
        )
    )
    assert [c.status_code for c in claims].count(201) == len(by_entry)
    for slot in registrations + recognitions:
        assert await booked(slot) == await active(slot) <= 1
    assert [h for h in await holds() if h["status"] == "held"] == []


class RolledBack(Exception):
    pass


async def test_another_transactions_locked_place_counts_as_full_not_waited_for(
    app: Litestar, world: World, database_url: str
) -> None:
    """The other places of a one-stop hold are taken while the freed slot's row is
    held: waiting for a row another transaction holds could deadlock with it (it may
    be waiting for ours), so that place counts as full and the next visit is tried."""
    if not database_url.startswith("postgres"):
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): no row is ever locked")
    slot = await world.slot(local(next_weekday(4), 9), capacity=2)
    engine = app.state.engine
    locked, release = asyncio.Event(), asyncio.Event()

    async def holder() -> None:
        with contextlib.suppress(RolledBack):
            async with write_transaction(engine):
                assert await booking.take_held_place(slot, clock.now()) is not None
                locked.set()
                await release.wait()
                raise RolledBack

    async def taker() -> tuple[object, object]:
        await locked.wait()
        async with write_transaction(engine):
            other = await asyncio.wait_for(booking.take_other_place(slot, clock.now()), 5)
        release.set()
        return other, await booked(slot)

    _, (other, seen) = await asyncio.gather(holder(), taker())
    assert other is None  # one place was still free, but its row was locked
    assert seen == 0  # and nothing was taken
    assert await booked(slot) == 0
    assert await booking.take_other_place(slot, clock.now()) is not None  # unlocked: taken
