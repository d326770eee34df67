"""A waitlist entry's messages, end to end: the waitlist API, the waitlist's own events,
the outbox, the real dispatcher, a real SMTP server on loopback and a
Twilio-compatible one.

An offer goes to the e-mail address and the phone, in the visitor's language, with a
link that opens the entry and books the held place; it is dropped when the hold
ended before it went out; a lapse is told on both channels, leaving by e-mail only.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from litestar import Litestar

from tests.conftest import World, local, next_weekday
from tests.notifications.servers import SmtpServer, TwilioFake
from tests.waitlist.helpers import bearer, booked, entry_status, join
from wcr import clock
from wcr.database import write_transaction
from wcr.notifications.dispatcher import Dispatcher
from wcr.notifications.sms import segments
from wcr.notifications.tables import Message
from wcr.notifications.waitlist_messages import plan_ended
from wcr.waitlist import sweep
from wcr.waitlist.public import EndedBecause, EntryEnded
from wcr.waitlist.tables import WaitlistEntry

BOOKER = "booker@example.org"  # whose cancellation frees the place
LINK = re.compile(r"http://testserver/(\w+)/waitlist/([A-Z0-9]+)#t=([A-Za-z0-9_-]+)")


async def drain(dispatcher: Dispatcher) -> None:
    while await dispatcher.run_once():
        pass


async def cancel(client: httpx.AsyncClient, booking: dict[str, str]) -> None:
    response = await client.post(
        f"/api/v1/bookings/{booking['reference']}/cancel",
        headers=bearer(booking["manage_token"]),
    )
    assert response.status_code == 200, response.text


def waiting(smtp: SmtpServer) -> list[EmailMessage]:
    """The mails to the waiting visitors (not the booker's own, nor the "you joined"
    ones, test_joining_sends_the_link_to_the_entrys_page has those)."""
    return [
        m for m in smtp.inbox.messages if m["To"] != BOOKER and ".joined." not in m["Message-ID"]
    ]


def body(mail: EmailMessage) -> str:
    part = mail.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


async def statuses(kind: str) -> list[tuple[str, str]]:
    rows = await Message.select(Message.channel, Message.status).where(Message.kind == kind)
    return sorted((r["channel"], r["status"]) for r in rows)


async def a_full_slot(world: World, hour: int = 9) -> tuple[int, dict[str, Any]]:
    day = next_weekday(3)
    slot = await world.slot(local(day, hour))
    taken = (await world.book(slot, email=BOOKER)).json()
    return slot, taken


async def test_an_offer_reaches_mail_and_phone_in_ukrainian_and_its_link_books_the_place(
    world: World,
    client: httpx.AsyncClient,
    dispatcher: Dispatcher,
    smtp: SmtpServer,
    twilio: TwilioFake,
) -> None:
    slot, taken = await a_full_slot(world)
    day = next_weekday(3)
    entry = await join(client, day, 1, language="uk", phone="0171 2345678")
    await cancel(client, taken)
    await drain(dispatcher)

    [mail] = waiting(smtp)
    assert mail["To"] == "waiting1@example.org"
    assert mail["Subject"] == "Для вас є вільне місце: Residence registration"  # no uk name: en
    text = body(mail)
    assert "Waiting Person 1" in text.splitlines()[0]  # the greeting
    path = f"/api/v1/waitlist/{entry['reference']}"
    hold = await client.get(path, headers=bearer(entry["token"]))
    until = datetime.fromisoformat(hold.json()["offer"]["expires_at"])
    local_until = until.astimezone(local(day, 9).tzinfo).strftime("%H:%M")
    assert f"до {local_until}" in text  # the hold's end, in the site's zone
    assert "Welcome Office Bochum" in text
    html = mail.get_body(("html",))
    assert html is not None
    assert '<html lang="uk" dir="ltr">' in str(html.get_content())

    [sms] = twilio.received
    assert sms["To"] == "+491712345678"
    assert segments(sms["Body"]) <= 2
    assert sms["Body"].startswith("Вільно для вас:")

    links = {LINK.search(text), LINK.search(sms["Body"])}
    assert None not in links
    [found] = {m.groups() for m in links if m}  # one link, the same in both
    language, reference, token = found
    assert (language, reference) == ("uk", entry["reference"])
    assert token != entry["token"]  # the link token, not the entry's own
    claimed = await client.post(f"/api/v1/waitlist/{reference}/claim", headers=bearer(token))
    assert claimed.status_code == 201, claimed.text
    assert await booked(slot) == 1
    assert await entry_status(reference) == "booked"
    # The outbox holds no link and no token.
    for row in await Message.select().where(Message.kind == "waitlist_offer"):
        stored = repr(row)
        assert token not in stored
        assert "#t=" not in stored


async def test_a_link_token_opens_its_own_entry_only(
    world: World,
    client: httpx.AsyncClient,
    dispatcher: Dispatcher,
    smtp: SmtpServer,
) -> None:
    _, taken = await a_full_slot(world)
    day = next_weekday(3)
    first = await join(client, day, 1)
    second = await join(client, day, 2)
    await cancel(client, taken)
    await drain(dispatcher)
    [mail] = waiting(smtp)
    match = LINK.search(body(mail))
    assert match is not None
    token = match.group(3)
    assert match.group(2) == first["reference"]
    other = await client.get(f"/api/v1/waitlist/{second['reference']}", headers=bearer(token))
    assert other.status_code == 404
    assert other.headers["content-type"].startswith("application/problem+json")
    mine = await client.get(f"/api/v1/waitlist/{first['reference']}", headers=bearer(token))
    assert mine.status_code == 200
    assert mine.json()["status"] == "offered"


async def test_an_offer_claimed_before_it_goes_out_is_dropped_unsent(
    world: World,
    client: httpx.AsyncClient,
    dispatcher: Dispatcher,
    smtp: SmtpServer,
    twilio: TwilioFake,
) -> None:
    _, taken = await a_full_slot(world)
    entry = await join(client, next_weekday(3), 1, phone="0171 2345678")
    await cancel(client, taken)
    claimed = await client.post(
        f"/api/v1/waitlist/{entry['reference']}/claim", headers=bearer(entry["token"])
    )
    assert claimed.status_code == 201
    await drain(dispatcher)
    # The booking's own confirmation goes out; the offer does not.
    assert [m["Subject"].split(":")[0] for m in waiting(smtp)] == ["Appointment confirmed"]
    assert all(not m["Body"].startswith("Free for you") for m in twilio.received)
    assert await statuses("waitlist_offer") == [("email", "dropped"), ("sms", "dropped")]


async def test_a_hold_that_runs_out_tells_the_lapse_and_offers_the_next_entry(
    app: Litestar,
    world: World,
    client: httpx.AsyncClient,
    dispatcher: Dispatcher,
    smtp: SmtpServer,
    twilio: TwilioFake,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, taken = await a_full_slot(world)
    day = next_weekday(3)
    first = await join(client, day, 1, phone="0171 2345678")
    second = await join(client, day, 2, language="de")
    await cancel(client, taken)
    await drain(dispatcher)
    assert [m["To"] for m in waiting(smtp)] == ["waiting1@example.org"]
    smtp.inbox.messages.clear()
    twilio.received.clear()

    # Each entry is offered at most WCR_WAITLIST_MAX_OFFERS times; make the first's last.
    await WaitlistEntry.update({WaitlistEntry.max_offers: 1}).where(
        WaitlistEntry.reference == first["reference"]
    )
    later = clock.now() + timedelta(minutes=31)
    monkeypatch.setattr("wcr.waitlist.sweep.now", lambda: later)
    monkeypatch.setattr("wcr.notifications.dispatcher.now", lambda: later)
    assert await sweep.sweep(app.state.engine) >= 1
    assert await entry_status(first["reference"]) == "lapsed"
    assert await entry_status(second["reference"]) == "offered"
    await drain(dispatcher)

    by_to = {m["To"]: m for m in waiting(smtp)}
    lapse = by_to["waiting1@example.org"]
    assert lapse["Subject"] == "Your waitlist entry has ended: Residence registration"
    assert "none was booked in time" in body(lapse)
    assert "http://testserver/en/sites/bochum" in body(lapse)
    offer = by_to["waiting2@example.org"]
    assert offer["Subject"] == "Ein Platz ist frei für Sie: Wohnsitzanmeldung"
    [sms] = twilio.received
    assert sms["To"] == "+491712345678"
    assert sms["Body"].startswith("Your waitlist entry for Residence registration has ended.")
    assert segments(sms["Body"]) <= 2


async def test_leaving_is_confirmed_by_mail_only(
    world: World,
    client: httpx.AsyncClient,
    dispatcher: Dispatcher,
    smtp: SmtpServer,
    twilio: TwilioFake,
) -> None:
    entry = await join(client, next_weekday(3), 1, phone="0171 2345678", language="fr")
    left = await client.delete(
        f"/api/v1/waitlist/{entry['reference']}", headers=bearer(entry["token"])
    )
    assert left.status_code == 204
    await drain(dispatcher)
    [mail] = waiting(smtp)
    assert mail["Subject"].startswith("Vous avez quitté la liste d’attente")
    assert entry["reference"] in body(mail)
    assert twilio.received == []


async def test_joining_sends_the_link_to_the_entrys_page(
    world: World,
    client: httpx.AsyncClient,
    dispatcher: Dispatcher,
    smtp: SmtpServer,
    twilio: TwilioFake,
) -> None:
    """By e-mail where there is an address (then no SMS), else by SMS; the link opens
    the entry, and leaving with it works."""
    day = next_weekday(3)
    by_mail = await join(client, day, 1, phone="0171 2345678", language="de")
    by_phone = await join(client, day, 2, email=None, phone="0171 7654321", language="tr")
    await drain(dispatcher)
    [mail] = smtp.inbox.messages
    assert mail["To"] == "waiting1@example.org"
    assert mail["Subject"] == "Sie stehen auf der Warteliste: Wohnsitzanmeldung"
    text = body(mail)
    assert by_mail["reference"] in text
    [sms] = twilio.received
    assert sms["To"] == "+491717654321"
    assert sms["Body"].startswith("Bekleme listesinde: Residence registration")
    assert segments(sms["Body"]) <= 2
    for found, entry in ((LINK.search(text), by_mail), (LINK.search(sms["Body"]), by_phone)):
        assert found is not None
        assert found.group(2) == entry["reference"]
        left = await client.delete(
            f"/api/v1/waitlist/{entry['reference']}", headers=bearer(found.group(3))
        )
        assert left.status_code == 204
    assert {await entry_status(e["reference"]) for e in (by_mail, by_phone)} == {"left"}


async def test_a_silent_end_plans_nothing(app: Litestar) -> None:
    event = EntryEnded(
        entry_id=1,
        reference="ABCDEFGH",
        email="erase-me@example.org",
        phone="+491712345678",
        language="en",
        because=EndedBecause.LEFT,
        at=clock.now(),
        silent=True,
    )
    async with write_transaction(app.state.engine):
        await plan_ended(event)
        await plan_ended(EntryEnded(**{**event.__dict__, "silent": False, "entry_id": 2}))
    rows = await Message.select(Message.waitlist_entry, Message.channel)
    assert rows == [{"waitlist_entry": 2, "channel": "email"}]
