"""The outbox: messages written with the change that causes them, sent after commit."""

from __future__ import annotations

from piccolo.columns import JSON, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from wcr.booking.tables import Booking
from wcr.queue.tables import Ticket


class Message(Table, tablename="message"):
    id: Serial
    # Stable per message (kind:booking:version:channel…, ticket:id:moment:step): a
    # repeat insert does nothing.
    dedup_key = Varchar(length=200, unique=True)
    # A message belongs to a booking or to a front-desk ticket (the other is NULL).
    booking = ForeignKey(references=Booking, index=True)
    ticket = ForeignKey(references=Ticket, null=True, default=None, index=True)
    kind = Varchar(length=32)  # booked, rescheduled, cancelled, withdrawn, reminder, …
    channel = Varchar(length=8)  # email or sms
    recipient = Varchar(length=320)
    # The booking's version when the message was planned (the .ics SEQUENCE).
    version = Integer(default=0)
    slot = Integer(null=True, default=None)  # reminders: the appointment's slot
    status = Varchar(length=16, default="pending")  # pending, sending, sent, failed, dropped
    due_at = Timestamptz(index=True)
    attempts = Integer(default=0)
    lease_until = Timestamptz(null=True, default=None)
    sent_at = Timestamptz(null=True, default=None)
    last_error = Text(null=True, default=None)
    provider_id = Varchar(length=64, null=True, default=None, index=True)
    delivery = Varchar(length=16, null=True, default=None)  # delivered / failed (SMS)
    created_at = Timestamptz(default=TimestamptzNow())
    # A ticket's message: what the event told (number, queue, site, counter, people
    # ahead, day, language), rendered at sending time; never a link or a token.
    details = JSON(null=True, default=None)
    # Not sent after this moment (a call is pointless ten minutes later): dropped.
    expires_at = Timestamptz(null=True, default=None)
    # A waitlist entry's message (an offer, a lapse): the entry's id. No foreign key:
    # the waitlist is a feature of its own, and its purge erases these rows by this id.
    waitlist_entry = Integer(null=True, default=None, index=True)


class MessageAttempt(Table, tablename="message_attempt"):
    id: Serial
    message = ForeignKey(references=Message, index=True)
    at = Timestamptz(default=TimestamptzNow())
    worker = Varchar(length=64)
    ok = Varchar(length=16)  # sent, retry, failed
    error = Text(null=True, default=None)


class MessageQuota(Table, tablename="message_quota"):
    """How many messages went to one recipient on one UTC day: the daily cap
    (WCR_MAX_MESSAGES_PER_RECIPIENT_PER_DAY), counted by one upsert per message."""

    id: Serial
    # SHA-256 of the channel and the normalised address or number, ":" and the day: the
    # cap needs equality, not the address.
    recipient_day = Varchar(length=80, unique=True)
    utc_day = Date(index=True)  # old days are forgotten
    sent = Integer(default=0)
