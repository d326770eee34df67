"""100 waiting entries, 20 cancellations at once: each freed place goes to exactly
one entry, the earliest-joined ones, and no place is both held and booked."""

from __future__ import annotations

import asyncio

import httpx

from tests.conftest import World, local, next_weekday
from tests.waitlist.helpers import bearer, booked, holds, join
from wcr.booking.tables import Appointment

ENTRIES = 100
CANCELLATIONS = 20


async def test_twenty_cancellations_racing_go_to_the_first_twenty_entries(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(4)
    slots = [await world.slot(local(day, 8 + n // 2, 30 * (n % 2))) for n in range(CANCELLATIONS)]
    bookings = [(await world.book(slot)).json() for slot in slots]
    joined = [await join(client, day, n) for n in range(ENTRIES)]

    answers = await asyncio.gather(
        *(
            client.post(
                f"/api/v1/bookings/{b['reference']}/cancel", headers=bearer(b["manage_token"])
            )
            for b in bookings
        )
    )
    assert [a.status_code for a in answers] == [200] * CANCELLATIONS

    made = await holds()
    assert len(made) == CANCELLATIONS  # no offer lost
    assert sorted(int(str(h["slot"])) for h in made) == sorted(slots)  # one entry per place
    assert {h["reference"] for h in made} == {j["reference"] for j in joined[:CANCELLATIONS]}
    for slot in slots:
        assert await booked(slot) == 1  # the hold, and nothing else
        live = await Appointment.count().where(
            (Appointment.slot == slot) & (Appointment.status == "active")
        )
        assert live == 0  # held, so not booked by anyone

    # Everyone claims at once, twice: each place is booked once.
    claims = await asyncio.gather(
        *(
            client.post(f"/api/v1/waitlist/{j['reference']}/claim", headers=bearer(j["token"]))
            for j in joined[: CANCELLATIONS + 5]
            for _ in range(2)
        )
    )
    assert sorted(c.status_code for c in claims).count(201) == CANCELLATIONS
    for slot in slots:
        assert await booked(slot) == 1
        live = await Appointment.count().where(
            (Appointment.slot == slot) & (Appointment.status == "active")
        )
        assert live == 1
