"""Who is called next: the one ordering rule of the waiting room.

1. Tickets flagged ``priority`` (people who cannot wait long) come first.
2. Then the counter's work profile: a queue with a lower rank is called before a
   queue with a higher one; queues of equal rank are merged.
3. Then the *due time*: for a booked visitor who checked in on time, the booked
   time of the appointment; for a walk-in (or a booked visitor who came too late and
   was moved to the walk-in line), the arrival time.
4. Ties by ticket id (who got a number first).

Because booked times and arrival times are compared on one clock, the two lines
interleave and neither starves: a booked visitor is not called before their time
while walk-ins who arrived earlier wait, and a walk-in is never overtaken by a
booking that is due later than their arrival. Early check-in is limited by the
site's window, so a booking cannot queue-jump by arriving hours ahead. Staff may
still call any waiting ticket out of order.

The rule runs in the database, as the ORDER BY of :func:`.repository.pick_next`
(built from :func:`ranks`), so the pick and its row lock are one statement.
"""

from __future__ import annotations

from collections.abc import Iterable

from .records import ProfileEntry


def ranks(profile: Iterable[ProfileEntry]) -> dict[int, int]:
    """Service id -> rank of a counter's work profile (rule 2)."""
    return {entry.service_id: entry.rank for entry in profile}
