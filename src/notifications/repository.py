"""Every query of the outbox: planning messages, claiming them, and what became of them.

The delivery rules that the database decides live here, as single statements:

- **Planning twice sends once**: a message is inserted with ``ON CONFLICT (dedup_key)
  DO NOTHING``, so a repeated plan (a retried event) adds nothing.
- **A claim is one conditional UPDATE**: due rows, and rows whose lease ran out (left
  by a worker that died), become ``sending`` with a new lease and one attempt more,
  and come back through ``RETURNING``; those with the earliest ``expires_at`` first,
  then the rest by ``due_at``. On PostgreSQL the rows are picked ``FOR UPDATE
  SKIP LOCKED``, so several workers never claim one row and never wait for each other;
  SQLite's BEGIN IMMEDIATE serialises the claims.
- **The daily cap per recipient is one upsert**: a message is counted with ``ON
  CONFLICT … DO UPDATE … WHERE sent < cap``, which returns no row once the cap is
  reached, however many dispatchers race.

Statuses, kinds and outcomes are bound as parameters (the :mod:`.records` enums), never
written into SQL. No function here opens a transaction: the use cases do.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from wcr.database import json_value
from wcr.timezones import as_utc

from .records import (
    Channel,
    MessageKind,
    MessageRecord,
    MessageStatus,
    NewAttempt,
    NewMessage,
    SmsDelivery,
)
from .tables import Message, MessageAttempt, MessageQuota


def _instant(value: datetime | str) -> datetime:
    """SQLite hands back ``RETURNING`` timestamps as text; both drivers may be naive."""
    return as_utc(datetime.fromisoformat(value) if isinstance(value, str) else value)


def _maybe_instant(value: datetime | str | None) -> datetime | None:
    return None if value is None else _instant(value)


def _message(row: dict[str, Any]) -> MessageRecord:
    return MessageRecord(
        id=row["id"],
        dedup_key=row["dedup_key"],
        booking_id=row["booking"],
        kind=MessageKind(row["kind"]),
        channel=Channel(row["channel"]),
        recipient=row["recipient"],
        version=row["version"],
        slot_id=row["slot"],
        status=MessageStatus(row["status"]),
        due_at=_instant(row["due_at"]),
        attempts=row["attempts"],
        lease_until=_maybe_instant(row["lease_until"]),
        sent_at=_maybe_instant(row["sent_at"]),
        last_error=row["last_error"],
        provider_id=row["provider_id"],
        delivery=SmsDelivery(row["delivery"]) if row["delivery"] else None,
        created_at=_instant(row["created_at"]),
        ticket_id=row["ticket"],
        details=json_value(row["details"]),
        expires_at=_maybe_instant(row["expires_at"]),
        waitlist_entry_id=row["waitlist_entry"],
    )


# --- planning -------------------------------------------------------------------


async def insert_messages(messages: Sequence[NewMessage]) -> None:
    """Insert each message unless one with its ``dedup_key`` exists (then nothing)."""
    if not messages:
        return
    values = ", ".join("({}, {}, {}, {}, {}, {}, {}, {}, {}, 0, {}, {}, {}, {})" for _ in messages)
    args: list[Any] = []
    for new in messages:
        args += [
            new.dedup_key,
            new.booking_id,
            new.kind,
            new.channel,
            new.recipient,
            new.version,
            new.slot_id,
            new.due_at,
            MessageStatus.PENDING,
            new.ticket_id,
            json.dumps(dict(new.details)) if new.details else None,
            new.expires_at,
            new.waitlist_entry_id,
        ]
    await Message.raw(
        "INSERT INTO message (dedup_key, booking, kind, channel, recipient, version, slot, "  # noqa: S608 - placeholders only
        "due_at, status, attempts, ticket, details, expires_at, waitlist_entry) "
        f"VALUES {values} ON CONFLICT (dedup_key) DO NOTHING",
        *args,
    )


async def drop_reminders(booking_id: int) -> None:
    """The booking's reminders not yet sent become ``dropped``."""
    await Message.raw(
        "UPDATE message SET status = {} WHERE booking = {} AND kind = {} AND status = {}",
        MessageStatus.DROPPED,
        booking_id,
        MessageKind.REMINDER,
        MessageStatus.PENDING,
    )


# --- sending --------------------------------------------------------------------


async def relax_durability() -> None:
    """On PostgreSQL, the current transaction's commit returns before its WAL is on
    disk (``synchronous_commit`` off for this transaction only); SQLite is left as it is."""
    if Message._meta.db.engine_type == "postgres":  # noqa: SLF001
        await Message.raw("SET LOCAL synchronous_commit TO OFF")


async def claim(*, at: datetime, lease_until: datetime, limit: int) -> list[MessageRecord]:
    """Up to ``limit`` messages due at ``at`` (or with a lease run out), oldest first,
    now ``sending`` until ``lease_until``, each with one attempt more."""
    skip_locked = (
        " FOR UPDATE SKIP LOCKED"
        if Message._meta.db.engine_type == "postgres"  # noqa: SLF001
        else ""
    )
    rows = await Message.raw(
        "UPDATE message SET status = {}, lease_until = {}, "  # noqa: S608 - fixed fragments
        "attempts = attempts + 1 "
        "WHERE id IN (SELECT id FROM message WHERE "
        "(status = {} AND due_at <= {}) "
        "OR (status = {} AND lease_until < {}) "
        # Earliest deadline first: what is pointless later (a call, a held place's
        # offer) before what keeps (a confirmation behind a burst of cancellations).
        "ORDER BY (expires_at IS NULL), expires_at, due_at, id "
        f"LIMIT {int(limit)}{skip_locked}) "
        "RETURNING *",
        MessageStatus.SENDING,
        lease_until,
        MessageStatus.PENDING,
        at,
        MessageStatus.SENDING,
        at,
    )
    return [_message(row) for row in rows]


# On PostgreSQL the last word and its attempt are one statement, a transaction of its
# own (so no BEGIN and COMMIT around it), whose commit does not wait for the disk:
# set_config(..., true) lasts as long as that transaction, as SET LOCAL would. Under the
# dispatcher's gate that is one round trip per message instead of five.
_RELAXED = "relaxed AS (SELECT set_config('synchronous_commit', 'off', true) AS setting)"
_FINISH = (
    "UPDATE message SET status = {}, sent_at = {}, last_error = {}, "
    "provider_id = {}, lease_until = NULL WHERE id = {} RETURNING id"
)
_FINISH_ALONE = (
    f"WITH {_RELAXED}, done AS ({_FINISH}) "  # noqa: S608 - fixed fragments
    "INSERT INTO message_attempt (message, at, worker, ok, error) "
    "SELECT done.id, {}, {}, {}, {} FROM done, relaxed"
)


def writes_need_transaction() -> bool:
    """Whether :func:`finish` and :func:`count_message` must run inside a write
    transaction: on SQLite (whose WITH holds no UPDATE, and whose writers take turns
    with BEGIN IMMEDIATE); on PostgreSQL each is one statement, atomic by itself, and
    its commit relaxed as :func:`relax_durability` makes a transaction's."""
    return Message._meta.db.engine_type != "postgres"  # noqa: SLF001


async def finish(
    message_id: int,
    status: MessageStatus,
    *,
    sent_at: datetime | None,
    error: str | None,
    provider_id: str | None,
    attempt: NewAttempt,
) -> None:
    """The message's last word (sent, failed or dropped), and the attempt that ended in
    it; see :func:`writes_need_transaction`."""
    values = (status, sent_at, error, provider_id, message_id)
    if not writes_need_transaction():
        await Message.raw(_FINISH_ALONE, *values, *_attempt_values(attempt))
        return
    updated = await Message.raw(_FINISH, *values)
    if updated:  # as on PostgreSQL: a message erased meanwhile gets no attempt
        await record_attempt(message_id, attempt)


async def retry(message_id: int, *, due_at: datetime, error: str) -> None:
    """Back to ``pending``, due again at ``due_at``."""
    await Message.raw(
        "UPDATE message SET status = {}, due_at = {}, last_error = {}, "
        "lease_until = NULL WHERE id = {}",
        MessageStatus.PENDING,
        due_at,
        error,
        message_id,
    )


def _attempt_values(attempt: NewAttempt) -> tuple[datetime, str, str, str | None]:
    return attempt.at, attempt.worker, attempt.outcome, attempt.error


async def record_attempt(message_id: int, attempt: NewAttempt) -> None:
    await MessageAttempt.insert(
        MessageAttempt(
            message=message_id,
            at=attempt.at,
            worker=attempt.worker,
            ok=attempt.outcome,
            error=attempt.error,
        )
    )


async def set_delivery(provider_id: str, delivery: SmsDelivery) -> None:
    """What the SMS provider reported of the message it knows as ``provider_id``."""
    await Message.update({Message.delivery: delivery}).where(Message.provider_id == provider_id)


# --- the daily cap per recipient ---------------------------------------------------


async def count_message(recipient_day: str, day: date, cap: int) -> bool:
    """Count one message more for ``recipient_day`` unless ``cap`` went out already;
    True when counted. One upsert decides, so that dispatchers racing for one
    recipient never exceed the cap: the conditional ``DO UPDATE … WHERE sent < cap``
    (the row locked on PostgreSQL, BEGIN IMMEDIATE on SQLite) returns no row then.
    See :func:`writes_need_transaction`."""
    if writes_need_transaction():
        rows = await MessageQuota.raw(_COUNT_UPSERT, recipient_day, day, cap)
    else:
        rows = await MessageQuota.raw(_COUNT_ALONE, recipient_day, day, cap)
    return bool(rows)


_COUNTED = (
    "ON CONFLICT (recipient_day) DO UPDATE SET sent = message_quota.sent + 1 "
    "WHERE message_quota.sent < {} RETURNING sent"
)
_COUNT_UPSERT = (
    "INSERT INTO message_quota (recipient_day, utc_day, sent) VALUES ({}, {}, 1) "  # noqa: S608
    + _COUNTED
)
# PostgreSQL's: the same upsert, one statement with the relaxed commit of _FINISH_ALONE.
_COUNT_ALONE = (
    f"WITH {_RELAXED} INSERT INTO message_quota (recipient_day, utc_day, sent) "  # noqa: S608
    f"SELECT {{}}, {{}}, 1 FROM relaxed {_COUNTED}"
)


async def uncount_message(recipient_day: str) -> None:
    """A counted message did not go out after all (it failed, or comes back later)."""
    await MessageQuota.raw(
        "UPDATE message_quota SET sent = sent - 1 WHERE recipient_day = {} AND sent > 0",
        recipient_day,
    )


async def forget_counts_before(day: date) -> None:
    await MessageQuota.raw("DELETE FROM message_quota WHERE utc_day < {}", day)


async def count_of(recipient_day: str) -> int:
    """Messages counted for ``recipient_day`` (0 when none), for checks and operators."""
    row = (
        await MessageQuota.select(MessageQuota.sent)
        .where(MessageQuota.recipient_day == recipient_day)
        .first()
    )
    return int(row["sent"]) if row else 0


# --- reading --------------------------------------------------------------------


async def messages_by_id(ids: Iterable[int]) -> list[MessageRecord]:
    """The messages with these ids, in id order (for checks and operators)."""
    ids = list(ids)
    if not ids:
        return []
    rows = await Message.select().where(Message.id.is_in(ids)).order_by(Message.id)
    return [_message(row) for row in rows]


# --- data protection (wcr.privacy): finding and erasing a visitor's messages ---------
# A message's personal data is its recipient, and what a provider or the dispatcher
# said back (an error may quote the address; the SMS provider's id finds the number
# there). Erasing them keeps the row (kind, channel, status, times) and its attempts.

_MESSAGE_PERSONAL = "(recipient <> '' OR last_error IS NOT NULL OR provider_id IS NOT NULL)"


def _of(
    booking_ids: Sequence[int],
    ticket_ids: Sequence[int],
    recipients: Sequence[str] = (),
    waitlist_entry_ids: Sequence[int] = (),
) -> tuple[str, list[Any]]:
    """The condition for the messages of these bookings, tickets, recipients (an
    address compared case-blind, a number in E.164) or waitlist entries, and its
    arguments."""
    conditions: list[str] = []
    args: list[Any] = []
    for column, values in (
        ("booking", list(booking_ids)),
        ("ticket", list(ticket_ids)),
        ("LOWER(recipient)", [r.lower() for r in recipients]),
        ("waitlist_entry", list(waitlist_entry_ids)),
    ):
        if values:
            conditions.append(f"{column} IN ({', '.join('{}' for _ in values)})")
            args += values
    return f"({' OR '.join(conditions) or 'FALSE'})", args


async def messages_of(
    booking_ids: Sequence[int],
    ticket_ids: Sequence[int],
    recipients: Sequence[str] = (),
    waitlist_entry_ids: Sequence[int] = (),
) -> list[MessageRecord]:
    """The messages of these bookings, tickets or recipients, in id order."""
    where, args = _of(booking_ids, ticket_ids, recipients, waitlist_entry_ids)
    rows = await Message.raw(f"SELECT * FROM message WHERE {where} ORDER BY id", *args)  # noqa: S608 - placeholders only
    return [_message(row) for row in rows]


async def erase_messages(
    booking_ids: Sequence[int],
    ticket_ids: Sequence[int],
    recipients: Sequence[str] = (),
    waitlist_entry_ids: Sequence[int] = (),
) -> tuple[int, int]:
    """Recipient, errors and provider id of these messages erased, and the errors of
    their attempts; how many messages and attempts had some."""
    where, args = _of(booking_ids, ticket_ids, recipients, waitlist_entry_ids)
    if not args:
        return 0, 0
    ids = [row["id"] for row in await Message.raw(f"SELECT id FROM message WHERE {where}", *args)]  # noqa: S608 - placeholders only
    if not ids:
        return 0, 0
    # By the ids, so that the attempts are found through their index (a subquery made
    # PostgreSQL scan every attempt, bench/purge.py).
    marks = ", ".join("{}" for _ in ids)
    attempts = await MessageAttempt.raw(
        f"UPDATE message_attempt SET error = NULL WHERE message IN ({marks}) "  # noqa: S608 - placeholders only
        "AND error IS NOT NULL RETURNING id",
        *ids,
    )
    messages = await Message.raw(
        "UPDATE message SET recipient = '', last_error = NULL, provider_id = NULL "  # noqa: S608 - fixed fragments only
        f"WHERE id IN ({marks}) AND {_MESSAGE_PERSONAL} RETURNING id",
        *ids,
    )
    return len(messages), len(attempts)


async def drop_pending_messages(
    booking_ids: Sequence[int],
    ticket_ids: Sequence[int],
    recipients: Sequence[str] = (),
    waitlist_entry_ids: Sequence[int] = (),
) -> int:
    """The pending messages of these bookings, tickets or recipients become ``dropped``
    (one a worker holds right now may still go out); how many."""
    where, args = _of(booking_ids, ticket_ids, recipients, waitlist_entry_ids)
    if not args:
        return 0
    rows = await Message.raw(
        f"UPDATE message SET status = {{}} WHERE status = {{}} AND {where} RETURNING id",  # noqa: S608 - fixed fragments only
        MessageStatus.DROPPED,
        MessageStatus.PENDING,
        *args,
    )
    return len(rows)


async def counts_before(day: date) -> int:
    """Daily-cap rows of days before ``day`` (what :func:`forget_counts_before` removes)."""
    rows = await MessageQuota.raw("SELECT COUNT(*) AS n FROM message_quota WHERE utc_day < {}", day)
    return int(rows[0]["n"])


async def forget_counts_of(prefixes: Sequence[str]) -> int:
    """Delete the daily-cap rows whose key starts with one of ``prefixes`` (one
    recipient's days); how many."""
    removed = 0
    for prefix in prefixes:
        rows = await MessageQuota.raw(
            "DELETE FROM message_quota WHERE recipient_day LIKE {} RETURNING id", f"{prefix}%"
        )
        removed += len(rows)
    return removed
