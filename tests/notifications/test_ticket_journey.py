"""A walk-in's day in SMS, end to end: the desk's HTTP API, the queue's own events,
the outbox, the real dispatcher and a Twilio-compatible server.

A visitor with a mobile number walks in behind three others: an SMS with the ticket's
live link; the line moves until two are ahead (WCR_NOTIFY_AHEAD, 2): "almost your
turn"; the counter calls them: "go to Schalter 1 now". Each exactly once, however
often the line moves or the ticket is recalled.
"""

import re
from typing import Any

import httpx
from litestar import Litestar

from tests.conftest import World
from tests.notifications.servers import TwilioFake
from wcr.accounts.public import create_staff
from wcr.notifications.dispatcher import Dispatcher
from wcr.queue.setup import add_counter

PASSWORD = "correct horse battery"
LINK = re.compile(r"http://testserver/ticket/(\d+)#([A-Za-z0-9_-]+)")


async def drain(dispatcher: Dispatcher) -> None:
    while await dispatcher.run_once():
        pass


class Desk:
    def __init__(self, client: httpx.AsyncClient, token: str, counter: int) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}
        self.counter = counter

    async def post(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.client.post(f"/api/v1{path}", json=body, headers=self.headers)
        assert response.status_code in (200, 201), response.text
        answer: dict[str, Any] = response.json()
        return answer

    async def walk_in(self, **extra: Any) -> dict[str, Any]:
        made = await self.post("/sites/bochum/tickets", {"services": ["registration"], **extra})
        ticket: dict[str, Any] = made["ticket"]
        return ticket

    async def serve_next(self) -> dict[str, Any]:
        """Call the next visitor to the counter and finish with them."""
        called: dict[str, Any] = (
            await self.post(f"/sites/bochum/counters/{self.counter}/call-next")
        )["ticket"]
        await self.post(f"/tickets/{called['id']}/finish")
        return called


async def test_a_walk_in_hears_issued_almost_and_called_once_each(
    world: World,
    app: Litestar,
    client: httpx.AsyncClient,
    dispatcher: Dispatcher,
    twilio: TwilioFake,
) -> None:
    counter = await add_counter(app.state.engine, "bochum", "Schalter 1", ["registration"])
    await create_staff("journey-clerk", PASSWORD, "frontdesk", "bochum")
    login = await client.post(
        "/api/v1/auth/login", json={"username": "journey-clerk", "password": PASSWORD}
    )
    assert login.status_code == 200, login.text
    desk = Desk(client, login.json()["token"], counter)
    ahead = [await desk.walk_in(name=f"Before {n}") for n in range(3)]  # no phone: no SMS
    mine = await desk.walk_in(name="Ada", phone="0171 2345678", language="en")
    number = mine["number"]

    await drain(dispatcher)
    [issued] = twilio.received
    assert issued["To"] == "+491712345678"
    assert issued["Body"].startswith(
        f"Your number {number} for Residence registration at Welcome Office Bochum. "
        "Your place, live: http://testserver/ticket/"
    )
    [(ticket_id, token)] = LINK.findall(issued["Body"])
    page = await client.get(
        f"/api/v1/tickets/{ticket_id}/public", headers={"Authorization": f"Bearer {token}"}
    )
    assert page.status_code == 200, page.text
    assert page.json()["number"] == number
    assert page.json()["position"] == 4  # three before, then this one

    assert (await desk.serve_next())["id"] == ahead[0]["id"]  # two ahead now
    await drain(dispatcher)
    assert [sms["Body"] for sms in twilio.received[1:]] == [
        f"{number}: 2 people ahead of you. Please come back to the waiting area."
    ]

    for before in ahead[1:]:  # one ahead, then none: no more "almost"
        assert (await desk.serve_next())["id"] == before["id"]
    await drain(dispatcher)
    assert len(twilio.received) == 2  # issued and almost

    called = await desk.post(f"/sites/bochum/counters/{counter}/call-next")
    assert called["ticket"]["id"] == mine["id"]
    await desk.post(f"/tickets/{mine['id']}/recall")  # called again: no SMS again
    await drain(dispatcher)
    assert [sms["Body"] for sms in twilio.received[2:]] == [
        f"{number}: please go to Schalter 1 now."
    ]
    assert {sms["To"] for sms in twilio.received} == {"+491712345678"}
