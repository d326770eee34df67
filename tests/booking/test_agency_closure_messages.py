"""A closed day tells the people booked on it, through the real dispatcher to a real
SMTP server (aiosmtpd): cancelled ones that it cannot take place, moved ones their
new time."""

from datetime import timedelta

import httpx

from tests.conftest import World, local, next_weekday
from tests.notifications.conftest import (  # the transports of the message tests
    dispatcher,
    message_settings,
    settings,
    smtp,
    twilio,
)
from tests.notifications.servers import SmtpServer
from wcr.notifications.dispatcher import Dispatcher

__all__ = ["dispatcher", "message_settings", "settings", "smtp", "twilio"]


async def drain(worker: Dispatcher) -> None:
    while await worker.run_once():
        pass


async def test_a_closed_day_cancels_one_visitor_and_moves_another_with_messages(
    world: World, client: httpx.AsyncClient, dispatcher: Dispatcher, smtp: SmtpServer
) -> None:
    day = next_weekday(3)
    first = await world.slot(local(day, 9))
    second = await world.slot(local(day, 10))
    later = await world.slot(local(day + timedelta(days=1), 10))
    moved = (await world.book(first, email="amira@example.org", language="en")).json()
    cancelled = (await world.book(second, email="olena@example.org", language="de")).json()
    await drain(dispatcher)
    smtp.inbox.messages.clear()
    headers = world.headers(world.citizens_key)
    # In order of time: the 09:00 visitor takes the one free time of the next day, the
    # 10:00 visitor finds none left and is cancelled.
    result = (
        await client.post(
            "/api/v1/agency/closures",
            headers=headers,
            json={"site": "bochum", "date": day.isoformat(), "bookings": "move"},
        )
    ).json()
    new_time = local(day + timedelta(days=1), 10)
    assert {p["reference"]: (p["outcome"], p["new_start"]) for p in result["people"]} == {
        moved["reference"]: ("moved", new_time.isoformat()),
        cancelled["reference"]: ("cancelled", None),
    }
    await drain(dispatcher)
    by_to = {m["To"]: m for m in smtp.inbox.messages}
    assert set(by_to) == {"amira@example.org", "olena@example.org"}
    told_moved = by_to["amira@example.org"]
    assert told_moved["Subject"] == f"Appointment changed: {moved['reference']}"
    body = told_moved.get_body(("plain",))
    assert body is not None
    assert "10:00" in body.get_content()
    told_cancelled = by_to["olena@example.org"]
    assert told_cancelled["Subject"] == f"Termin entfällt: {cancelled['reference']}"
    body = told_cancelled.get_body(("plain",))
    assert body is not None
    assert "Bitte buchen Sie einen neuen" in body.get_content()
    assert later > 0
