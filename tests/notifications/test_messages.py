"""Messages to visitors, through a real SMTP server and the real twilio client."""

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import httpx
import icalendar
from litestar import Litestar
from twilio.request_validator import RequestValidator

from tests.calendars import sequence, start
from tests.conftest import BERLIN, World, local, next_weekday
from tests.live_server import free_port
from tests.notifications.conftest import TOKEN
from tests.notifications.servers import SmtpServer, TwilioFake, calendar_parts
from wcr.booking.records import BookingRecord, BookingStatus, SlotFacts
from wcr.config import SUPPORTED_LANGUAGES, Settings
from wcr.notifications import render
from wcr.notifications.dispatcher import Dispatcher
from wcr.notifications.records import Channel, MessageKind, MessageRecord, MessageStatus
from wcr.notifications.sms import segments
from wcr.notifications.tables import Message, MessageAttempt


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def statuses(kind: str | None = None) -> list[tuple[str, str, str]]:
    query = Message.select(Message.kind, Message.channel, Message.status)
    if kind:
        query = query.where(Message.kind == kind)
    return sorted((r["kind"], r["channel"], r["status"]) for r in await query)


async def drain(dispatcher: Dispatcher) -> None:
    while await dispatcher.run_once():
        pass


def event_of(
    mail: EmailMessage,
) -> tuple[str, icalendar.Calendar, list[icalendar.cal.Component]]:
    [(kind, raw), *_] = calendar_parts(mail)
    calendar = icalendar.Calendar.from_ical(raw)
    return kind, calendar, calendar.walk("VEVENT")


async def test_booking_sends_mail_with_invitation_and_sms(
    world: World,
    client: httpx.AsyncClient,
    app: Litestar,
    dispatcher: Dispatcher,
    smtp: SmtpServer,
    twilio: TwilioFake,
) -> None:
    day = next_weekday(3)
    slot = await world.slot(local(day, 9, 30))
    created = (await world.book(slot, phone="0171 2345678", language="de")).json()
    # Booked now, and reminders 24 h and 2 h ahead, on both channels.
    assert await statuses() == sorted(
        [("booked", "email", "pending"), ("booked", "sms", "pending")]
        + [("reminder", channel, "pending") for channel in ("email", "sms") for _ in range(2)]
    )
    await drain(dispatcher)
    assert await statuses("booked") == [("booked", "email", "sent"), ("booked", "sms", "sent")]

    [mail] = smtp.inbox.messages
    assert mail["To"] == "test@example.org"
    assert created["reference"] in mail["Subject"]
    plain = mail.get_body(("plain",))
    assert plain is not None
    text = plain.get_content()
    assert created["reference"] in text
    # The link carries a link token made at sending, not the manage token (shown once).
    found = re.search(rf"/manage/{created['reference']}#t=([A-Za-z0-9_-]+)", text)
    assert found is not None, text
    link_token = found.group(1)
    assert link_token != created["manage_token"]
    assert "09:30" in text  # site time, formatted for German
    assert mail.get_body(("html",)) is not None
    kind, calendar, [event] = event_of(mail)
    assert kind == "text/calendar;REQUEST"
    assert calendar["METHOD"] == "REQUEST"
    assert event["UID"] == f"{created['reference']}-0@wcr-welcome"
    assert event["SEQUENCE"] == 0
    assert start(event).dt == local(day, 9, 30)
    assert start(event).params["TZID"] == "Europe/Berlin"
    assert "Universitätsstraße 43" in str(event["LOCATION"])
    assert event.walk("VALARM")
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert any(p.get_filename() == "invite.ics" for p in mail.iter_attachments())

    [sms] = twilio.received
    assert sms["To"] == "+491712345678"
    assert sms["From"] == "+4915199999999"
    assert created["reference"] in sms["Body"]
    assert f"/manage/{created['reference']}#t={link_token}" in sms["Body"]
    assert sms["StatusCallback"].endswith("/api/v1/notifications/sms-status")
    # It opens the booking like the manage token does.
    opened = await client.get(f"/api/v1/bookings/{created['reference']}", headers=auth(link_token))
    assert opened.status_code == 200, opened.text


async def test_reschedule_updates_the_same_event_and_cancel_removes_it(
    world: World, client: httpx.AsyncClient, dispatcher: Dispatcher, smtp: SmtpServer
) -> None:
    day = next_weekday(3)
    first, second = await world.slot(local(day, 9)), await world.slot(local(day, 11))
    created = (await world.book(first, language="en")).json()
    base = f"/api/v1/bookings/{created['reference']}"
    await client.post(
        f"{base}/reschedule", json={"slot_id": second}, headers=auth(created["manage_token"])
    )
    await client.post(f"{base}/cancel", headers=auth(created["manage_token"]))
    await drain(dispatcher)
    by_subject = {m["Subject"].split(":")[0]: m for m in smtp.inbox.messages}
    assert set(by_subject) == {
        "Appointment confirmed",
        "Appointment changed",
        "Appointment cancelled",
    }
    _, _, [booked] = event_of(by_subject["Appointment confirmed"])
    kind, _, [moved] = event_of(by_subject["Appointment changed"])
    assert kind == "text/calendar;REQUEST"
    assert moved["UID"] == booked["UID"]
    assert sequence(moved) > sequence(booked)
    assert start(moved).dt == local(day, 11)
    kind, calendar, [gone] = event_of(by_subject["Appointment cancelled"])
    assert (kind, calendar["METHOD"]) == ("text/calendar;CANCEL", "CANCEL")
    assert gone["UID"] == booked["UID"]
    assert sequence(gone) > sequence(moved)
    # Reminders of the first time were replaced, then all dropped with the booking.
    assert {s for _, _, s in await statuses("reminder")} == {"dropped"}


async def test_reminder_for_a_booking_cancelled_after_it_was_queued_is_not_sent(
    world: World, client: httpx.AsyncClient, dispatcher: Dispatcher, smtp: SmtpServer
) -> None:
    slot = await world.slot(local(next_weekday(3), 9))
    created = (await world.book(slot)).json()
    await drain(dispatcher)
    smtp.inbox.messages.clear()
    await Message.update({Message.due_at: datetime.now(UTC)}).where(Message.kind == "reminder")
    claimed = await dispatcher.claim()  # the reminder is in a worker's hands…
    assert {m.kind for m in claimed} == {"reminder"}
    cancel = await client.post(
        f"/api/v1/bookings/{created['reference']}/cancel", headers=auth(created["manage_token"])
    )
    assert cancel.status_code == 200  # …when the visitor cancels
    for message in claimed:
        await dispatcher.deliver(message)
    assert smtp.inbox.messages == []
    assert {s for _, _, s in await statuses("reminder")} == {"dropped"}


async def test_no_reminder_is_planned_in_the_past(world: World) -> None:
    soon = datetime.now(BERLIN).replace(microsecond=0) + timedelta(minutes=90)
    slot = await world.slot(soon)
    assert (await world.book(slot)).status_code == 201
    # 24 h and 2 h before an appointment 90 minutes away are both past.
    assert await statuses("reminder") == []
    later = await world.slot(datetime.now(BERLIN).replace(microsecond=0) + timedelta(hours=5))
    assert (await world.book(later)).status_code == 201
    assert await statuses("reminder") == [("reminder", "email", "pending")]  # the 2 h one


async def test_a_refused_booking_writes_no_message(world: World, client: httpx.AsyncClient) -> None:
    day = next_weekday(3)
    full = await world.slot(local(day, 9))
    free = await world.slot(local(day, 10), service="recognition")
    await world.book(full)
    before = await Message.count()
    assert (await world.book(free, full)).status_code == 409  # rolled back as a whole
    assert await Message.count() == before


async def test_smtp_down_then_up_delivers_once(
    world: World, app: Litestar, message_settings: Settings
) -> None:
    slot = await world.slot(local(next_weekday(3), 9))
    await world.book(slot, phone=None)
    port = free_port()  # nothing listens here yet: the mail server is down
    dispatcher = Dispatcher.from_settings(
        app.state.engine,
        replace(message_settings, smtp={**message_settings.smtp, "PORT": str(port)}),
        name="down-then-up",
    )
    await dispatcher.run_once()
    await dispatcher.sms.close()
    [row] = await Message.select().where(Message.kind == "booked", Message.channel == "email")
    assert (row["status"], row["attempts"]) == ("pending", 1)
    assert row["due_at"] > datetime.now(UTC)  # backed off
    with SmtpServer(port=port) as server:
        await dispatcher.run_once()
        assert server.inbox.messages == []  # not due yet
        await Message.update({Message.due_at: datetime.now(UTC)}).where(Message.id == row["id"])
        await dispatcher.run_once()
        await dispatcher.run_once()
        assert len(server.inbox.messages) == 1
    attempts = (
        await MessageAttempt.select(MessageAttempt.ok)
        .where(MessageAttempt.message == row["id"])
        .order_by(MessageAttempt.id)
    )
    assert [a["ok"] for a in attempts] == ["retry", "sent"]


async def test_invalid_number_fails_for_good(
    world: World, dispatcher: Dispatcher, twilio: TwilioFake
) -> None:
    twilio.refuse.add("+491712345678")
    slot = await world.slot(local(next_weekday(3), 9))
    await world.book(slot, phone="0171 2345678", email=None)
    await drain(dispatcher)
    [row] = await Message.select().where(Message.kind == "booked")
    assert row["status"] == "failed"
    assert "21211" in row["last_error"]


async def test_status_callback_checks_the_signature(
    world: World, client: httpx.AsyncClient, dispatcher: Dispatcher
) -> None:
    slot = await world.slot(local(next_weekday(3), 9))
    await world.book(slot, phone="0171 2345678")
    await drain(dispatcher)
    [row] = await Message.select().where(Message.kind == "booked", Message.channel == "sms")
    assert row["provider_id"]
    url = "http://testserver/api/v1/notifications/sms-status"
    params = {"MessageSid": row["provider_id"], "MessageStatus": "delivered"}
    forged = await client.post(url, data=params, headers={"X-Twilio-Signature": "bm9wZQ=="})
    assert forged.status_code == 403
    unsigned = await client.post(url, data=params)
    assert unsigned.status_code == 403
    after = await Message.select(Message.delivery).where(Message.id == row["id"]).first()
    assert after is not None
    assert after["delivery"] is None
    signature = RequestValidator(TOKEN).compute_signature(url, params)
    signed = await client.post(url, data=params, headers={"X-Twilio-Signature": signature})
    assert signed.status_code == 204
    after = await Message.select(Message.delivery).where(Message.id == row["id"]).first()
    assert after is not None
    assert after["delivery"] == "delivered"


def long_context(language: str, kind: str) -> render.Context:
    """A visit with long names and a long link: the worst case for an SMS."""
    start = datetime(2026, 12, 2, 8, 30, tzinfo=UTC)
    slot = SlotFacts(
        id=1,
        site_id=1,
        site="wcr-moenchengladbach",
        site_name="Welcome Center Rheinisches Revier – Mönchengladbach",
        address="Bismarckstraße 109, 41061 Mönchengladbach",
        tz=BERLIN,
        agency_id=1,
        agency="ihk",
        service_id=1,
        service="recognition",
        service_names={"de": "Anerkennungsberatung der Industrie- und Handelskammer"},
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
        capacity=1,
        booked=1,
        withdrawn=False,
    )
    message = MessageRecord(
        id=1,
        dedup_key="k",
        booking_id=1,
        kind=MessageKind(kind),
        channel=Channel.SMS,
        recipient="+491712345678",
        version=3,
        slot_id=None,
        status=MessageStatus.SENDING,
        due_at=start,
        attempts=1,
        lease_until=None,
        sent_at=None,
        last_error=None,
        provider_id=None,
        delivery=None,
        created_at=start,
    )
    booking = BookingRecord(
        id=1,
        reference="ACDEFGHJ",
        token_hash="0" * 64,
        name="Olena Kovalenko",
        email="o@example.org",
        phone="+491712345678",
        language=language,
        status=BookingStatus.CONFIRMED,
        version=3,
        created_at=start,
    )
    return render.Context(message=message, booking=booking, visit=[(0, slot)], removed=[])


def test_sms_fit_two_segments_in_every_language() -> None:
    for language in SUPPORTED_LANGUAGES:
        for kind in ("booked", "rescheduled", "cancelled", "withdrawn", "reminder"):
            text = render.render(
                long_context(language, kind),
                public_url="https://termine.wcr-nrw.de",
                mail_from="x@example.org",
            ).sms
            assert segments(text) <= 2, (language, kind, text, segments(text))


def test_segment_counting() -> None:
    assert segments("a" * 160) == 1
    assert segments("a" * 161) == 2
    assert segments("ä" * 160) == 1  # GSM-7 has ä
    assert segments("ş" * 70) == 1  # Turkish ş is not GSM-7: UCS-2
    assert segments("ش" * 71) == 2


async def test_without_transports_messages_become_files(
    world: World, app: Litestar, tmp_path: Path
) -> None:
    slot = await world.slot(local(next_weekday(3), 9))
    created = (await world.book(slot, phone="0171 2345678")).json()
    settings = replace(app.state.settings, smtp={}, twilio={}, outbox_dir=tmp_path / "outbox")
    dispatcher = Dispatcher.from_settings(app.state.engine, settings, name="files")
    await drain(dispatcher)
    mails = list((tmp_path / "outbox").glob("*.eml"))
    texts = list((tmp_path / "outbox").glob("sms-*.txt"))
    assert len(mails) == 1
    assert len(texts) == 1
    assert created["reference"] in mails[0].read_text()
    assert "+491712345678" in texts[0].read_text()
    assert await statuses("booked") == [("booked", "email", "sent"), ("booked", "sms", "sent")]
