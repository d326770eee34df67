"""A message whose rendering raises counts toward its attempt limit and then fails for
good, instead of coming back forever (issue 10, item 6)."""

from datetime import UTC, datetime

from tests.conftest import World, local, next_weekday
from tests.notifications.servers import SmtpServer
from wcr.booking.tables import Booking
from wcr.notifications.dispatcher import MAX_ATTEMPTS, Dispatcher
from wcr.notifications.tables import Message, MessageAttempt


async def test_a_message_that_cannot_be_rendered_stops_after_its_attempts(
    world: World, dispatcher: Dispatcher, smtp: SmtpServer
) -> None:
    slot = await world.slot(local(next_weekday(3), 9))
    created = (await world.book(slot, phone=None)).json()
    # A corrupt stored field: Babel knows no locale "xx", so every rendering raises.
    await Booking.update({Booking.language: "xx"}).where(Booking.reference == created["reference"])
    rounds = 0
    while await dispatcher.run_once():
        rounds += 1
        assert rounds <= MAX_ATTEMPTS, "the message keeps coming back"
        # Due again at once (the backoff would make the test wait).
        await Message.update({Message.due_at: datetime.now(UTC)}).where(Message.kind == "booked")
    assert rounds == MAX_ATTEMPTS
    [row] = await Message.select().where(Message.kind == "booked")
    assert (row["status"], row["attempts"]) == ("failed", MAX_ATTEMPTS)
    assert "UnknownLocaleError" in row["last_error"]
    attempts = await MessageAttempt.select(MessageAttempt.ok).order_by(MessageAttempt.id)
    assert [a["ok"] for a in attempts] == ["retry"] * (MAX_ATTEMPTS - 1) + ["failed"]
    assert smtp.inbox.messages == []
    await Message.update({Message.due_at: datetime.now(UTC)}).where(Message.kind == "booked")
    assert await dispatcher.run_once() == 0  # failed rows are never claimed again
