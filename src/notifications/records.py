"""Typed records of the outbox, and the statuses, kinds and outcomes its rows can take.

The stored values are the enums' strings (``message.status = 'pending'``, …).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from wcr.booking.public import BookingChange


class MessageKind(StrEnum):
    """What a message tells: one of booking's changes, a reminder before a visit, or
    news of a visitor's ticket at the front desk (SMS only, see :mod:`.ticket_messages`),
    or news of a waitlist entry (see :mod:`.waitlist_messages`)."""

    BOOKED = "booked"
    RESCHEDULED = "rescheduled"
    CANCELLED = "cancelled"
    WITHDRAWN = "withdrawn"
    REMINDER = "reminder"
    TICKET_ISSUED = "ticket_issued"  # here is your number and its live page
    TICKET_ALMOST = "ticket_almost"  # WCR_NOTIFY_AHEAD people ahead: come back
    TICKET_CALLED = "ticket_called"  # go to the counter now
    WAITLIST_JOINED = "waitlist_joined"  # you are on the list: your entry's page
    WAITLIST_OFFER = "waitlist_offer"  # a place is held for you: book it with one tap
    WAITLIST_LAPSED = "waitlist_lapsed"  # your wait ended without a place
    WAITLIST_LEFT = "waitlist_left"  # you left the waitlist (e-mail only)

    @classmethod
    def of(cls, change: BookingChange) -> MessageKind:
        """The message that tells a booking's change (the same word)."""
        return cls(change.value)


# The kinds that belong to a ticket (``message.ticket``) rather than a booking.
TICKET_KINDS = frozenset(
    {MessageKind.TICKET_ISSUED, MessageKind.TICKET_ALMOST, MessageKind.TICKET_CALLED}
)

# The kinds that belong to a waitlist entry (``message.waitlist_entry``).
WAITLIST_KINDS = frozenset(
    {
        MessageKind.WAITLIST_JOINED,
        MessageKind.WAITLIST_OFFER,
        MessageKind.WAITLIST_LAPSED,
        MessageKind.WAITLIST_LEFT,
    }
)


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


@dataclass(frozen=True)
class NewAttempt:
    """One attempt at sending a message, as recorded: when, by which worker, how it
    ended and why not (the error)."""

    at: datetime
    worker: str
    outcome: AttemptOutcome
    error: str | None = None


class SmsDelivery(StrEnum):
    """What the SMS provider reported after accepting the message."""

    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True)
class NewMessage:
    """A message to plan; a row with the same ``dedup_key`` makes this one a no-op."""

    dedup_key: str
    booking_id: int | None  # None for a ticket's message
    kind: MessageKind
    channel: Channel
    recipient: str
    version: int  # the booking's version at planning (the .ics SEQUENCE)
    due_at: datetime
    slot_id: int | None = None  # reminders: the appointment's slot
    ticket_id: int | None = None  # a ticket's message: the ticket
    # A ticket's message: what the event said (number, queue, site, …; never a link).
    details: Mapping[str, Any] = field(default_factory=dict)
    expires_at: datetime | None = None  # not sent after this: dropped
    waitlist_entry_id: int | None = None  # a waitlist entry's message: the entry


@dataclass(frozen=True)
class MessageRecord:
    """A row of the outbox, as a worker claims it."""

    id: int
    dedup_key: str
    booking_id: int | None  # None for a ticket's message
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
    ticket_id: int | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    expires_at: datetime | None = None
    waitlist_entry_id: int | None = None  # a waitlist entry's message: the entry
