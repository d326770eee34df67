"""The queue's domain events for the visitor's messages (wcr.queue.public.TicketNews):
ISSUED, CALLED (not on a recall) and ALMOST exactly once per ticket and line; and the
live events a display and a console get."""

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
import pytest_asyncio
from litestar import Litestar
from litestar.channels import ChannelsPlugin

from tests.conftest import World
from tests.queue.conftest import Desk
from tests.queue.test_tickets import booked_visit
from wcr import events
from wcr.config import Settings
from wcr.queue.public import TicketMoment, TicketNews, ticket_link
from wcr.queue.tables import Ticket

# Tickets are numbered per local day: on the simulated day (tests/day_clock.py).
pytestmark = pytest.mark.usefixtures("day_clock")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, notify_ahead=2)


@pytest_asyncio.fixture
async def news() -> AsyncIterator[list[TicketNews]]:
    heard: list[TicketNews] = []

    async def hear(event: TicketNews) -> None:
        heard.append(event)

    events.subscribe(TicketNews, hear)
    yield heard
    events.unsubscribe(TicketNews, hear)


def moments(heard: list[TicketNews], moment: TicketMoment) -> list[str]:
    return [n.number for n in heard if n.moment == moment]


async def test_issued_on_walk_in_and_check_in_in_the_visitors_language(
    desk: Desk, world: World, news: list[TicketNews]
) -> None:
    await desk.walk_in("registration", phone="0171 2345678", language="uk")
    reference = await booked_visit(world, (5, "recognition"))
    await desk.post("/sites/bochum/checkins", {"reference": reference})
    [walk_in, checked_in] = news
    assert walk_in.moment == checked_in.moment == TicketMoment.ISSUED
    assert (walk_in.number, walk_in.phone, walk_in.language) == ("A001", "+491712345678", "uk")
    assert walk_in.queue_name == "Residence registration"  # no Ukrainian name: English
    assert (walk_in.site_slug, walk_in.site_name, walk_in.step) == (
        "bochum",
        "Welcome Office Bochum",
        0,
    )
    assert (checked_in.number, checked_in.language) == ("B001", "en")
    assert checked_in.queue_name == "Recognition advice"


async def test_called_with_the_counter_and_not_on_a_recall(
    desk: Desk, news: list[TicketNews]
) -> None:
    ticket = await desk.walk_in("registration", "recognition", language="en")
    await desk.call_next("one")
    await desk.post(f"/tickets/{ticket['id']}/recall")
    calls = [n for n in news if n.moment == TicketMoment.CALLED]
    assert [(n.number, n.counter, n.step) for n in calls] == [("A001", "Schalter 1", 0)]
    # The next agency of the visit is the next step: called again there.
    await desk.post(f"/tickets/{ticket['id']}/finish")
    await desk.post(f"/sites/bochum/counters/{desk.counters['two']}/call", {"number": "A001"})
    calls = [n for n in news if n.moment == TicketMoment.CALLED]
    assert [(n.counter, n.step, n.queue_name) for n in calls] == [
        ("Schalter 1", 0, "Residence registration"),
        ("Schalter 2", 1, "Recognition advice"),
    ]


async def test_almost_once_to_whoever_has_two_ahead(desk: Desk, news: list[TicketNews]) -> None:
    made = [await desk.walk_in("registration") for _ in range(6)]  # A001..A006
    # Issued with two or fewer ahead (A001-A003): their ticket says it; no "almost".
    await desk.call_next("one")  # A001 called: A004 has two ahead now
    assert moments(news, TicketMoment.ALMOST) == ["A004"]
    [almost] = [n for n in news if n.moment == TicketMoment.ALMOST]
    assert almost.ahead == 2
    await desk.post(f"/tickets/{made[1]['id']}/park")  # A002 out: A005 has two ahead
    await desk.post(f"/tickets/{made[1]['id']}/unpark")  # back: A005 has three again
    await desk.post(f"/tickets/{made[2]['id']}/no-show")  # A003 out: A005 has two again
    assert moments(news, TicketMoment.ALMOST) == ["A004", "A005"]  # A005 told once
    token = made[3]["ticket_url"].split("#", 1)[1]
    await desk.client.post(
        f"/api/v1/tickets/{made[3]['id']}/leave", headers={"Authorization": f"Bearer {token}"}
    )  # A004 leaves: A006 has two ahead
    assert moments(news, TicketMoment.ALMOST) == ["A004", "A005", "A006"]
    rows = await Ticket.select(Ticket.code, Ticket.almost_step).order_by(Ticket.id)
    assert [r["almost_step"] for r in rows] == [0, 0, 0, 0, 0, 0]


async def test_almost_is_told_once_when_counters_race(desk: Desk, news: list[TicketNews]) -> None:
    for _ in range(12):
        await desk.walk_in("recognition")
    answers = await asyncio.gather(*(desk.call_next("one" if n % 2 else "two") for n in range(8)))
    assert [a.status_code for a in answers] == [200] * 8  # no deadlock, no 5xx
    # A call that raced others may not yet see the line they left behind; the next
    # change tells whoever is near the front by then.
    await desk.call_next("one")
    told = moments(news, TicketMoment.ALMOST)
    assert len(told) == len(set(told))  # nobody twice
    # B001-B003 were issued that close. Of B004-B009, a racing counter may call one
    # before any change showed it two ahead (it needs no "almost" then); B010-B012,
    # the front of what is left, have all been told.
    assert {"B010", "B011", "B012"} <= set(told) <= {f"B{n:03d}" for n in range(4, 13)}
    assert len(moments(news, TicketMoment.CALLED)) == 9


async def test_the_ticket_link_is_the_desks(desk: Desk) -> None:
    ticket = await desk.walk_in("registration")
    row = await Ticket.select(Ticket.day).where(Ticket.id == ticket["id"]).first()
    assert row is not None
    day = row["day"] if isinstance(row["day"], date) else date.fromisoformat(row["day"])
    assert ticket_link("http://testserver", ticket["id"], day) == ticket["ticket_url"]


async def test_counter_and_park_reach_the_live_stream(desk: Desk, app: Litestar) -> None:
    channels = app.plugins.get(ChannelsPlugin)
    subscriber = await channels.subscribe(["site:bochum"])
    heard: list[dict[str, Any]] = []

    async def listen() -> None:
        async for message in subscriber.iter_events():
            heard.append(json.loads(message))

    task = asyncio.create_task(listen())
    try:
        ticket = await desk.walk_in("registration", name="Secret Name")
        await desk.post(f"/sites/bochum/counters/{desk.counters['one']}/state", {"state": "paused"})
        await desk.post(f"/tickets/{ticket['id']}/park")
        await desk.post(f"/tickets/{ticket['id']}/note", {"note": "private words"})
        for _ in range(50):
            if len(heard) >= 4:
                break
            await asyncio.sleep(0.02)
    finally:
        task.cancel()
        await channels.unsubscribe(subscriber)
    assert [e["type"] for e in heard] == ["created", "counter", "parked", "noted"]
    assert heard[1]["counter"] == {
        "id": desk.counters["one"],
        "name": "Schalter 1",
        "state": "paused",
    }
    text = json.dumps(heard)
    assert "Secret Name" not in text
    assert "private words" not in text
