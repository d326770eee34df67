"""bench/bare_app.py, the framework's floor of the booking races: its one route runs
the raw round's transaction (asyncpg, or sqlite3 in threads), books a free place once
and refuses the rest, so the bare round races for the same outcome as the app's."""

from __future__ import annotations

import httpx
import pytest

from bench import bare_app
from tests.conftest import World, local, next_weekday, running
from wcr.booking.tables import Appointment, Slot


async def test_books_a_place_once_and_refuses_the_rest(
    world: World, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    slot = await world.slot(local(next_weekday(3), 9))
    monkeypatch.setenv("WCR_DATABASE_URL", database_url)
    if database_url.startswith("postgresql"):
        bare = bare_app.app_from_env()
    else:  # the SQLite race's round: stdlib connections in threads of their own
        monkeypatch.setenv("BENCH_SQLITE_CONNECTIONS", "2")
        bare = bare_app.sqlite_app_from_env()
    async with running(bare):
        transport = httpx.ASGITransport(app=bare)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            answers = [
                await client.post("/api/v1/bookings", json={"slot_id": slot, "name": "x"})
                for _ in range(3)
            ]
            unknown = await client.post("/api/v1/bookings", json={"slot_id": slot + 1000})
            health = await client.get("/health")
    assert [a.status_code for a in answers] == [201, 409, 409]
    assert [a.json()["status"] for a in answers] == ["booked", "full", "full"]
    assert unknown.status_code == 409
    assert health.status_code == 200
    row = await Slot.select(Slot.booked).where(Slot.id == slot).first()
    assert row is not None
    assert row["booked"] == 1
    assert await Appointment.count().where(Appointment.slot == slot) == 1
