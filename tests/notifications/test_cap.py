"""At most WCR_MAX_MESSAGES_PER_RECIPIENT_PER_DAY messages to one address or number per
UTC day; the rest are suppressed, never sent. (Two dispatchers racing for one
recipient: tests/notifications/test_workers.py.)"""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from litestar import Litestar

from tests.conftest import World, local, next_weekday
from tests.live_server import free_port
from tests.notifications.servers import SmtpServer, TwilioFake
from wcr.clock import now
from wcr.config import Settings
from wcr.database import write_transaction
from wcr.notifications import repository
from wcr.notifications.dispatcher import Dispatcher, recipient_day
from wcr.notifications.records import Channel, MessageStatus
from wcr.notifications.tables import Message, MessageAttempt


async def book_many(world: World, count: int, first: int = 0, **contact: str | None) -> None:
    """``count`` bookings of one contact, each with its confirmation due now; ``first``:
    the number of the first 15-minute slot of the day (slots of one service never overlap)."""
    day = next_weekday(5)
    for n in range(first, first + count):
        slot = await world.slot(local(day, 8 + n // 4, (n % 4) * 15), minutes=15)
        response = await world.book(slot, **contact)
        assert response.status_code == 201, response.text


async def drain(dispatcher: Dispatcher) -> None:
    while await dispatcher.run_once():
        pass


def capped(app: Litestar, settings: Settings, cap: int) -> Dispatcher:
    return Dispatcher.from_settings(
        app.state.engine, replace(settings, max_messages_per_recipient_per_day=cap), name="cap"
    )


async def send_all(app: Litestar, settings: Settings, cap: int) -> None:
    dispatcher = capped(app, settings, cap)
    await drain(dispatcher)
    await dispatcher.sms.close()


async def booked_statuses(channel: Channel = Channel.EMAIL) -> list[str]:
    rows = await Message.select(Message.status).where(
        Message.kind == "booked", Message.channel == channel
    )
    return sorted(r["status"] for r in rows)


def today_key(channel: Channel, recipient: str) -> str:
    return recipient_day(channel, recipient, now().date())


async def test_ten_are_sent_the_eleventh_is_suppressed(
    world: World, app: Litestar, message_settings: Settings, smtp: SmtpServer
) -> None:
    assert message_settings.max_messages_per_recipient_per_day == 10  # the default
    await book_many(world, 11, email="cap@example.org", phone=None)
    await send_all(app, message_settings, 10)
    assert len(smtp.inbox.messages) == 10
    assert await booked_statuses() == ["sent"] * 10 + ["suppressed"]
    [row] = await Message.select(Message.id, Message.last_error).where(
        Message.status == MessageStatus.SUPPRESSED
    )
    assert "10 messages" in row["last_error"]
    attempts = await MessageAttempt.select(MessageAttempt.ok).where(
        MessageAttempt.message == row["id"]
    )
    assert [a["ok"] for a in attempts] == ["suppressed"]  # one look, never sent
    assert await repository.count_of(today_key(Channel.EMAIL, "cap@example.org")) == 10


async def test_exactly_the_cap_is_all_sent(
    world: World, app: Litestar, message_settings: Settings, smtp: SmtpServer
) -> None:
    await book_many(world, 10, email="cap@example.org", phone=None)
    await send_all(app, message_settings, 10)
    assert len(smtp.inbox.messages) == 10
    assert await booked_statuses() == ["sent"] * 10


async def test_zero_means_no_cap(
    world: World, app: Litestar, message_settings: Settings, smtp: SmtpServer
) -> None:
    await book_many(world, 12, email="cap@example.org", phone=None)
    await send_all(app, message_settings, 0)
    assert len(smtp.inbox.messages) == 12
    assert await booked_statuses() == ["sent"] * 12
    assert await repository.count_of(today_key(Channel.EMAIL, "cap@example.org")) == 0


async def test_one_mailbox_is_one_recipient_and_others_are_not_held_up(
    world: World,
    app: Litestar,
    message_settings: Settings,
    smtp: SmtpServer,
    twilio: TwilioFake,
) -> None:
    # Dots and a plus-tag do not make another Gmail mailbox; the number is capped apart.
    addresses = ("jane.doe@gmail.com", "janedoe+1@gmail.com", "JaneDoe@googlemail.com")
    for n, address in enumerate(addresses):
        await book_many(world, 1, n, email=address, phone="+49 151 23456789")
    await book_many(world, 1, 3, email="someone.else@example.org", phone=None)
    await send_all(app, message_settings, 2)
    to = sorted(str(m["To"]) for m in smtp.inbox.messages)
    assert len(to) == 3  # two of the three to Jane's mailbox
    assert "someone.else@example.org" in to
    assert len(twilio.received) == 2
    assert await booked_statuses(Channel.SMS) == ["sent", "sent", "suppressed"]


async def test_a_message_that_does_not_go_out_gives_its_count_back(
    world: World, app: Litestar, message_settings: Settings
) -> None:
    await book_many(world, 1, email="cap@example.org", phone=None)
    port = free_port()  # the mail server is down
    down = replace(message_settings, smtp={**message_settings.smtp, "PORT": str(port)})
    dispatcher = capped(app, down, 1)
    await dispatcher.run_once()
    [row] = await Message.select(Message.status, Message.attempts).where(Message.kind == "booked")
    assert (row["status"], row["attempts"]) == ("pending", 1)  # to be tried again
    key = today_key(Channel.EMAIL, "cap@example.org")
    assert await repository.count_of(key) == 0  # not counted: nothing went out
    await Message.update({Message.due_at: datetime.now(UTC)}).where(Message.kind == "booked")
    with SmtpServer(port=port) as server:
        await dispatcher.run_once()
        await dispatcher.sms.close()
        assert len(server.inbox.messages) == 1  # the cap of 1 was still free for it
    assert await repository.count_of(key) == 1


async def test_counts_of_old_days_are_forgotten(
    app: Litestar, message_settings: Settings, world: World
) -> None:
    today = now().date()
    async with write_transaction(app.state.engine):
        for days_ago in (0, 1, 2, 30):
            day = today - timedelta(days=days_ago)
            key = recipient_day(Channel.EMAIL, "old@example.org", day)
            assert await repository.count_message(key, day, 10)
    await send_all(app, message_settings, 10)  # tidies once a day
    kept = [
        await repository.count_of(
            recipient_day(Channel.EMAIL, "old@example.org", today - timedelta(days=d))
        )
        for d in (0, 1, 2, 30)
    ]
    assert kept == [1, 1, 0, 0]
