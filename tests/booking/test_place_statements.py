"""The statements that replaced several on a booking's way (issue 15): the read that
refuses a full slot before any transaction, and the take that brings its refusal's
reason along. Each gives what the statements it replaced gave, on both engines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import World, local, next_weekday
from wcr.booking import repository as repo
from wcr.booking.records import NoPlace
from wcr.booking.tables import Slot
from wcr.clock import now
from wcr.database import write_transaction

UNKNOWN = 2**31 - 1


async def _states(world: World) -> dict[str, int]:
    """One slot in each state a place can be refused or taken in."""
    day = next_weekday(2)
    slots = {
        state: await world.slot(local(day, 8 + i), capacity=2)
        for i, state in enumerate(("free", "full", "withdrawn", "begun"))
    }
    await Slot.update({Slot.booked: 2}).where(Slot.id == slots["full"])
    await Slot.update({Slot.withdrawn_at: datetime.now(UTC)}).where(Slot.id == slots["withdrawn"])
    await Slot.update({Slot.starts_at: datetime.now(UTC) - timedelta(minutes=5)}).where(
        Slot.id == slots["begun"]
    )
    return slots | {"unknown": UNKNOWN}


async def _booked(slot_id: int) -> int | None:
    row = await Slot.select(Slot.booked).where(Slot.id == slot_id).first()
    return None if row is None else int(row["booked"])


async def _old_way(slot_id: int) -> datetime | NoPlace:
    """What the booking did before: the conditional update, then, refused, a query
    whether the slot exists."""
    start = await repo.take_place(slot_id, now())
    if start is not None:
        return start
    return NoPlace.FULL if await repo.slot_exists(slot_id) else NoPlace.NO_SLOT


EXPECTED = {
    "free": None,  # a start: taken
    "full": NoPlace.FULL,
    "withdrawn": NoPlace.FULL,
    "begun": NoPlace.FULL,
    "unknown": NoPlace.NO_SLOT,
}


@pytest.mark.parametrize("state", list(EXPECTED))
async def test_the_take_gives_the_refusals_reason_as_the_two_statements_did(
    world: World, state: str
) -> None:
    slots = await _states(world)
    slot_id = slots[state]
    before = await _booked(slot_id)
    async with write_transaction(Slot._meta.db):
        new = await repo.take_place_or_why(slot_id, now())
        inside = await _booked(slot_id)
    if EXPECTED[state] is None:
        assert isinstance(new, datetime)
        assert inside == (before or 0) + 1
        # The old way takes the second place of the same slot, at the same start.
        old = await _old_way(slot_id)
        assert old == new
        assert await _booked(slot_id) == (before or 0) + 2
    else:
        assert new == EXPECTED[state]
        assert inside == before  # a refusal changes nothing
        assert await _old_way(slot_id) == new
        assert await _booked(slot_id) == before


async def test_the_read_refuses_what_the_take_would_and_names_the_first_slot(
    world: World,
) -> None:
    slots = await _states(world)
    at = now()
    for state, expected in EXPECTED.items():
        found = await repo.first_unavailable([slots[state]], at)
        assert found == (None if expected is None else (slots[state], expected)), state
    # Several: the lowest id refused is named, as the takes in ascending order would.
    refused = sorted([slots["full"], slots["withdrawn"], UNKNOWN])
    assert await repo.first_unavailable([slots["free"], *reversed(refused)], at) == (
        refused[0],
        EXPECTED[next(s for s in slots if slots[s] == refused[0])],
    )
    assert await repo.first_unavailable([slots["free"]], at) is None
    # A read takes nothing.
    assert await _booked(slots["free"]) == 0


async def test_refused_bookings_answer_as_before_and_take_nothing(world: World) -> None:
    slots = await _states(world)
    for state in ("full", "withdrawn", "begun"):
        response = await world.book(slots[state])
        assert response.status_code == 409, (state, response.text)
        assert response.json()["detail"].startswith(f"slot {slots[state]} has no free place")
    unknown = await world.book(UNKNOWN)
    assert unknown.status_code == 422
    [error] = unknown.json()["errors"]
    assert (error["field"], error["message"]) == ("slot_id", f"no slot {UNKNOWN}")
    advice = await world.slot(local(next_weekday(2), 8, 40), service=world.recognition)
    await Slot.update({Slot.booked: 1}).where(Slot.id == advice)
    visit = await world.book(slots["free"], advice)
    assert visit.status_code == 409, visit.text
    assert visit.json()["detail"].startswith(f"slot {advice} has no free place")
    assert await _booked(slots["free"]) == 0  # all or nothing: the free one stays free
    assert (await world.book(slots["free"])).status_code == 201
