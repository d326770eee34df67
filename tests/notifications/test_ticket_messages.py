"""A ticket's SMS through the real outbox, dispatcher and a Twilio-compatible server.

The queue's event (:class:`wcr.queue.public.TicketNews`) is emitted here inside a
write transaction, as the queue emits it, for a real ticket made through the desk's
API (without a phone number, so that whatever the queue itself tells about that
ticket plans nothing; the number travels in the event). The end-to-end path through
the desk's API is ``test_ticket_journey.py``.
"""

import asyncio
import re
from dataclasses import replace
from datetime import timedelta
from typing import Any

import httpx
import pytest
from litestar import Litestar

from tests.conftest import BERLIN, World
from tests.notifications.servers import TwilioFake
from wcr.accounts.public import create_staff
from wcr.clock import now
from wcr.config import Settings
from wcr.database import write_transaction
from wcr.events import emit
from wcr.notifications.dispatcher import Dispatcher
from wcr.notifications.records import MessageStatus
from wcr.notifications.tables import Message, MessageAttempt
from wcr.notifications.transports import mailer, texter
from wcr.queue.public import TicketMoment, TicketNews
from wcr.queue.setup import add_counter
from wcr.queue.tables import Ticket

PASSWORD = "correct horse battery"
MOBILE = "+4915123456789"
LINK = re.compile(r"(http://testserver/ticket/(\d+))#([A-Za-z0-9_-]+)")


async def drain(*dispatchers: Dispatcher) -> None:
    """Run the dispatchers side by side until none finds anything to send."""
    while sum(await asyncio.gather(*(d.run_once() for d in dispatchers))):
        pass


async def staff_token(client: httpx.AsyncClient, app: Litestar) -> str:
    await add_counter(app.state.engine, "bochum", "Schalter 1", ["registration"])
    await create_staff("sms-clerk", PASSWORD, "frontdesk", "bochum")
    login = await client.post(
        "/api/v1/auth/login", json={"username": "sms-clerk", "password": PASSWORD}
    )
    assert login.status_code == 200, login.text
    token: str = login.json()["token"]
    return token


async def walk_in(client: httpx.AsyncClient, token: str) -> dict[str, Any]:
    """A real ticket, made at the desk (no phone: the events below carry the number)."""
    made = await client.post(
        "/api/v1/sites/bochum/tickets",
        json={"services": ["registration"], "name": "Ada Walk-In"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert made.status_code == 201, made.text
    ticket: dict[str, Any] = made.json()["ticket"]
    return ticket


@pytest.fixture
async def ticket(world: World, client: httpx.AsyncClient, app: Litestar) -> dict[str, Any]:
    return await walk_in(client, await staff_token(client, app))


def news(ticket: dict[str, Any], moment: TicketMoment, **changes: Any) -> TicketNews:
    at = changes.pop("at", now())
    facts: dict[str, Any] = {
        "ticket_id": ticket["id"],
        "day": at.astimezone(BERLIN).date(),
        "moment": moment,
        "step": 0,
        "site_slug": "bochum",
        "site_name": "Welcome Office Bochum",
        "number": ticket["number"],
        "queue_name": "Residence registration",
        "phone": MOBILE,
        "language": "en",
        "counter": "Schalter 1" if moment == TicketMoment.CALLED else None,
        "ahead": 2 if moment == TicketMoment.ALMOST else None,
        "at": at,
    }
    return TicketNews(**(facts | changes))


async def tell(app: Litestar, *events: TicketNews) -> None:
    """Emit the events in one write transaction, as the queue does with its change."""
    async with write_transaction(app.state.engine):
        for event in events:
            await emit(event)


async def move(ticket: dict[str, Any], status: str, step: int = 0) -> None:
    """Put the ticket where the news says it is (the dispatcher checks before sending)."""
    await Ticket.update({Ticket.status: status, Ticket.step: step}).where(Ticket.id == ticket["id"])


async def rows() -> list[dict[str, Any]]:
    return await Message.select().where(Message.ticket.is_not_null()).order_by(Message.id)


async def test_the_issued_sms_links_to_the_live_ticket(
    app: Litestar,
    client: httpx.AsyncClient,
    ticket: dict[str, Any],
    dispatcher: Dispatcher,
    twilio: TwilioFake,
) -> None:
    await tell(app, news(ticket, TicketMoment.ISSUED))
    await drain(dispatcher)
    [sms] = twilio.received
    assert sms["To"] == MOBILE
    assert sms["Body"].startswith(
        f"Your number {ticket['number']} for Residence registration at Welcome Office Bochum."
    )
    [(page, ticket_id, token)] = LINK.findall(sms["Body"])
    assert int(ticket_id) == ticket["id"]
    assert page == f"http://testserver/ticket/{ticket['id']}"
    opened = await client.get(
        f"/api/v1/tickets/{ticket_id}/public", headers={"Authorization": f"Bearer {token}"}
    )
    assert opened.status_code == 200, opened.text
    assert opened.json()["number"] == ticket["number"]
    # The row holds no link, no token: the link was made when the SMS was sent.
    [row] = await rows()
    assert row["status"] == MessageStatus.SENT
    assert row["booking"] is None
    assert row["ticket"] == ticket["id"]
    assert row["dedup_key"] == f"ticket:{ticket['id']}:issued:0"
    assert token not in repr(row)
    assert "/ticket/" not in repr(row)
    wrong = await client.get(
        f"/api/v1/tickets/{ticket_id}/public", headers={"Authorization": f"Bearer {token}x"}
    )
    assert wrong.status_code == 404


async def test_each_moment_arrives_once_though_told_twice_and_sent_by_two_workers(
    app: Litestar, ticket: dict[str, Any], message_settings: Settings, twilio: TwilioFake
) -> None:
    waiting = [news(ticket, TicketMoment.ISSUED), news(ticket, TicketMoment.ALMOST)]
    workers = [
        Dispatcher(
            engine=app.state.engine,
            settings=message_settings,
            mail=mailer(message_settings),
            sms=texter(message_settings),
            name=name,
            batch=1,  # small claims, so that both keep claiming while the other sends
        )
        for name in ("one", "two")
    ]
    try:
        await tell(app, *waiting)
        await tell(app, *waiting)  # the same news again (a retried request, a second emit)
        await drain(*workers)
        await move(ticket, "called")
        called = news(ticket, TicketMoment.CALLED)
        await tell(app, called)
        await tell(app, called)
        await drain(*workers)
        # A one-stop visitor's second service is another call: a message of its own.
        await move(ticket, "called", step=1)
        await tell(app, news(ticket, TicketMoment.CALLED, step=1, counter="Schalter 2"))
        await drain(*workers)
    finally:
        for worker in workers:
            await worker.sms.close()
    assert len(await rows()) == 4
    number = ticket["number"]
    assert sorted(sms["Body"].split(" http")[0] for sms in twilio.received) == sorted(
        [
            (
                f"Your number {number} for Residence registration at Welcome Office Bochum. "
                "Your place, live:"
            ),
            f"{number}: 2 people ahead of you. Please come back to the waiting area.",
            f"{number}: please go to Schalter 1 now.",
            f"{number}: please go to Schalter 2 now.",
        ]
    )
    assert {row["status"] for row in await rows()} == {MessageStatus.SENT}
    attempts = await MessageAttempt.select(MessageAttempt.message, MessageAttempt.ok)
    assert sorted(a["ok"] for a in attempts) == ["sent"] * 4  # one attempt each


async def test_no_phone_no_message_and_a_rolled_back_change_plans_none(
    app: Litestar, ticket: dict[str, Any]
) -> None:
    await tell(app, news(ticket, TicketMoment.ISSUED, phone=None))
    assert await rows() == []

    class Undone(Exception):
        pass

    async def undone_change() -> None:
        async with write_transaction(app.state.engine):
            await emit(news(ticket, TicketMoment.CALLED))
            raise Undone

    with pytest.raises(Undone):
        await undone_change()
    assert await rows() == []


@pytest.mark.parametrize(
    ("phone", "kind"),
    [("+499001234567", "PREMIUM_RATE"), ("+49301234567", "FIXED_LINE")],
)
async def test_a_premium_or_landline_number_gets_none(
    app: Litestar,
    ticket: dict[str, Any],
    dispatcher: Dispatcher,
    twilio: TwilioFake,
    phone: str,
    kind: str,
) -> None:
    await tell(
        app,
        news(ticket, TicketMoment.ISSUED, phone=phone),
        news(ticket, TicketMoment.CALLED, phone=phone),
    )
    await drain(dispatcher)
    assert twilio.received == []
    for row in await rows():
        assert row["status"] == MessageStatus.SUPPRESSED
        assert f"no SMS to this number: not-mobile ({kind})" in row["last_error"]


async def test_an_arabic_ticket_gets_arabic_text(
    app: Litestar, ticket: dict[str, Any], dispatcher: Dispatcher, twilio: TwilioFake
) -> None:
    await tell(
        app,
        news(ticket, TicketMoment.ISSUED, language="ar", queue_name="تسجيل الإقامة"),
        news(ticket, TicketMoment.ALMOST, language="ar"),
    )
    await drain(dispatcher)
    number = ticket["number"]
    bodies = sorted(sms["Body"] for sms in twilio.received)
    assert bodies[0] == f"{number}: أمامك شخصان. يرجى العودة إلى منطقة الانتظار."
    assert bodies[1].startswith(f"رقمك {number} لخدمة تسجيل الإقامة في Welcome Office Bochum.")
    assert LINK.search(bodies[1])


async def test_late_news_is_dropped_not_sent(
    app: Litestar, ticket: dict[str, Any], dispatcher: Dispatcher, twilio: TwilioFake
) -> None:
    """A call ten minutes old, an "almost" half an hour old, yesterday's number: pointless."""
    moment = now()
    yesterday = moment - timedelta(days=1)
    await tell(
        app,
        news(ticket, TicketMoment.CALLED, at=moment - timedelta(minutes=11)),
        news(ticket, TicketMoment.CALLED, step=1, at=moment - timedelta(minutes=5)),
        news(ticket, TicketMoment.ALMOST, at=moment - timedelta(minutes=31)),
        news(ticket, TicketMoment.ISSUED, at=yesterday),
    )
    await move(ticket, "called", step=1)
    await drain(dispatcher)
    number = ticket["number"]
    assert [sms["Body"] for sms in twilio.received] == [f"{number}: please go to Schalter 1 now."]
    statuses = {row["dedup_key"].split(":", 2)[2]: row for row in await rows()}
    assert statuses["called:1"]["status"] == MessageStatus.SENT
    for key in ("called:0", "almost:0", "issued:0"):
        assert statuses[key]["status"] == MessageStatus.DROPPED, key
        assert statuses[key]["last_error"].startswith("too late:"), key
        assert statuses[key]["sent_at"] is None


async def test_the_daily_cap_counts_ticket_messages(
    app: Litestar, ticket: dict[str, Any], message_settings: Settings, twilio: TwilioFake
) -> None:
    await tell(
        app,
        news(ticket, TicketMoment.ISSUED),
        news(ticket, TicketMoment.ALMOST),
        news(ticket, TicketMoment.ISSUED, step=1),  # transferred: its new line
    )
    capped = Dispatcher.from_settings(
        app.state.engine, replace(message_settings, max_messages_per_recipient_per_day=2)
    )
    try:
        await drain(capped)
    finally:
        await capped.sms.close()
    assert len(twilio.received) == 2
    statuses = sorted(row["status"] for row in await rows())
    assert statuses == [MessageStatus.SENT, MessageStatus.SENT, MessageStatus.SUPPRESSED]


async def test_news_the_ticket_has_moved_past_is_dropped(
    app: Litestar, ticket: dict[str, Any], dispatcher: Dispatcher, twilio: TwilioFake
) -> None:
    """Sent a minute late, "almost your turn" must not reach someone already called,
    nor "go to the counter" someone who has been served or left."""
    await tell(app, news(ticket, TicketMoment.ALMOST))
    await move(ticket, "called")  # called before the SMS went out
    await drain(dispatcher)
    await tell(app, news(ticket, TicketMoment.CALLED))
    await move(ticket, "done")
    await drain(dispatcher)
    await tell(app, news(ticket, TicketMoment.ISSUED, step=1))
    await move(ticket, "left", step=1)
    await drain(dispatcher)
    assert twilio.received == []
    dropped = await rows()
    assert len(dropped) == 3
    for row in dropped:
        assert row["status"] == MessageStatus.DROPPED, row["dedup_key"]
        assert row["last_error"].startswith("the ticket has moved on"), row["dedup_key"]
