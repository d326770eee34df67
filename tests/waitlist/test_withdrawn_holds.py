"""A place held for a waitlist entry is no booking: the agency may withdraw its slot
(alone or by closing the day); the offer then falls away inside that transaction, the
entry waits again in its place in line, and a one-stop hold's other places (the
withdrawn slot's neighbours in the visit) are offered on."""

from __future__ import annotations

import asyncio
from datetime import date, time

import httpx
import pytest

from tests.conftest import World, local, next_weekday
from tests.waitlist.helpers import bearer, booked, entry_status, holds, join
from tests.waitlist.test_offers import cancel
from tests.waitlist.test_one_stop import WEDNESDAY, active, join_visit, pair
from wcr.booking import public as booking_public
from wcr.booking import repository
from wcr.booking.tables import Slot
from wcr.catalogue import public as catalogue
from wcr.timezones import local_range
from wcr.waitlist import counts
from wcr.waitlist.tables import WaitlistEntry


async def offers_counted(reference: str) -> int:
    row = (
        await WaitlistEntry.select(WaitlistEntry.offers)
        .where(WaitlistEntry.reference == reference)
        .first()
    )
    assert row is not None
    return int(row["offers"])


async def withdrawn(slot_id: int) -> bool:
    row = await Slot.select(Slot.withdrawn_at).where(Slot.id == slot_id).first()
    assert row is not None
    return row["withdrawn_at"] is not None


async def claim(client: httpx.AsyncClient, entry: dict[str, str]) -> httpx.Response:
    return await client.post(
        f"/api/v1/waitlist/{entry['reference']}/claim", headers=bearer(entry["token"])
    )


async def held_place(
    world: World, client: httpx.AsyncClient, day: date
) -> tuple[int, dict[str, str]]:
    """A one-place slot at 09:00 on ``day``, booked, an entry joined, the booking
    cancelled: the place is held for that entry. The slot and the entry."""
    slot = await world.slot(local(day, 9))
    taken = (await world.book(slot)).json()
    entry = await join(client, day, 1)
    await cancel(client, taken)
    return slot, entry


async def test_a_held_place_is_no_booking_and_its_withdrawal_ends_the_offer(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(3)
    slot, first = await held_place(world, client, day)
    assert await entry_status(first["reference"]) == "offered"
    assert await offers_counted(first["reference"]) == 1
    # No force needed: nobody has booked it, somebody was only offered it.
    response = await client.delete(
        f"/api/v1/agency/slots/{slot}", headers=world.headers(world.citizens_key)
    )
    assert response.status_code == 204, response.text
    assert await holds() == [{"slot": slot, "status": "withdrawn", "reference": first["reference"]}]
    assert await booked(slot) == 0
    # Back in line, and the offer that fell away does not count against its offers.
    assert await entry_status(first["reference"]) == "waiting"
    assert await offers_counted(first["reference"]) == 0
    assert (await claim(client, first)).status_code == 409
    assert await active(slot) == 0
    view = await client.get(
        f"/api/v1/waitlist/{first['reference']}", headers=bearer(first["token"])
    )
    assert view.json()["status"] == "waiting"
    assert view.json()["offer"] is None
    assert view.json()["offer_withdrawn"] is True
    # Nor do the statistics count it as an offer made.
    site = await catalogue.site_by_slug("bochum")
    start, end = local_range(day, day, site.tz)
    assert await counts.offer_days(site.id, site.tz, start, end) == []


async def test_a_slot_with_a_booking_and_a_hold_still_needs_force(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(3)
    slot = await world.slot(local(day, 9), capacity=2)
    kept = (await world.book(slot, email="kept@example.org")).json()
    taken = (await world.book(slot)).json()
    first = await join(client, day, 1)
    await cancel(client, taken)
    headers = world.headers(world.citizens_key)
    refused = await client.delete(f"/api/v1/agency/slots/{slot}", headers=headers)
    assert refused.status_code == 409
    assert not await withdrawn(slot)
    assert await holds() == [{"slot": slot, "status": "held", "reference": first["reference"]}]
    forced = await client.delete(f"/api/v1/agency/slots/{slot}?force=true", headers=headers)
    assert forced.status_code == 204
    assert [h["status"] for h in await holds()] == ["withdrawn"]
    view = await client.get(
        f"/api/v1/bookings/{kept['reference']}", headers=bearer(kept["manage_token"])
    )
    assert view.json()["status"] == "cancelled"
    assert await entry_status(first["reference"]) == "waiting"


async def test_withdrawing_one_slot_of_a_one_stop_hold_offers_its_neighbour_on(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(WEDNESDAY)
    registration, recognition = await pair(world, day, time(9))
    taken = (await world.book(registration)).json()
    visit = await join_visit(client, day, 1)
    single = await join(client, day, 2, service="recognition")
    await cancel(client, taken)
    assert [h["reference"] for h in await holds()] == [visit["reference"]] * 2
    response = await client.delete(
        f"/api/v1/agency/slots/{registration}", headers=world.headers(world.citizens_key)
    )
    assert response.status_code == 204, response.text
    assert await holds() == [
        {"slot": registration, "status": "withdrawn", "reference": visit["reference"]},
        {"slot": recognition, "status": "withdrawn", "reference": visit["reference"]},
        # The recognition place the visit no longer needs goes to the next in line.
        {"slot": recognition, "status": "held", "reference": single["reference"]},
    ]
    assert [await booked(registration), await booked(recognition)] == [0, 1]
    assert await entry_status(visit["reference"]) == "waiting"
    assert (await claim(client, single)).status_code == 201
    assert await active(recognition) == 1


@pytest.mark.parametrize("handling", ["keep", "cancel"])
async def test_closing_the_day_withdraws_a_held_place_with_the_free_ones(
    world: World, client: httpx.AsyncClient, handling: str
) -> None:
    day = next_weekday(3)
    held = await world.slot(local(day, 9))
    free = await world.slot(local(day, 10))
    taken = (await world.book(held)).json()
    first = await join(client, day, 1, last=day)
    await cancel(client, taken)
    assert [h["slot"] for h in await holds()] == [held]  # the earlier of the two
    response = await close(client, world, day, handling)
    assert response.status_code == 200, response.text
    assert sorted(s["id"] for s in response.json()["withdrawn"]) == [held, free]
    assert response.json()["people"] == []
    assert [await withdrawn(held), await withdrawn(free)] == [True, True]
    assert [h["status"] for h in await holds()] == ["withdrawn"]
    assert await entry_status(first["reference"]) == "waiting"  # nothing left to offer
    assert (await claim(client, first)).status_code == 409


async def test_a_claim_racing_a_withdrawal_never_books_a_withdrawn_slot(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(3)
    headers = world.headers(world.citizens_key)
    outcomes = set()
    for hour in range(8, 14):
        slot = await world.slot(local(day, hour))
        taken = (await world.book(slot, email=f"taken{hour}@example.org")).json()
        entry = await join(client, day, hour)
        await cancel(client, taken)
        racers = [
            claim(client, entry),
            client.delete(f"/api/v1/agency/slots/{slot}", headers=headers),
        ]
        if hour % 2:  # each of them sent first in half of the rounds
            claimed, withdrawal = await asyncio.gather(*racers)
        else:
            withdrawal, claimed = await asyncio.gather(*reversed(racers))
        outcomes.add((claimed.status_code, withdrawal.status_code))
        # Exactly one of them wins: a booking in a live slot, or a withdrawn slot
        # with no booking and no hold.
        if claimed.status_code == 201:
            assert withdrawal.status_code == 409
            assert not await withdrawn(slot)
            assert await active(slot) == 1
        else:
            assert (claimed.status_code, withdrawal.status_code) == (409, 204)
            assert await withdrawn(slot)
            assert await active(slot) == 0
            assert await booked(slot) == 0
            # Waiting again: it leaves, or the next round's new slot would be its.
            left = await client.delete(
                f"/api/v1/waitlist/{entry['reference']}", headers=bearer(entry["token"])
            )
            assert left.status_code == 204
    assert outcomes <= {(201, 409), (409, 204)}


async def test_a_withdrawal_waits_for_a_claim_under_way_and_then_refuses(
    world: World, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The claim has taken its hold (the row is its, on PostgreSQL) but not yet booked
    # when the withdrawal starts: the withdrawal must wait for it and then see the
    # booking, not withdraw the slot under it.
    day = next_weekday(3)
    slot, entry = await held_place(world, client, day)
    book_held = booking_public.book_held
    go_on = asyncio.Event()

    async def book_held_later(*args: object, **kwargs: object) -> tuple[str, str]:
        await go_on.wait()
        return await book_held(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(booking_public, "book_held", book_held_later)
    claiming = asyncio.create_task(claim(client, entry))
    await asyncio.sleep(0.2)
    withdrawing = asyncio.create_task(
        client.delete(f"/api/v1/agency/slots/{slot}", headers=world.headers(world.citizens_key))
    )
    await asyncio.sleep(0.3)
    go_on.set()
    claimed, withdrawal = await claiming, await withdrawing
    assert claimed.status_code == 201, claimed.text
    assert withdrawal.status_code == 409, withdrawal.text
    assert not await withdrawn(slot)
    assert await active(slot) == 1


async def close(
    client: httpx.AsyncClient, world: World, day: date, handling: str
) -> httpx.Response:
    """The citizens' office closes ``day`` at Bochum, its bookings kept, cancelled or moved."""
    return await client.post(
        "/api/v1/agency/closures",
        headers=world.headers(world.citizens_key),
        json={"site": "bochum", "date": day.isoformat(), "bookings": handling},
    )


class Gate:
    """Holds the first call of a coroutine function until opened; later calls pass."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> None:
        self.opened = asyncio.Event()
        self.reached = asyncio.Event()
        original = getattr(module, name)

        async def gated(*args: object, **kwargs: object) -> object:
            if not self.reached.is_set():
                self.reached.set()
                await self.opened.wait()
            return await original(*args, **kwargs)

        monkeypatch.setattr(module, name, gated)

    async def open_after(self, seconds: float) -> None:
        await asyncio.wait_for(self.reached.wait(), 5)
        await asyncio.sleep(seconds)
        self.opened.set()


async def test_a_withdrawal_and_a_leave_waiting_for_each_other_both_go_through(
    world: World, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The leave has ended its entry and hold and is about to give the place back
    # (slot row next) when the withdrawal, holding the slot row, wants the hold row:
    # on PostgreSQL a deadlock, broken by aborting one; that one runs again.
    day = next_weekday(3)
    slot, entry = await held_place(world, client, day)
    gate = Gate(monkeypatch, booking_public, "give_back_place")
    leaving = asyncio.create_task(
        client.delete(f"/api/v1/waitlist/{entry['reference']}", headers=bearer(entry["token"]))
    )
    await asyncio.wait_for(gate.reached.wait(), 5)
    withdrawing = asyncio.create_task(
        client.delete(f"/api/v1/agency/slots/{slot}", headers=world.headers(world.citizens_key))
    )
    await gate.open_after(0.3)
    left, withdrawal = await leaving, await withdrawing
    assert (left.status_code, withdrawal.status_code) == (204, 204), (left.text, withdrawal.text)
    assert await withdrawn(slot)
    assert await booked(slot) == 0
    assert await entry_status(entry["reference"]) == "left"
    assert [h["status"] for h in await holds()] in (["declined"], ["withdrawn"])


@pytest.mark.parametrize("handling", ["keep", "cancel"])
async def test_a_booking_made_while_the_day_closes_is_kept_or_cancelled_not_lost(
    world: World, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, handling: str
) -> None:
    # The booking has taken its place (the slot row is its) but not committed when
    # the closure's UPDATE starts: the slot must not end up withdrawn under it. The
    # slot has a second place and somebody waits for one: only a day kept offers it.
    day = next_weekday(3)
    slot = await world.slot(local(day, 9), capacity=2)
    waiting = await join(client, day, 1)
    gate = Gate(monkeypatch, repository, "insert_booking")
    booking = asyncio.create_task(world.book(slot, email="late@example.org"))
    await asyncio.wait_for(gate.reached.wait(), 5)
    closing = asyncio.create_task(close(client, world, day, handling))
    await gate.open_after(0.3)
    made, closed = await booking, await closing
    assert made.status_code == 201, made.text
    assert closed.status_code == 200, closed.text
    outcome = {p["reference"]: p["outcome"] for p in closed.json()["people"]}
    assert outcome == {made.json()["reference"]: {"keep": "kept", "cancel": "cancelled"}[handling]}
    view = await client.get(
        f"/api/v1/bookings/{made.json()['reference']}",
        headers=bearer(made.json()["manage_token"]),
    )
    assert [s["id"] for s in closed.json()["withdrawn"]] == []
    assert [s["id"] for s in closed.json()["booked"]] == [slot]
    if handling == "keep":
        assert not await withdrawn(slot)
        assert view.json()["status"] == "confirmed"
        # Its free place may be offered (PostgreSQL: withdrawn, then put back), and an
        # offer made stands.
        assert [(h["status"], h["reference"]) for h in await holds()] in (
            [],
            [("held", waiting["reference"])],
        )
    else:
        assert await withdrawn(slot)
        assert view.json()["status"] == "cancelled"
        assert await holds() == []  # never offered a place of the closed day
        assert await entry_status(waiting["reference"]) == "waiting"
    # Never a withdrawn slot with a live booking in it.
    assert not (await withdrawn(slot) and await active(slot))


async def test_a_booking_made_while_booked_slots_are_withdrawn_is_cancelled_too(
    world: World, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A slot with one booking and a place left: a second booking is under way when the
    # closure withdraws the booked slots; it is cancelled (and told) like the first.
    day = next_weekday(3)
    slot = await world.slot(local(day, 9), capacity=2)
    first = (await world.book(slot, email="first@example.org")).json()
    gate = Gate(monkeypatch, repository, "insert_booking")
    second = asyncio.create_task(world.book(slot, email="second@example.org"))
    await asyncio.wait_for(gate.reached.wait(), 5)
    closing = asyncio.create_task(close(client, world, day, "cancel"))
    await gate.open_after(0.3)
    made, closed = await second, await closing
    assert made.status_code == 201, made.text
    assert closed.status_code == 200, closed.text
    outcome = {p["reference"]: p["outcome"] for p in closed.json()["people"]}
    assert outcome == {first["reference"]: "cancelled", made.json()["reference"]: "cancelled"}
    assert await withdrawn(slot)
    assert await active(slot) == 0


async def test_a_claim_made_while_the_day_closes_keeps_its_booking(
    world: World, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = next_weekday(3)
    slot, entry = await held_place(world, client, day)
    gate = Gate(monkeypatch, booking_public, "book_held")
    claiming = asyncio.create_task(claim(client, entry))
    await asyncio.wait_for(gate.reached.wait(), 5)
    closing = asyncio.create_task(close(client, world, day, "keep"))
    await gate.open_after(0.3)
    claimed, closed = await claiming, await closing
    assert claimed.status_code == 201, claimed.text
    assert closed.status_code == 200, closed.text
    assert not await withdrawn(slot)
    assert await active(slot) == 1
    assert [p["outcome"] for p in closed.json()["people"]] == ["kept"]
