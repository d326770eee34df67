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
"""

from __future__ import annotations

from typing import Any


def order_by(ranks: dict[int, int]) -> tuple[str, list[Any]]:
    """SQL ORDER BY for a counter whose profile maps service id -> rank, and its args."""
    cases = " ".join("WHEN {} THEN {}" for _ in ranks)
    args: list[Any] = []
    for service_id, rank in ranks.items():
        args += [service_id, rank]
    rank_sql = f"CASE service {cases} ELSE 1000 END" if ranks else "0"
    return f"priority DESC, {rank_sql}, due_at, id", args
