"""Entries lapse after their last offer, or when their days have passed."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from litestar import Litestar

from tests.conftest import World, local, next_weekday
from tests.waitlist.helpers import bearer, booked, entry_status, holds, join
from wcr import clock
from wcr.waitlist import sweep
from wcr.waitlist.tables import WaitlistEntry


async def test_the_last_offer_unclaimed_lapses_the_entry_and_the_place_passes_on(
    app: Litestar, world: World, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = next_weekday(3)
    slot = await world.slot(local(day, 9))
    taken = (await world.book(slot)).json()
    first = await join(client, day, 1)
    await WaitlistEntry.update({WaitlistEntry.max_offers: 1}).where(
        WaitlistEntry.reference == first["reference"]
    )
    response = await client.post(
        f"/api/v1/bookings/{taken['reference']}/cancel", headers=bearer(taken["manage_token"])
    )
    assert response.status_code == 200
    later = clock.now() + timedelta(minutes=31)
    monkeypatch.setattr("wcr.waitlist.sweep.now", lambda: later)
    assert await sweep.sweep(app.state.engine) == 2  # one hold ran out, one entry lapsed
    assert await entry_status(first["reference"]) == "lapsed"
    assert await booked(slot) == 0  # nobody else waits: the place is free again
    assert [h["status"] for h in await holds()] == ["expired"]
    # Lapsed, the contact may join again.
    await join(client, day, 1)


async def test_entries_whose_days_passed_lapse(
    app: Litestar, world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(3)
    old = await join(client, day, 1)
    current = await join(client, day, 2)
    await WaitlistEntry.update(
        {
            WaitlistEntry.first_day: day - timedelta(days=30),
            WaitlistEntry.last_day: clock.now().date() - timedelta(days=3),
        }
    ).where(WaitlistEntry.reference == old["reference"])
    assert await sweep.sweep(app.state.engine) == 1
    assert await entry_status(old["reference"]) == "lapsed"
    assert await entry_status(current["reference"]) == "waiting"
