"""Planning messages, inside the transaction of the change that causes them.

A booking event writes one message per channel the visitor gave (e-mail, SMS), and
reminders at the configured offsets before each appointment. Because the rows are
written in the booking's own transaction, a booking that rolls back leaves no
message behind. Each row has a stable deduplication key, and the insert does
nothing on a key that exists, so planning twice never sends twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from wcr.booking.public import TimedAppointment

from .tables import Message

EVENT_KINDS = ("booked", "rescheduled", "cancelled", "withdrawn")


@dataclass(frozen=True)
class Recipient:
    email: str | None
    phone: str | None

    def channels(self) -> list[tuple[str, str]]:
        pairs = [("email", self.email), ("sms", self.phone)]
        return [(channel, address) for channel, address in pairs if address]


def _row(
    key: str,
    booking_id: int,
    kind: str,
    *,
    channel: str,
    recipient: str,
    version: int,
    due_at: datetime,
    link: str | None,
    slot_id: int | None = None,
) -> list[Any]:
    return [key, booking_id, kind, channel, recipient, version, slot_id, due_at, link]


async def plan(
    booking_id: int,
    kind: str,
    version: int,
    recipient: Recipient,
    appointments: Sequence[TimedAppointment],
    *,
    reminders: Sequence[timedelta],
    at: datetime,
    link: str | None = None,
) -> int:
    """Write the messages of one booking event; returns how many rows were planned.

    ``link`` is the visitor's manage link when the token is at hand (at booking, or
    when the visitor changes the booking with it). It waits in the outbox row until
    the message is sent and is then erased: the booking itself keeps only the hash.
    """
    rows = [
        _row(
            f"{kind}:{booking_id}:v{version}:{channel}",
            booking_id,
            kind,
            channel=channel,
            recipient=address,
            version=version,
            due_at=at,
            link=link,
        )
        for channel, address in recipient.channels()
    ]
    if kind in ("booked", "rescheduled"):
        for appointment in appointments:
            for offset in reminders:
                due = appointment.starts_at - offset
                if due <= at:
                    continue  # never plan a reminder in the past
                minutes = int(offset.total_seconds() // 60)
                rows += [
                    _row(
                        f"reminder:{booking_id}:v{version}:{appointment.slot_id}:{minutes}m:{channel}",
                        booking_id,
                        "reminder",
                        channel=channel,
                        recipient=address,
                        version=version,
                        due_at=due,
                        link=link,
                        slot_id=appointment.slot_id,
                    )
                    for channel, address in recipient.channels()
                ]
    if kind != "booked":
        await drop_reminders(booking_id)
    if rows:
        values = ", ".join("({}, {}, {}, {}, {}, {}, {}, {}, {}, 'pending', 0)" for _ in rows)
        await Message.raw(
            "INSERT INTO message (dedup_key, booking, kind, channel, recipient, version, slot, "  # noqa: S608 - placeholders only
            f"due_at, link, status, attempts) VALUES {values} ON CONFLICT (dedup_key) DO NOTHING",
            *[value for row in rows for value in row],
        )
    return len(rows)


async def drop_reminders(booking_id: int) -> None:
    """Reminders not yet sent no longer apply (the booking changed or ended)."""
    await Message.raw(
        "UPDATE message SET status = 'dropped' "
        "WHERE booking = {} AND kind = 'reminder' AND status = 'pending'",
        booking_id,
    )
