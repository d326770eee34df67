"""One SMTP connection for a batch of mails, and a server that hangs up in between."""

from dataclasses import replace

from litestar import Litestar

from tests.conftest import World, local, next_weekday
from tests.notifications.servers import SmtpServer
from wcr.config import Settings
from wcr.notifications.dispatcher import Dispatcher
from wcr.notifications.tables import Message, MessageAttempt

MAILS = 12


async def book_mails(world: World, count: int) -> None:
    day = next_weekday(2)
    for n in range(count):
        slot = await world.slot(local(day, 8 + n // 4, (n % 4) * 15), minutes=15)
        response = await world.book(slot, email=f"visitor{n}@example.org", phone=None)
        assert response.status_code == 201, response.text


def to(server: SmtpServer, app: Litestar, settings: Settings) -> Dispatcher:
    return Dispatcher.from_settings(
        app.state.engine,
        replace(settings, smtp={**settings.smtp, "PORT": str(server.port)}),
        name="connections",
    )


async def drain(dispatcher: Dispatcher) -> None:
    try:
        while await dispatcher.run_once():
            pass
    finally:
        await dispatcher.close()


async def test_a_batch_of_mails_goes_through_one_connection(
    world: World, app: Litestar, message_settings: Settings
) -> None:
    await book_mails(world, MAILS)
    with SmtpServer() as server:
        await drain(to(server, app, message_settings))
        received = sorted(str(m["To"]) for m in server.inbox.messages)
        assert received == sorted(f"visitor{n}@example.org" for n in range(MAILS))
        assert server.inbox.connections == 1


async def test_a_server_that_hangs_up_after_each_mail_gets_each_at_the_first_attempt(
    world: World, app: Litestar, message_settings: Settings
) -> None:
    await book_mails(world, MAILS)
    with SmtpServer(one_per_connection=True) as server:
        await drain(to(server, app, message_settings))
        assert len(server.inbox.messages) == MAILS
        assert server.inbox.connections == MAILS
    rows = await Message.select(Message.status, Message.attempts).where(
        Message.channel == "email", Message.kind == "booked"
    )
    assert [(r["status"], r["attempts"]) for r in rows] == [("sent", 1)] * MAILS
    outcomes = await MessageAttempt.select(MessageAttempt.ok)
    assert {r["ok"] for r in outcomes} == {"sent"}
