"""The ordering rule of wcr.queue.ordering as the database runs it: call-next's one
statement and the lines the desk sees, on SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import World
from tests.queue.conftest import Desk
from tests.queue.test_tickets import booked_visit
from wcr import clock
from wcr.queue import ordering
from wcr.queue.tables import Ticket

# Tickets are numbered per local day: on the simulated day (tests/day_clock.py).
pytestmark = pytest.mark.usefixtures("day_clock")


async def check_in(desk: Desk, reference: str) -> dict[str, Any]:
    response = await desk.post("/sites/bochum/checkins", {"reference": reference})
    assert response.status_code == 201, response.text
    ticket: dict[str, Any] = response.json()["ticket"]
    assert ticket["kind"] == "appointment"
    return ticket


async def registration_line(desk: Desk) -> list[int]:
    queue = (await desk.client.get("/api/v1/sites/bochum/queue", headers=desk.headers)).json()
    [line] = [q for q in queue["queues"] if q["service"] == "registration"]
    return [t["id"] for t in line["waiting"]]


async def calls(desk: Desk, count: int) -> list[int]:
    return [(await desk.call_next("one")).json()["ticket"]["id"] for _ in range(count)]


async def test_a_booked_visitor_whose_time_has_come_goes_ahead_of_walk_ins(
    desk: Desk, world: World
) -> None:
    # Checked in early for an appointment in 20 minutes; meanwhile walk-ins come. Once
    # the booked time is 3 minutes away (inside the lead), the booked visitor is next,
    # although the walk-ins came before.
    booked = await check_in(desk, await booked_visit(world, (3, "registration")))
    walk_ins = [(await desk.walk_in("registration"))["id"] for _ in range(2)]
    assert await registration_line(desk) == [booked["id"], *walk_ins]
    assert await calls(desk, 3) == [booked["id"], *walk_ins]


async def test_before_their_time_booked_visitors_wait_behind_earlier_walk_ins(
    desk: Desk, world: World
) -> None:
    first = (await desk.walk_in("registration"))["id"]
    booked = await check_in(desk, await booked_visit(world, (20, "registration")))
    second = (await desk.walk_in("registration"))["id"]
    # Not due yet: by due time, so both walk-ins (who came before 20 minutes from now)
    # go first; with nobody else waiting, the counter calls the booked visitor early.
    assert await registration_line(desk) == [first, second, booked["id"]]
    assert await calls(desk, 3) == [first, second, booked["id"]]


async def test_a_walk_in_waiting_the_cap_is_not_overtaken_by_a_later_booking(
    desk: Desk, world: World
) -> None:
    waited = (await desk.walk_in("registration"))["id"]
    fresh = (await desk.walk_in("registration"))["id"]
    came = clock.now() - ordering.WALK_IN_CAP - timedelta(minutes=1)
    await Ticket.update({Ticket.due_at: came}).where(Ticket.id == waited)
    # Due 10 minutes ago (so after the long-waiting walk-in came): behind them, but
    # ahead of the walk-in who just came; a priority ticket before all.
    later = await check_in(desk, await booked_visit(world, (-10, "registration")))
    urgent = await desk.walk_in("registration", priority=True)
    assert await registration_line(desk) == [urgent["id"], waited, later["id"], fresh]
    assert await calls(desk, 4) == [urgent["id"], waited, later["id"], fresh]


async def test_the_database_and_the_estimates_order_alike(desk: Desk, world: World) -> None:
    # A mix of walk-ins (some waiting long), booked visitors due, soon and later, and a
    # priority ticket: the ORDER BY of the database and ordering.call_key agree.
    now = clock.now()
    tickets = [(await desk.walk_in("registration"))["id"] for _ in range(4)]
    await Ticket.update({Ticket.due_at: now - timedelta(minutes=45)}).where(Ticket.id == tickets[0])
    await Ticket.update({Ticket.due_at: now - timedelta(minutes=12)}).where(Ticket.id == tickets[1])
    for offset in (-12, 2, 15):
        tickets.append(
            (await check_in(desk, await booked_visit(world, (offset, "registration"))))["id"]
        )
    tickets.append((await desk.walk_in("registration", priority=True))["id"])
    rows = await Ticket.select(Ticket.id, Ticket.priority, Ticket.kind, Ticket.due_at).where(
        Ticket.id.is_in(tickets)
    )
    at = clock.now()

    def key(row: dict[str, Any]) -> tuple[bool, int, bool, datetime, int]:
        due = row["due_at"]
        due = datetime.fromisoformat(due) if isinstance(due, str) else due
        return ordering.call_key(
            priority=bool(row["priority"]),
            rank=1,
            booked=row["kind"] == "appointment",
            due_at=due.astimezone(UTC),
            ticket_id=row["id"],
            now=at,
        )

    expected = [row["id"] for row in sorted(rows, key=key)]
    assert await registration_line(desk) == expected
    assert await calls(desk, len(tickets)) == expected
