"""The outbox's typed records, and the message texts in every language's catalog."""

from datetime import UTC, datetime, timedelta

from babel.messages.pofile import read_po
from litestar import Litestar

from tests.conftest import World, local, next_weekday
from wcr.booking.public import BookingChange
from wcr.database import write_transaction
from wcr.i18n import LOCALES
from wcr.notifications import repository
from wcr.notifications.dispatcher import Dispatcher
from wcr.notifications.records import (
    TICKET_KINDS,
    WAITLIST_KINDS,
    Channel,
    MessageKind,
    MessageRecord,
    MessageStatus,
    NewMessage,
)
from wcr.notifications.tables import Message


def test_every_booking_change_is_a_message_kind() -> None:
    assert {MessageKind.of(change) for change in BookingChange} == set(MessageKind) - {
        MessageKind.REMINDER,
        *TICKET_KINDS,
        *WAITLIST_KINDS,
    }
    assert all(MessageKind.of(change).value == change.value for change in BookingChange)


async def test_claim_hands_out_typed_records(world: World, dispatcher: Dispatcher) -> None:
    slot = await world.slot(local(next_weekday(3), 9))
    await world.book(slot, phone="0171 2345678")
    await Message.update({Message.due_at: datetime.now(UTC)}).where(Message.kind == "reminder")
    claimed = await dispatcher.claim()
    assert claimed
    assert all(isinstance(message, MessageRecord) for message in claimed)
    assert {m.channel for m in claimed} == {Channel.EMAIL, Channel.SMS}
    assert {m.kind for m in claimed} == {MessageKind.BOOKED, MessageKind.REMINDER}
    for message in claimed:
        assert message.status == MessageStatus.SENDING
        assert message.attempts == 1
        assert message.lease_until is not None
        assert message.lease_until.tzinfo is not None
        assert message.due_at.tzinfo is not None
        assert message.due_at <= datetime.now(UTC) < message.lease_until
        assert (message.slot_id is None) == (message.kind != MessageKind.REMINDER)
    # Read back, the rows are the very records the claim handed out.
    ids = [m.id for m in claimed]
    assert await repository.messages_by_id(ids) == sorted(claimed, key=lambda m: m.id)


async def test_claim_takes_the_earliest_deadline_first(app: Litestar) -> None:
    """A burst of messages that keep (confirmations) does not hold up those that are
    pointless later (an offer's held place, a call): by ``expires_at``, then ``due_at``."""
    now = datetime.now(UTC)

    def message(key: str, kind: MessageKind, due: int, expires: int | None) -> NewMessage:
        return NewMessage(
            dedup_key=key,
            booking_id=None,
            kind=kind,
            channel=Channel.EMAIL,
            recipient=f"{key}@example.org",
            version=0,
            due_at=now - timedelta(minutes=due),
            expires_at=None if expires is None else now + timedelta(minutes=expires),
        )

    async with write_transaction(app.state.engine):
        await repository.insert_messages(
            [
                message("kept-old", MessageKind.BOOKED, 10, None),
                message("kept", MessageKind.CANCELLED, 5, None),
                message("offer", MessageKind.WAITLIST_OFFER, 1, 30),
                message("call", MessageKind.TICKET_CALLED, 0, 10),
            ]
        )
    order = []
    for _ in range(4):
        async with write_transaction(app.state.engine):
            [claimed] = await repository.claim(
                at=now, lease_until=now + timedelta(minutes=1), limit=1
            )
        order.append(claimed.dedup_key)
    assert order == ["call", "offer", "kept-old", "kept"]


def test_every_message_text_is_translated_in_every_catalog() -> None:
    """No message text falls back to English because the merge left it empty or fuzzy."""
    with (LOCALES / "messages.pot").open("rb") as file:
        template = read_po(file)
    ours = {
        (m.context, m.id)
        for m in template
        if m.id and any("TRANSLATORS:" in comment for comment in m.auto_comments)
    }
    # 5 subjects, 5 first lines, 5 SMS words, 3 lines, 6 of a ticket's SMS (and the
    # notes of other features' texts)
    assert len(ours) >= 24
    for path in sorted(LOCALES.glob("*/LC_MESSAGES/messages.po")):
        with path.open("rb") as file:
            catalog = read_po(file)
        for context, msgid in ours:
            message = catalog.get(msgid, context=context)
            assert message is not None, (path.parent.parent.name, context, msgid)
            assert message.string, (path.parent.parent.name, context, msgid)
            assert not message.fuzzy, (path.parent.parent.name, context, msgid)
