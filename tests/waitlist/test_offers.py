"""A freed place is held for the earliest-joined fitting entry and booked by one tap."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from litestar import Litestar

from tests.conftest import World, local, next_weekday
from tests.waitlist.helpers import bearer, booked, entry_status, holds, join
from wcr import clock
from wcr.booking.tables import Appointment
from wcr.waitlist import sweep
from wcr.waitlist.tables import WaitlistHold


async def cancel(client: httpx.AsyncClient, booking: dict[str, str]) -> None:
    response = await client.post(
        f"/api/v1/bookings/{booking['reference']}/cancel",
        headers=bearer(booking["manage_token"]),
    )
    assert response.status_code == 200, response.text


async def test_a_cancelled_place_is_held_for_the_first_entry_and_claimed_once(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(3)
    slot = await world.slot(local(day, 9))
    taken = (await world.book(slot)).json()
    first = await join(client, day, 1)
    second = await join(client, day, 2)
    assert first["status"] == "waiting"
    assert "#t=" in first["leave_url"]
    assert "?" not in first["leave_url"]
    await cancel(client, taken)
    assert await holds() == [{"slot": slot, "status": "held", "reference": first["reference"]}]
    assert await booked(slot) == 1  # held: nobody else can book it
    assert (await world.book(slot)).status_code == 409
    view = await client.get(
        f"/api/v1/waitlist/{first['reference']}", headers=bearer(first["token"])
    )
    assert view.status_code == 200
    assert view.json()["status"] == "offered"
    assert view.json()["offer"]["slot_ids"] == [slot]
    claims = [
        await client.post(
            f"/api/v1/waitlist/{first['reference']}/claim", headers=bearer(first["token"])
        )
        for _ in range(2)
    ]
    assert [c.status_code for c in claims] == [201, 409]
    assert await booked(slot) == 1
    assert await Appointment.count().where(Appointment.slot == slot) == 2  # cancelled + new
    made = await client.get(
        f"/api/v1/bookings/{claims[0].json()['reference']}",
        headers=bearer(claims[0].json()["manage_token"]),
    )
    assert made.json()["status"] == "confirmed"
    assert await entry_status(first["reference"]) == "booked"
    assert await entry_status(second["reference"]) == "waiting"


async def test_a_hold_that_runs_out_passes_on_and_the_entry_lapses_after_its_offers(
    app: Litestar, world: World, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = next_weekday(3)
    slot = await world.slot(local(day, 9))
    taken = (await world.book(slot)).json()
    first = await join(client, day, 1)
    second = await join(client, day, 2)
    await cancel(client, taken)
    engine = app.state.engine
    real_now = clock.now()
    later = real_now + timedelta(minutes=31)
    monkeypatch.setattr("wcr.waitlist.sweep.now", lambda: later)
    monkeypatch.setattr("wcr.waitlist.entries.now", lambda: later)
    assert await sweep.sweep(engine) == 1
    assert await holds() == [
        {"slot": slot, "status": "expired", "reference": first["reference"]},
        {"slot": slot, "status": "held", "reference": second["reference"]},
    ]
    assert await booked(slot) == 1
    assert await entry_status(first["reference"]) == "waiting"  # 1 of 3 offers used
    late = await client.post(
        f"/api/v1/waitlist/{first['reference']}/claim", headers=bearer(first["token"])
    )
    assert late.status_code == 409


async def test_who_left_the_list_is_never_offered(world: World, client: httpx.AsyncClient) -> None:
    day = next_weekday(3)
    slot = await world.slot(local(day, 9))
    taken = (await world.book(slot)).json()
    gone = await join(client, day, 1)
    left = await client.delete(
        f"/api/v1/waitlist/{gone['reference']}", headers=bearer(gone["token"])
    )
    assert left.status_code == 204
    again = await client.delete(
        f"/api/v1/waitlist/{gone['reference']}", headers=bearer(gone["token"])
    )
    assert again.status_code == 409
    await cancel(client, taken)
    assert await holds() == []
    assert await booked(slot) == 0
    assert await WaitlistHold.count() == 0


async def test_leaving_with_a_held_place_passes_it_on(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(3)
    slot = await world.slot(local(day, 9))
    taken = (await world.book(slot)).json()
    first = await join(client, day, 1)
    second = await join(client, day, 2)
    await cancel(client, taken)
    response = await client.delete(
        f"/api/v1/waitlist/{first['reference']}", headers=bearer(first["token"])
    )
    assert response.status_code == 204
    assert [(h["reference"], h["status"]) for h in await holds()] == [
        (first["reference"], "declined"),
        (second["reference"], "held"),
    ]
    assert await booked(slot) == 1


async def test_only_entries_of_that_service_and_day_are_offered(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(3)
    slot = await world.slot(local(day, 9))
    taken = (await world.book(slot)).json()
    await join(client, day + timedelta(days=1), 1)
    await join(client, day, 2, service="recognition")
    fits = await join(client, day - timedelta(days=1), 3, last=day)
    await cancel(client, taken)
    assert [h["reference"] for h in await holds()] == [fits["reference"]]


async def test_a_force_withdrawn_place_is_never_held(
    world: World, client: httpx.AsyncClient
) -> None:
    # Booking's withdrawal frees the withdrawn slot (PlaceFreed), but it is gone: the
    # waiting entry must not get it; a one-stop visit keeps its other appointments.
    day = next_weekday(3)
    first = await world.slot(local(day, 9))
    await world.book(first)
    waiting = await join(client, day, 1)
    response = await client.delete(
        f"/api/v1/agency/slots/{first}?force=true", headers=world.headers(world.citizens_key)
    )
    assert response.status_code == 204
    assert await holds() == []
    assert await entry_status(waiting["reference"]) == "waiting"
