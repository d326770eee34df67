"""Typed records of the outbox, and the statuses, kinds and outcomes its rows can take.

The stored values are the enums' strings (``message.status = 'pending'``, …).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from wcr.booking.public import BookingChange


class MessageKind(StrEnum):
    """What a message tells: one of booking's changes, or a reminder before a visit."""

    BOOKED = "booked"
    RESCHEDULED = "rescheduled"
    CANCELLED = "cancelled"
    WITHDRAWN = "withdrawn"
    REMINDER = "reminder"

    @classmethod
    def of(cls, change: BookingChange) -> MessageKind:
        """The message that tells a booking's change (the same word)."""
        return cls(change.value)


class MessageStatus(StrEnum):
    PENDING = "pending"  # waiting until due_at
    SENDING = "sending"  # claimed by a worker until lease_until
    SENT = "sent"
    FAILED = "failed"  # for good: a permanent failure, or too many attempts
    DROPPED = "dropped"  # no longer applies (a reminder of a changed booking), unsent
    # Never to be sent: the recipient had their day's messages (the cap), or the number
    # gets no SMS (wcr.reach); last_error says which.
    SUPPRESSED = "suppressed"


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class AttemptOutcome(StrEnum):
    """How one attempt at sending a message ended (a ``message_attempt`` row)."""

    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    DROPPED = "dropped"
    SUPPRESSED = "suppressed"


class SmsDelivery(StrEnum):
    """What the SMS provider reported after accepting the message."""

    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True)
class NewMessage:
    """A message to plan; a row with the same ``dedup_key`` makes this one a no-op."""

    dedup_key: str
    booking_id: int
    kind: MessageKind
    channel: Channel
    recipient: str
    version: int  # the booking's version at planning (the .ics SEQUENCE)
    due_at: datetime
    slot_id: int | None = None  # reminders: the appointment's slot


@dataclass(frozen=True)
class MessageRecord:
    """A row of the outbox, as a worker claims it."""

    id: int
    dedup_key: str
    booking_id: int
    kind: MessageKind
    channel: Channel
    recipient: str
    version: int
    slot_id: int | None
    status: MessageStatus
    due_at: datetime
    attempts: int  # this one included, once claimed
    lease_until: datetime | None
    sent_at: datetime | None
    last_error: str | None
    provider_id: str | None
    delivery: SmsDelivery | None
    created_at: datetime
