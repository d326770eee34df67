"""The front desk's tests run whatever the machine's clock says: here it says 23:50 in
Berlin, when appointments from half an hour before to an hour after now would span two
local days (the queue's tests used to skip themselves then), and a booked visitor's
check-in and the calls still happen on one local day, the simulated one
(tests/day_clock.py)."""

from datetime import UTC, date, datetime, time, timedelta

import httpx
import pytest

from tests.conftest import BERLIN, World
from tests.day_clock import Base, DayClock, from_moment, safe_day
from tests.queue.conftest import Desk
from tests.queue.test_ordering import check_in
from tests.queue.test_tickets import booked_visit
from wcr import clock
from wcr.queue.tables import Ticket
from wcr.timezones import as_utc

pytestmark = pytest.mark.usefixtures("day_clock")

MACHINE_SAYS = time(23, 50)


def machine_today() -> date:
    return datetime.now(UTC).astimezone(BERLIN).date()


@pytest.fixture
def machine_clock() -> Base:
    """The machine's clock at 23:50 Berlin time today (and running on)."""
    return from_moment(datetime.combine(machine_today(), MACHINE_SAYS, tzinfo=BERLIN))


def on_day(moment: datetime | None, day: date) -> bool:
    assert moment is not None
    return as_utc(moment).astimezone(BERLIN).date() == day


async def test_check_in_and_calls_at_midnight_stay_on_one_local_day(
    desk: Desk, world: World, client: httpx.AsyncClient, day_clock: DayClock, machine_clock: Base
) -> None:
    machine = machine_clock().astimezone(BERLIN)
    # The moment the old skip (45 minutes back, 70 ahead on one day) left out.
    assert (machine - timedelta(minutes=45)).date() != (machine + timedelta(minutes=70)).date()
    assert clock.now().astimezone(BERLIN).date() == day_clock.day == safe_day(machine.date())
    assert day_clock.day.isoweekday() <= 5
    assert clock.now().astimezone(BERLIN).time() >= time(10)

    walk_in = await desk.walk_in("registration")
    late_reference = await booked_visit(world, (-30, "registration"))  # 30 minutes ago
    late = (await desk.post("/sites/bochum/checkins", {"reference": late_reference})).json()
    assert late["ticket"]["kind"] == "walkin"  # past the site's 15 minutes: the walk-in line
    booked = await check_in(desk, await booked_visit(world, (3, "registration")))
    # The booked visitor is due (their time is 3 minutes away), then the walk-ins by
    # arrival; the clock is stepped on between the calls, to 45 minutes after now.
    called = []
    for step in (0, 20, 25):
        day_clock.advance(timedelta(minutes=step))
        ticket = (await desk.call_next("one")).json()["ticket"]
        assert (await desk.post(f"/tickets/{ticket['id']}/finish")).status_code == 200
        called.append(ticket)
    assert [t["id"] for t in called] == [booked["id"], walk_in["id"], late["ticket"]["id"]]
    assert [t["number"] for t in called] == ["A003", "A001", "A002"]

    rows = await Ticket.select().order_by(Ticket.id)
    assert len(rows) == 3
    for row in rows:
        assert str(row["day"]) == day_clock.day.isoformat()
        for column in ("due_at", "created_at", "queued_at", "called_at", "finished_at"):
            assert on_day(row[column], day_clock.day), (column, row[column])
    figures = (await client.get("/api/v1/sites/bochum/today", headers=desk.headers)).json()
    assert figures["day"] == day_clock.day.isoformat()
    assert (figures["issued"], figures["served"]) == (3, 3)


def test_the_simulated_day_runs_on_with_the_machines_clock(machine_clock: Base) -> None:
    simulated = DayClock(machine_clock)
    first = simulated.now()
    assert first.astimezone(BERLIN).time().replace(second=0, microsecond=0) == time(10)
    assert simulated.now() >= first
    simulated.advance(timedelta(hours=1))
    assert simulated.now() - first >= timedelta(hours=1)
    with pytest.raises(ValueError, match="does not go back"):
        simulated.advance(timedelta(seconds=-1))
