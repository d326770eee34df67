"""What notifications do when other features tell them something (see wcr.events)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from wcr.booking.public import BookingChanged
from wcr.queue.public import TicketNews
from wcr.waitlist.public import EntryEnded, EntryJoined, OfferMade

from . import outbox, ticket_messages, waitlist_messages


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


async def plan_ticket_message(event: TicketNews) -> None:
    """Runs inside the queue's transaction: the ticket's SMS commits with the change."""
    await ticket_messages.plan(event)


SUBSCRIPTIONS: list[tuple[type[Any], Callable[[Any], Awaitable[None]]]] = [
    (BookingChanged, plan_messages),
    (TicketNews, plan_ticket_message),
    # Inside the waitlist's transaction: an offer's messages commit with its hold.
    (EntryJoined, waitlist_messages.plan_joined),
    (OfferMade, waitlist_messages.plan_offer),
    (EntryEnded, waitlist_messages.plan_ended),
]
