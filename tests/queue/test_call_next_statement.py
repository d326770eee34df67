"""Call-next as one statement (wcr.queue.repository.call_next_ticket), on SQLite and
PostgreSQL: it calls whom the old pick-then-call (``pick_next`` over the profile's
ranks, then ``call``) called, for a mix of queue states; it refuses as before; it counts
its statements; and many counters racing call every ticket exactly once."""

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import msgspec
import pytest
from litestar import Litestar
from piccolo.engine.base import Engine

from tests.conftest import World
from tests.queue.conftest import Desk
from tests.queue.test_ordering import check_in
from tests.queue.test_tickets import booked_visit
from wcr import clock
from wcr.catalogue import public as catalogue
from wcr.database import write_transaction
from wcr.errors import Conflict
from wcr.queue import live, ordering, tickets, views
from wcr.queue import repository as repo
from wcr.queue.records import CounterState
from wcr.queue.setup import add_counter
from wcr.queue.tables import CounterService, Ticket

# Tickets are numbered per local day: on the simulated day (tests/day_clock.py).
pytestmark = pytest.mark.usefixtures("day_clock")


NAMES = {"one": "Schalter 1", "two": "Schalter 2", "equal": "Schalter 3", "reverse": "Schalter 4"}


@contextmanager
def statements(engine: Engine[Any]) -> Iterator[list[str]]:
    """Every statement the engine runs meanwhile (BEGIN and COMMIT are not statements
    Piccolo runs as queries: a write transaction adds those two)."""
    seen: list[str] = []
    kind = type(engine)
    original = kind.run_querystring

    async def counting(self: Any, querystring: Any, in_pool: bool = True) -> Any:
        seen.append(str(querystring).strip())
        return await original(self, querystring, in_pool=in_pool)

    kind.run_querystring = counting  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        kind.run_querystring = original  # type: ignore[method-assign]


async def old_pick(site_id: int, counter_id: int, at: datetime) -> int | None:
    """The ticket the old call-next picked: the profile's ranks, then ``pick_next``."""
    return await repo.pick_next(
        site_id, ordering.ranks(await repo.profile_entries([counter_id])), at
    )


async def rule_pick(site_id: int, counter_id: int, at: datetime) -> int | None:
    """The same in Python, by ordering.call_key."""
    ranks = ordering.ranks(await repo.profile_entries([counter_id]))
    waiting = [t for t in await repo.waiting_tickets(site_id, at) if t.service_id in ranks]
    if not waiting:
        return None
    best = min(
        waiting,
        key=lambda t: ordering.call_key(
            priority=t.priority,
            rank=ranks[t.service_id],
            booked=t.kind == "appointment",
            due_at=t.due_at,
            ticket_id=t.id,
            now=at,
        ),
    )
    return best.id


async def counters(app: Litestar, desk: Desk) -> dict[str, int]:
    """The desk's two, one with both services at one rank, one recognition first."""
    engine = app.state.engine
    ids = dict(desk.counters)
    ids["equal"] = await add_counter(
        engine, "bochum", "Schalter 3", ["registration", "recognition"]
    )
    await CounterService.update({CounterService.rank: 1}).where(
        CounterService.counter == ids["equal"]
    )
    ids["reverse"] = await add_counter(
        engine, "bochum", "Schalter 4", ["recognition", "registration"]
    )
    desk.counters.update(ids)
    return ids


async def mixed_queue(desk: Desk, world: World) -> dict[str, int]:
    """Walk-ins of both services (two waiting past the cap), priority ones, booked
    visitors due, soon due and early, and a parked ticket."""
    now = clock.now()
    made: dict[str, int] = {}
    for n in range(3):
        made[f"reg{n}"] = (await desk.walk_in("registration"))["id"]
        made[f"rec{n}"] = (await desk.walk_in("recognition"))["id"]
    made["reg_urgent"] = (await desk.walk_in("registration", priority=True))["id"]
    made["rec_urgent"] = (await desk.walk_in("recognition", priority=True))["id"]
    long_ago = now - ordering.WALK_IN_CAP - timedelta(minutes=5)
    await Ticket.update({Ticket.due_at: long_ago}).where(Ticket.id == made["reg2"])
    await Ticket.update({Ticket.due_at: long_ago}).where(Ticket.id == made["rec2"])
    for offset, service in ((3, "registration"), (20, "registration"), (-10, "recognition")):
        reference = await booked_visit(world, (offset, service))
        made[f"booked{offset}"] = (await check_in(desk, reference))["id"]
    made["parked"] = (await desk.walk_in("registration"))["id"]
    parked = await desk.post(f"/tickets/{made['parked']}/park")
    assert parked.status_code == 200, parked.text
    return made


async def test_the_statement_calls_whom_the_old_pick_and_call_called(
    desk: Desk, world: World, app: Litestar
) -> None:
    engine = app.state.engine
    site = await catalogue.site_by_slug("bochum")
    ids = await counters(app, desk)
    made = await mixed_queue(desk, world)
    waiting = set(made.values()) - {made["parked"]}
    order = ["reverse", "one", "equal", "two", "one", "equal", "reverse"]
    called: list[int] = []
    for step in range(40):
        name = order[step % len(order)]
        at = clock.now()
        expected = await old_pick(site.id, ids[name], at)
        assert expected == await rule_pick(site.id, ids[name], at)
        with statements(engine) as seen:
            call = await tickets.call_next(engine, site, ids[name])
        if expected is None:
            assert call is None
            # SQLite: the update, then the counter's row to tell why nobody was called.
            assert len(seen) == (1 if engine.engine_type == "postgres" else 2), seen
            if not waiting.difference(called):
                break
            continue
        assert call is not None
        assert call.ticket.id == expected, (name, step)
        assert call.ticket.status == "called"
        assert call.ticket.counter_id == ids[name]
        assert call.counter_name == NAMES[name]
        # The pick and the call: one statement; the CALLED news reads the service
        # (these walk-ins have no phone, notify_ahead is 0): two in all, plus BEGIN
        # and COMMIT.
        assert [s.split()[0] for s in seen] == [
            "WITH" if engine.engine_type == "postgres" else "UPDATE",
            "SELECT",
        ], seen
        called.append(call.ticket.id)
    assert sorted(called) == sorted(waiting)
    # Priority first; the parked ticket was never called.
    assert made["parked"] not in called
    assert called[0] == made["rec_urgent"]  # counter "reverse": recognition ranks first
    assert called[1] == made["reg_urgent"]


async def test_refusals_are_as_before(desk: Desk, app: Litestar) -> None:
    engine = app.state.engine
    site = await catalogue.site_by_slug("bochum")
    one = desk.counters["one"]
    await desk.walk_in("registration")
    for state in (CounterState.PAUSED, CounterState.CLOSED):
        await tickets.set_state(engine, site, one, state)
        with statements(engine) as seen, pytest.raises(Conflict) as refused:
            await tickets.call_next(engine, site, one)
        assert refused.value.extra == {
            "code": "counter_not_open",
            "state": state.value,
        }
        assert len(seen) <= 2, seen
        answer = await desk.call_next("one")
        assert answer.status_code == 409
        assert answer.json()["code"] == "counter_not_open"
    await tickets.set_state(engine, site, one, CounterState.OPEN)
    # Another site's counter, and none at all: 404, nobody called.
    neuss_counter = (await repo.counters_at((await catalogue.site_by_slug("neuss")).id))[0]
    for counter_id in (neuss_counter.id, 999_999):
        answer = await desk.post(f"/sites/bochum/counters/{counter_id}/call-next")
        assert answer.status_code == 404, answer.text
        assert answer.json()["code"] == "counter_not_found"
    assert (await desk.call_next("one")).status_code == 200
    # Nobody waits: 204.
    assert (await desk.call_next("one")).status_code == 204
    assert (await desk.call_next("two")).status_code == 204


async def test_statements_of_one_call_next_request(
    desk: Desk, app: Litestar, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole HTTP call-next (notify_ahead 2, visitors with phones): the call is one
    statement; the news write the CALLED and an ALMOST SMS in the same transaction; the
    display is told before the desk's answer is read together."""
    engine = app.state.engine
    first = await desk.walk_in("registration", "recognition", phone="0171 2345678")
    for n in range(3):
        await desk.walk_in("registration", phone=f"0171 234567{n}")
    with statements(engine) as seen:
        publish = live.publish_call

        def marked(*args: Any) -> None:
            seen.append("PUBLISH")
            publish(*args)

        monkeypatch.setattr(live, "publish_call", marked)
        answer = await desk.call_next("one")
    assert answer.status_code == 200
    assert answer.json()["ticket"]["id"] == first["id"]
    heads = [s.split()[0].upper() for s in seen]
    start = heads.index("WITH" if engine.engine_type == "postgres" else "UPDATE")
    published = heads.index("PUBLISH")
    transaction = seen[start:published]
    # Pick and call: one statement, the first of the transaction, and only one.
    assert sum(s.startswith("WITH") or "SET status" in s for s in transaction) == 1
    # Then the news and what the SMS subscriber writes: the service (CALLED) and its
    # SMS; the line, the "almost" mark of the ticket now 2 ahead (those before it were
    # marked at issue), its service and SMS.
    pick_and_call = "WITH" if engine.engine_type == "postgres" else "UPDATE"
    assert [s.split()[0].upper() for s in transaction] == [
        pick_and_call,
        "SELECT",
        "INSERT",
        "SELECT",
        "UPDATE",
        "SELECT",
        "INSERT",
    ], transaction
    # The desk's answer, read after the publish: the services only (a called ticket
    # has no place in line), and the same as the full snapshot's view of it.
    assert [s.split()[0].upper() for s in seen[published + 1 :]][:1] == ["SELECT"]
    assert "service" in seen[published + 1]
    site = await catalogue.site_by_slug("bochum")
    ticket = await repo.ticket_by_id(first["id"])
    assert ticket is not None
    full = (await views.snapshot(site, "http://testserver")).ticket(ticket)
    assert answer.json()["ticket"] == msgspec.to_builtins(full)
    assert answer.json()["ticket"]["next_services"] == ["recognition"]


@pytest.mark.slow
async def test_many_counters_racing_call_each_ticket_once(desk: Desk, app: Litestar) -> None:
    ids = await counters(app, desk)
    names = list(ids)
    made = [await desk.walk_in("recognition" if n % 3 else "registration") for n in range(36)]
    service_of = {t["id"]: t["queue"] for t in made}
    profile = {
        "one": {"registration", "recognition"},
        "two": {"recognition"},
        "equal": {"registration", "recognition"},
        "reverse": {"registration", "recognition"},
    }
    called: list[int] = []
    for _ in range(10):
        answers = await asyncio.gather(*(desk.call_next(names[n % len(names)]) for n in range(24)))
        # 409 "busy, try again": every ticket left was held by the others' calls for
        # longer than call-next waits (a loaded machine); never a 5xx.
        assert {a.status_code for a in answers} <= {200, 204, 409}, [a.text for a in answers]
        assert all(a.json()["code"] == "queue_busy" for a in answers if a.status_code == 409)
        for n, answer in enumerate(answers):
            if answer.status_code == 200:
                ticket = answer.json()["ticket"]
                assert service_of[ticket["id"]] in profile[names[n % len(names)]]
                called.append(ticket["id"])
        if all(a.status_code == 204 for a in answers):
            break
    assert len(called) == len(set(called))
    assert sorted(called) == sorted(t["id"] for t in made)
    rows = await Ticket.select(Ticket.status).where(Ticket.id.is_in(called))
    assert {r["status"] for r in rows} == {"called"}


async def test_a_held_ticket_is_never_answered_as_nobody_waiting(
    desk: Desk, app: Litestar, database_url: str
) -> None:
    """Another counter's call holds the next tickets while it marks them told "almost
    your turn"; call-next skips held rows (SKIP LOCKED). With only held ones waiting it
    tries again, and says "busy, try again" (409) rather than "nobody waiting" (204);
    once the hold ends, it calls that ticket."""
    if not database_url.startswith("postgres"):
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): no row is ever locked")
    only = await desk.walk_in("registration")
    other = await asyncpg.connect(database_url)
    try:
        async with other.transaction():
            await other.execute("UPDATE ticket SET almost_step = step WHERE id = $1", only["id"])
            held = await desk.call_next("one")
            assert held.status_code == 409, held.text
            assert held.json()["code"] == "queue_busy"
    finally:
        await other.close()
    answer = await desk.call_next("one")
    assert answer.status_code == 200, answer.text
    assert answer.json()["ticket"]["id"] == only["id"]
    assert (await desk.call_next("one")).status_code == 204  # now nobody waits


async def test_a_held_head_of_the_line_is_not_passed_over_for_the_one_behind(
    desk: Desk, app: Litestar, database_url: str
) -> None:
    """The first in line held by another transaction (another counter calling it, or
    marking it "almost your turn"): call-next does not call the second instead, it
    says "busy, try again"; once the hold ends the first is called, then the second.
    A held one further back stops nobody."""
    if not database_url.startswith("postgres"):
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): no row is ever locked")
    first = await desk.walk_in("registration")
    second = await desk.walk_in("registration")
    third = await desk.walk_in("registration")
    # Held as another counter's call holds it while telling it "almost your turn": the
    # app's own statement, in a transaction left open.
    telling, told = asyncio.Event(), asyncio.Event()

    row = await Ticket.select(Ticket.step).where(Ticket.id == first["id"]).first()
    assert row is not None
    # Not yet told (a walk-in at the front may be told at once): the mark is to come.
    await Ticket.update({Ticket.almost_step: None}).where(Ticket.id == first["id"])

    async def tell_almost() -> None:
        async with write_transaction(app.state.engine):
            assert await repo.mark_almost(first["id"], row["step"])
            telling.set()
            await told.wait()

    task = asyncio.create_task(tell_almost())
    await asyncio.wait_for(telling.wait(), 10)
    try:
        held = await desk.call_next("one")
        assert held.status_code == 409, held.text
        assert held.json()["code"] == "queue_busy"
    finally:
        told.set()
        await task
    await Ticket.update({Ticket.almost_step: None}).where(Ticket.id == first["id"])
    other = await asyncpg.connect(database_url)
    try:
        async with other.transaction():  # any plain change of the head holds it too
            await other.execute("UPDATE ticket SET note = 'x' WHERE id = $1", first["id"])
            held = await desk.call_next("one")
            assert held.status_code == 409, held.text
        async with other.transaction():
            await other.execute("UPDATE ticket SET almost_step = step WHERE id = $1", third["id"])
            answer = await desk.call_next("one")  # the head is free: held ones behind wait
            assert answer.status_code == 200, answer.text
            assert answer.json()["ticket"]["id"] == first["id"]
    finally:
        await other.close()
    answer = await desk.call_next("one")
    assert answer.status_code == 200, answer.text
    assert answer.json()["ticket"]["id"] == second["id"]
