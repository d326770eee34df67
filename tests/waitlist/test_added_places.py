"""New places (a pattern published, a capacity raised) are offered to who waits."""

from __future__ import annotations

import httpx

from tests.conftest import World, local, next_weekday
from tests.waitlist.helpers import booked, holds, join


async def test_a_newly_published_pattern_is_offered_in_joining_order(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(4)
    joined = [await join(client, day, n) for n in range(3)]
    pattern = {
        "site": "bochum",
        "service": "registration",
        "from_date": day.isoformat(),
        "to_date": day.isoformat(),
        "weekdays": [day.isoweekday()],
        "start_time": "10:00",
        "end_time": "11:00",
        "slot_minutes": 30,
    }
    response = await client.post(
        "/api/v1/agency/slots", json=pattern, headers=world.headers(world.citizens_key)
    )
    assert response.status_code == 201, response.text
    slots = sorted(s["id"] for s in response.json()["slots"])
    assert len(slots) == 2
    assert [(h["slot"], h["reference"]) for h in await holds()] == [
        (slots[0], joined[0]["reference"]),
        (slots[1], joined[1]["reference"]),
    ]
    assert [await booked(s) for s in slots] == [1, 1]


async def test_a_raised_capacity_is_offered(world: World, client: httpx.AsyncClient) -> None:
    day = next_weekday(4)
    slot = await world.slot(local(day, 9))
    await world.book(slot)
    joined = [await join(client, day, n) for n in range(3)]
    response = await client.patch(
        f"/api/v1/agency/slots/{slot}",
        json={"capacity": 3},
        headers=world.headers(world.citizens_key),
    )
    assert response.status_code == 200, response.text
    assert [h["reference"] for h in await holds()] == [j["reference"] for j in joined[:2]]
    assert await booked(slot) == 3
