"""The message's last word and its attempt, and the daily cap's count: one statement
each on PostgreSQL where there was a transaction (issue 15). The rows are what the
transaction wrote, on both engines, and nothing of the statement's relaxed commit
stays on the connection."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from wcr.database import keep_session, write_transaction
from wcr.notifications import repository
from wcr.notifications.records import (
    AttemptOutcome,
    Channel,
    MessageKind,
    MessageStatus,
    NewAttempt,
    NewMessage,
)
from wcr.notifications.tables import Message, MessageAttempt

AT = datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)


async def _planned(app: Any, count: int) -> list[int]:
    engine = app.state.engine
    async with write_transaction(engine):
        await repository.insert_messages(
            [
                NewMessage(
                    dedup_key=f"finish-{n}",
                    booking_id=None,
                    kind=MessageKind.BOOKED,
                    channel=Channel.EMAIL,
                    recipient=f"person{n}@example.org",
                    version=0,
                    due_at=AT - timedelta(minutes=1),
                )
                for n in range(count)
            ]
        )
    async with write_transaction(engine):
        claimed = await repository.claim(at=AT, lease_until=AT + timedelta(minutes=5), limit=9)
    return sorted(m.id for m in claimed)


async def _finish(app: Any, message_id: int, **values: Any) -> None:
    """As the dispatcher calls it: alone where it is one statement."""
    if repository.writes_need_transaction():
        async with write_transaction(app.state.engine):
            await repository.finish(message_id, **values)
    else:
        await repository.finish(message_id, **values)


@pytest.mark.parametrize(
    ("status", "outcome", "error", "provider_id"),
    [
        (MessageStatus.SENT, AttemptOutcome.SENT, None, "SM123"),
        (MessageStatus.FAILED, AttemptOutcome.FAILED, "550 no such mailbox", None),
        (MessageStatus.DROPPED, AttemptOutcome.DROPPED, None, None),
    ],
)
async def test_the_last_word_and_its_attempt_are_written_together(
    app: Any,
    status: MessageStatus,
    outcome: AttemptOutcome,
    error: str | None,
    provider_id: str | None,
) -> None:
    first, other = await _planned(app, 2)
    sent_at = AT if status == MessageStatus.SENT else None
    await _finish(
        app,
        first,
        status=status,
        sent_at=sent_at,
        error=error,
        provider_id=provider_id,
        attempt=NewAttempt(at=AT, worker="w1", outcome=outcome, error=error),
    )
    rows = {
        r["id"]: r
        for r in await Message.select(
            Message.id,
            Message.status,
            Message.sent_at,
            Message.last_error,
            Message.provider_id,
            Message.lease_until,
        )
    }
    assert rows[first]["status"] == status
    assert rows[first]["sent_at"] == sent_at
    assert rows[first]["last_error"] == error
    assert rows[first]["provider_id"] == provider_id
    assert rows[first]["lease_until"] is None
    assert rows[other]["status"] == MessageStatus.SENDING  # only the one named
    attempts = await MessageAttempt.select(
        MessageAttempt.message, MessageAttempt.at, MessageAttempt.worker, MessageAttempt.ok,
        MessageAttempt.error,
    )  # fmt: skip
    assert attempts == [{"message": first, "at": AT, "worker": "w1", "ok": outcome, "error": error}]


async def test_no_attempt_is_recorded_for_a_message_that_is_not_there(app: Any) -> None:
    """The attempt follows from the update: a message gone (erased) gets none."""
    [message_id] = await _planned(app, 1)
    await Message.delete().where(Message.id == message_id)
    await _finish(
        app,
        message_id,
        status=MessageStatus.SENT,
        sent_at=AT,
        error=None,
        provider_id=None,
        attempt=NewAttempt(at=AT, worker="w1", outcome=AttemptOutcome.SENT),
    )
    assert await MessageAttempt.count() == 0


async def test_the_relaxed_commit_ends_with_its_statement(app: Any, database_url: str) -> None:
    if not database_url.startswith("postgres"):
        pytest.skip("synchronous_commit is PostgreSQL's")
    engine = app.state.engine
    [message_id] = await _planned(app, 1)
    # One connection, so that its session is the one the statement ran on.
    await engine.close_connection_pool()
    await engine.start_connection_pool(min_size=1, max_size=1, reset=keep_session)
    await repository.finish(
        message_id,
        MessageStatus.SENT,
        sent_at=AT,
        error=None,
        provider_id=None,
        attempt=NewAttempt(at=AT, worker="w1", outcome=AttemptOutcome.SENT),
    )
    assert await repository.count_message("sms:+491511234567:2031-05-06", date(2031, 5, 6), 2)
    [setting] = await Message.raw("SHOW synchronous_commit")
    assert setting["synchronous_commit"] == "on"


async def _count(app: Any, key: str, cap: int) -> bool:
    if repository.writes_need_transaction():
        async with write_transaction(app.state.engine):
            return await repository.count_message(key, date(2031, 5, 6), cap)
    return await repository.count_message(key, date(2031, 5, 6), cap)


async def test_the_count_stops_at_the_cap_and_an_uncount_gives_a_place_back(app: Any) -> None:
    counted = [await _count(app, "email:one@example.org:2031-05-06", 3) for _ in range(5)]
    assert counted == [True, True, True, False, False]
    assert await repository.count_of("email:one@example.org:2031-05-06") == 3
    assert await _count(app, "email:other@example.org:2031-05-06", 3)  # its own count
    async with write_transaction(app.state.engine):
        await repository.uncount_message("email:one@example.org:2031-05-06")
    assert await _count(app, "email:one@example.org:2031-05-06", 3)
    assert not await _count(app, "email:one@example.org:2031-05-06", 3)
