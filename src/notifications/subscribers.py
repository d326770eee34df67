"""What notifications do when other features tell them something (see wcr.events)."""

from __future__ import annotations

from wcr.booking.public import BookingChanged

from . import outbox


async def plan_messages(event: BookingChanged) -> None:
    """Runs inside the booking's transaction: its messages commit with it or not at all."""
    if event.silent:
        return
    await outbox.plan(
        event.booking_id,
        event.change,
        event.version,
        outbox.Recipient(event.email, event.phone),
        event.appointments,
        reminders=event.reminders,
        at=event.at,
    )


SUBSCRIPTIONS = [(BookingChanged, plan_messages)]
