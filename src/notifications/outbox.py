"""Planning messages, inside the transaction of the change that causes them.

A booking event writes one message per channel the visitor gave (e-mail, SMS), and
reminders at the configured offsets before each appointment (a front-desk ticket's
SMS are planned the same way by :mod:`.ticket_messages`). Because the rows are
written in the booking's own transaction, a booking that rolls back leaves no
message behind. Each row has a stable deduplication key, and the insert does
nothing on a key that exists, so planning twice never sends twice.

Every phone number given gets its SMS rows here, also one that may get no SMS
(a landline, a premium-rate number, a region outside ``WCR_SMS_REGIONS``): the
dispatcher decides that right before sending and ends such a row ``suppressed``,
with the reason. Deciding there, not here, is deliberate: the dispatcher holds the
deployment's settings (the events that plan messages do not, and a cancellation or
an agency's withdrawal plans without them), the one check covers rows planned before
the regions were changed, and the row shows an operator why a visitor got no SMS.
The visitor learns it at booking time from the same rule (:mod:`wcr.reach`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from wcr.booking.public import BookingChange, TimedAppointment

from . import repository
from .records import Channel, MessageKind, NewMessage

# The changes after which the visit has appointments to be reminded of.
REMINDED = frozenset({MessageKind.BOOKED, MessageKind.RESCHEDULED})


@dataclass(frozen=True)
class Recipient:
    email: str | None
    phone: str | None

    def channels(self) -> list[tuple[Channel, str]]:
        pairs = [(Channel.EMAIL, self.email), (Channel.SMS, self.phone)]
        return [(channel, address) for channel, address in pairs if address]


async def plan(
    booking_id: int,
    change: BookingChange,
    version: int,
    recipient: Recipient,
    appointments: Sequence[TimedAppointment],
    *,
    reminders: Sequence[timedelta],
    at: datetime,
) -> int:
    """Write the messages of one booking event; returns how many rows were planned.

    No row holds a link: the renderer makes the visitor's manage link when it sends
    (:func:`wcr.booking.public.message_link`), so nothing in the outbox opens a booking.
    """
    kind = MessageKind.of(change)
    messages = [
        NewMessage(
            dedup_key=f"{kind}:{booking_id}:v{version}:{channel}",
            booking_id=booking_id,
            kind=kind,
            channel=channel,
            recipient=address,
            version=version,
            due_at=at,
        )
        for channel, address in recipient.channels()
    ]
    if kind in REMINDED:
        for appointment in appointments:
            for offset in reminders:
                due = appointment.starts_at - offset
                if due <= at:
                    continue  # never plan a reminder in the past
                minutes = int(offset.total_seconds() // 60)
                messages += [
                    NewMessage(
                        dedup_key=f"{MessageKind.REMINDER}:{booking_id}:v{version}:"
                        f"{appointment.slot_id}:{minutes}m:{channel}",
                        booking_id=booking_id,
                        kind=MessageKind.REMINDER,
                        channel=channel,
                        recipient=address,
                        version=version,
                        due_at=due,
                        slot_id=appointment.slot_id,
                    )
                    for channel, address in recipient.channels()
                ]
    if kind != MessageKind.BOOKED:
        # Reminders not yet sent no longer apply (the booking changed or ended).
        await repository.drop_reminders(booking_id)
    await repository.insert_messages(messages)
    return len(messages)
