"""Who is called next: the one ordering rule of the waiting room.

At the moment ``now`` of the call, among the waiting tickets of a counter's queues:

1. Tickets flagged ``priority`` (people who cannot wait long) come first.
2. Then the counter's work profile: a queue with a lower rank is called before a
   queue with a higher one; queues of equal rank are merged.
3. Then the tickets that are **due** before those that are not. A ticket is due
   when it is a booked visitor (checked in on time) whose booked time has come, from
   :data:`BOOKED_LEAD` before it (``due_at <= now + BOOKED_LEAD``), or when it has
   waited :data:`WALK_IN_CAP` since its due time, whatever its kind
   (``due_at <= now - WALK_IN_CAP``).
4. Within each of the two groups, by the *due time*: for a booked visitor who
   checked in on time, the booked time of the appointment; for a walk-in (or a
   booked visitor who came too late and was moved to the walk-in line), the arrival
   time (a one-stop visitor handed on: the next appointment's booked time, else the
   hand-on).
5. Ties by ticket id (who got a number first).

So a booked visitor is served at their time: from a few minutes before it they go
ahead of the walk-ins, who otherwise keep their order of arrival, and before it they
are called only when the walk-ins who came earlier have been (a counter with nobody
else to call may call them early). A walk-in is never starved: once they have waited
:data:`WALK_IN_CAP`, only priority tickets and booked visitors due before the
walk-in arrived (that is, already late) still go ahead of them. Early check-in is
limited by the site's window, so a booking cannot queue-jump by arriving hours
ahead. Staff may still call any waiting ticket out of order.

The rule runs in the database, as the ORDER BY of call-next's one statement
(:func:`.repository.call_next_ticket`: the rank from the counter's profile rows, the
bounds of :func:`thresholds` bound), so the pick, its row lock and the call are one
statement; :func:`.repository.pick_next` is the same ORDER BY with the ranks of
:func:`ranks` bound, and the lines shown to the desk and the visitor
(:func:`.repository.waiting_tickets`) use it too. :func:`call_key` is
the same rule in Python, for the estimates' look-ahead (:mod:`.estimates`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from .records import ProfileEntry

BOOKED_LEAD = timedelta(minutes=5)  # a booked visitor is due this long before their time
WALK_IN_CAP = timedelta(minutes=30)  # anyone who has waited this long is due


def ranks(profile: Iterable[ProfileEntry]) -> dict[int, int]:
    """Service id -> rank of a counter's work profile (rule 2)."""
    return {entry.service_id: entry.rank for entry in profile}


def thresholds(now: datetime) -> tuple[datetime, datetime]:
    """Rule 3's two bounds at ``now``: a booked visitor with ``due_at`` up to the first
    is due, and so is anyone with ``due_at`` up to the second."""
    return now + BOOKED_LEAD, now - WALK_IN_CAP


def is_due(*, booked: bool, due_at: datetime, now: datetime) -> bool:
    """Rule 3 for one ticket (``booked``: an appointment checked in on time)."""
    booked_until, anyone_until = thresholds(now)
    return (booked and due_at <= booked_until) or due_at <= anyone_until


def call_key(
    *, priority: bool, rank: int, booked: bool, due_at: datetime, ticket_id: int, now: datetime
) -> tuple[bool, int, bool, datetime, int]:
    """The rule as a sort key: the smallest is called first."""
    due = is_due(booked=booked, due_at=due_at, now=now)
    return (not priority, rank, not due, due_at, ticket_id)
