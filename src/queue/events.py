"""What the queue tells the rest of the system (see :mod:`wcr.events`).

Emitted inside the transaction of the change, so the notifications' outbox rows for a
ticket commit with the change or not at all. The ticket's link is not in the event:
its token is derived from the ticket's id and day under the server secret
(:func:`wcr.queue.public.ticket_link`), so whoever sends the message makes the link
at sending time and nothing stored holds it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from wcr.events import Event


class TicketMoment(StrEnum):
    ISSUED = "issued"  # walk-in or check-in: here is your ticket and its page
    ALMOST = "almost"  # WCR_NOTIFY_AHEAD people are ahead now
    CALLED = "called"  # called to a counter (not on a recall)


@dataclass(frozen=True, kw_only=True)
class TicketNews(Event):
    """Something a visitor holding this ticket should be told."""

    ticket_id: int
    day: date  # the site's local day of the ticket (with the id, its token)
    moment: TicketMoment
    # Which step of a one-stop visit (0 = the first service): a visitor is called once
    # per step, so (ticket_id, moment, step) names one message.
    step: int
    site_slug: str
    site_name: str
    number: str  # "A001"
    queue_name: str  # the service, in the visitor's language
    phone: str | None  # E.164, as given at the desk or in the booking
    language: str  # de, en, ar, fr, tr, uk
    counter: str | None = None  # the counter's name, when called
    ahead: int | None = None  # people ahead, when almost
    at: datetime
