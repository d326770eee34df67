"""An app that dispatches in process (`make run`, one process for a small centre) runs
what `wcr worker` runs beside the sending: the waitlist's sweep and the daily purge."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import httpx
import pytest
from litestar import Litestar

from tests.conftest import World, local, next_weekday, running
from tests.waitlist.helpers import bearer, entry_status, join
from wcr import clock
from wcr.app import create_app
from wcr.waitlist.tables import WaitlistHold


async def test_the_in_process_worker_passes_on_run_out_holds_and_purges(
    app: Litestar, world: World, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    day = next_weekday(3)
    slot = await world.slot(local(day, 9))
    taken = (await world.book(slot)).json()
    first = await join(client, day, 1)
    second = await join(client, day, 2)
    cancelled = await client.post(
        f"/api/v1/bookings/{taken['reference']}/cancel", headers=bearer(taken["manage_token"])
    )
    assert cancelled.status_code == 200
    assert await entry_status(first["reference"]) == "offered"
    await WaitlistHold.update(
        {WaitlistHold.expires_at: clock.now() - timedelta(minutes=1)}, force=True
    )

    settings = app.state.settings
    one_process = create_app(
        type(settings)(**{**settings.__dict__, "dispatch_in_process": True, "pool_size": 5})
    )
    caplog.set_level(logging.INFO, logger="wcr")
    async with running(one_process):
        for _ in range(100):  # the sweep runs at start, then every minute
            if await entry_status(second["reference"]) == "offered":
                break
            await asyncio.sleep(0.1)
    assert await entry_status(first["reference"]) == "waiting"
    assert await entry_status(second["reference"]) == "offered"
    assert any("purge of visits before" in r.getMessage() for r in caplog.records)
