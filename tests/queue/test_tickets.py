"""Walk-ins, check-in, calling order and counter actions at the front desk."""

import asyncio
from datetime import timedelta

import pytest

from tests.conftest import World
from tests.queue.conftest import Desk
from wcr import clock
from wcr.booking.tables import Appointment, Booking, Slot
from wcr.catalogue.tables import Service, Site
from wcr.queue.tables import Ticket
from wcr.tokens import digest

# Tickets are numbered per local day, and check-in takes today's appointments only:
# these tests make appointments from 30 minutes before to 45 after now, on the
# simulated day (tests/day_clock.py), whatever the machine's clock says.
pytestmark = pytest.mark.usefixtures("day_clock")


async def booked_visit(
    world: World, *offsets_and_services: tuple[int, str], status: str = "confirmed"
) -> str:
    """A booking whose appointments start at now + offset minutes (may be in the past)."""
    ids: list[int] = []
    for offset, service in offsets_and_services:
        start = clock.now().replace(microsecond=0) + timedelta(minutes=offset)
        site = await Site.select(Site.id).where(Site.slug == "bochum").first()
        assert site is not None
        row = await Slot.insert(
            Slot(
                site=site["id"],
                service=await service_id(service),
                agency=await agency_of(service),
                starts_at=start,
                ends_at=start + timedelta(minutes=20),
                capacity=1,
                booked=1,
            )
        ).returning(Slot.id)
        ids.append(row[0]["id"])
    reference = f"T{len(ids)}{abs(offsets_and_services[0][0]):02d}XYZW"[:8]
    booking = await Booking.insert(
        Booking(
            reference=reference,
            token_hash=digest("t"),
            name="Booked Person",
            email="b@example.org",
            language="en",
            status=status,
        )
    ).returning(Booking.id)
    for position, slot_id in enumerate(ids):
        await Appointment.insert(
            Appointment(booking=booking[0]["id"], slot=slot_id, position=position)
        )
    return reference


async def service_id(slug: str) -> int:
    row = await Service.select(Service.id).where(Service.slug == slug).first()
    assert row is not None
    return int(row["id"])


async def agency_of(slug: str) -> int:
    row = await Service.select(Service.agency).where(Service.slug == slug).first()
    assert row is not None
    return int(row["agency"])


async def test_walk_ins_get_numbers_per_queue_letter(desk: Desk) -> None:
    a1 = await desk.walk_in("registration")
    b1 = await desk.walk_in("recognition")
    a2 = await desk.walk_in("registration", name="Olena", phone="0171 2345678")
    assert [a1["number"], b1["number"], a2["number"]] == ["A001", "B001", "A002"]
    assert a2["name"] == "Olena"
    assert a1["status"] == "waiting"
    assert a2["position"] == 2


async def test_walk_in_for_an_unserved_or_unknown_service_names_the_field(
    desk: Desk, world: World
) -> None:
    response = await desk.post("/sites/bochum/tickets", {"service": "juggling"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "services"
    response = await desk.post("/sites/bochum/tickets", {})
    assert response.status_code == 422


async def test_call_next_order_priority_then_due_time_and_204_when_empty(desk: Desk) -> None:
    first = await desk.walk_in("registration")
    second = await desk.walk_in("registration")
    urgent = await desk.walk_in("registration", priority=True)
    called = [(await desk.call_next("one")).json()["ticket"]["id"] for _ in range(3)]
    assert called == [urgent["id"], first["id"], second["id"]]
    assert (await desk.call_next("one")).status_code == 204


async def test_work_profile_prefers_the_counters_first_queue(desk: Desk) -> None:
    recognition = await desk.walk_in("recognition")
    registration = await desk.walk_in("registration")
    response = await desk.call_next("one")  # registration is counter one's first queue
    assert response.json()["ticket"]["id"] == registration["id"]
    response = await desk.call_next("two")  # counter two serves recognition only
    assert response.json()["ticket"]["id"] == recognition["id"]
    assert response.json()["ticket"]["counter"] == "Schalter 2"


async def test_checked_in_appointment_is_ordered_by_booked_time(desk: Desk, world: World) -> None:
    walk_in = await desk.walk_in("registration")
    reference = await booked_visit(world, (-5, "registration"))  # due five minutes ago
    response = await desk.post("/sites/bochum/checkins", {"reference": reference.lower()})
    assert response.status_code == 201, response.text
    ticket = response.json()["ticket"]
    assert ticket["kind"] == "appointment"
    assert ticket["number"] == "A002"
    called = (await desk.call_next("one")).json()["ticket"]
    assert called["id"] == ticket["id"]  # booked time is earlier than the walk-in's arrival
    assert (await desk.call_next("one")).json()["ticket"]["id"] == walk_in["id"]


async def test_check_in_by_qr_link_twice_early_late_and_cancelled(desk: Desk, world: World) -> None:
    reference = await booked_visit(world, (10, "registration"))
    link = f"http://example.org/manage/{reference}#t=abc"
    assert (await desk.post("/sites/bochum/checkins", {"reference": link})).status_code == 201
    again = await desk.post("/sites/bochum/checkins", {"reference": reference})
    assert again.status_code == 409

    early = await booked_visit(world, (45, "recognition"))
    response = await desk.post("/sites/bochum/checkins", {"reference": early})
    assert response.status_code == 409
    assert "too early" in response.json()["detail"]

    late = await booked_visit(world, (-30, "recognition"))
    ticket = (await desk.post("/sites/bochum/checkins", {"reference": late})).json()["ticket"]
    assert ticket["kind"] == "walkin"  # moved to the walk-in line

    cancelled = await booked_visit(world, (5, "registration"), status="cancelled")
    response = await desk.post("/sites/bochum/checkins", {"reference": cancelled})
    assert response.status_code == 409
    unknown = await desk.post("/sites/bochum/checkins", {"reference": "AAAAAAAA"})
    assert unknown.status_code == 404


async def test_recall_then_no_show_after_the_limit(desk: Desk) -> None:
    ticket = await desk.walk_in("registration")
    await desk.call_next("one")
    for expected in ("called", "called", "no_show"):
        response = await desk.post(f"/tickets/{ticket['id']}/recall")
        assert response.status_code == 200, response.text
        assert response.json()["ticket"]["status"] == expected
    assert (await desk.post(f"/tickets/{ticket['id']}/recall")).status_code == 409


async def test_finish_twice_is_409_and_waiting_ticket_cannot_finish(desk: Desk) -> None:
    ticket = await desk.walk_in("registration")
    assert (await desk.post(f"/tickets/{ticket['id']}/finish")).status_code == 409
    await desk.call_next("one")
    done = await desk.post(f"/tickets/{ticket['id']}/finish")
    assert done.json()["ticket"]["status"] == "done"
    assert (await desk.post(f"/tickets/{ticket['id']}/finish")).status_code == 409


async def test_one_stop_walk_in_moves_to_the_next_queue_with_its_number(desk: Desk) -> None:
    ticket = await desk.walk_in("registration", "recognition")
    assert ticket["next_services"] == ["recognition"]
    await desk.call_next("one")
    after = (await desk.post(f"/tickets/{ticket['id']}/finish")).json()["ticket"]
    assert (after["status"], after["queue"], after["number"]) == (
        "waiting",
        "recognition",
        ticket["number"],
    )
    assert after["next_services"] == []
    called = (await desk.call_next("two")).json()["ticket"]
    assert called["id"] == ticket["id"]
    final = (await desk.post(f"/tickets/{ticket['id']}/finish")).json()["ticket"]
    assert final["status"] == "done"


async def test_one_stop_check_in_follows_the_booked_itinerary(desk: Desk, world: World) -> None:
    reference = await booked_visit(world, (5, "registration"), (40, "recognition"))
    ticket = (await desk.post("/sites/bochum/checkins", {"reference": reference})).json()["ticket"]
    assert (ticket["queue"], ticket["next_services"]) == ("registration", ["recognition"])


async def test_transfer_and_call_a_chosen_ticket(desk: Desk) -> None:
    first = await desk.walk_in("registration")
    second = await desk.walk_in("registration")
    chosen = await desk.post(
        f"/sites/bochum/counters/{desk.counters['one']}/call", {"ticket_id": second["id"]}
    )
    assert chosen.json()["ticket"]["id"] == second["id"]
    moved = await desk.post(f"/tickets/{first['id']}/transfer", {"service": "recognition"})
    assert moved.json()["ticket"]["queue"] == "recognition"
    assert (await desk.call_next("two")).json()["ticket"]["id"] == first["id"]
    bad = await desk.post(f"/tickets/{first['id']}/transfer", {"service": "juggling"})
    assert bad.status_code == 422


async def test_estimated_wait_uses_recent_service_times(desk: Desk) -> None:
    for _ in range(2):
        await desk.walk_in("registration")
        await desk.call_next("one")
    called = await Ticket.select(Ticket.id).where(Ticket.status == "called")
    # Two services of 10 minutes each: the estimate follows them, not the 20 booked.
    for row in called:
        await Ticket.update({Ticket.called_at: clock.now() - timedelta(minutes=10)}).where(
            Ticket.id == row["id"]
        )
        await desk.post(f"/tickets/{row['id']}/finish")
    waiting = [await desk.walk_in("registration") for _ in range(3)]
    estimates = [t["estimated_wait_minutes"] for t in waiting]
    # Two services of 10 minutes, blended with the 20 booked while samples are few
    # (2/7 of their mean, 5/7 of the booked: 17.1 min, and half a minute between two
    # visitors). Counter one, the only one serving registration, is idle: the first is
    # called at once, the second after one service (17.6 -> 18), the third two (36).
    assert estimates[0] == 0
    assert estimates[1] == 18
    queue = (await desk.client.get("/api/v1/sites/bochum/queue", headers=desk.headers)).json()
    [registration] = [q for q in queue["queues"] if q["service"] == "registration"]
    assert [t["estimated_wait_minutes"] for t in registration["waiting"]] == [0, 18, 36]


async def test_counters_list_their_profile_and_current_ticket(desk: Desk) -> None:
    await desk.walk_in("registration")
    await desk.call_next("one")
    counters = (await desk.client.get("/api/v1/sites/bochum/counters", headers=desk.headers)).json()
    one = next(c for c in counters if c["name"] == "Schalter 1")
    assert one["services"] == ["registration", "recognition"]
    assert one["serving"]["number"] == "A001"


async def test_visitor_sees_own_ticket_with_token_only(desk: Desk) -> None:
    ticket = await desk.walk_in("registration")
    token = ticket["ticket_url"].split("#", 1)[1]
    url = f"/api/v1/tickets/{ticket['id']}/public"
    public = await desk.client.get(url, headers={"Authorization": f"Bearer {token}"})
    assert public.json()["position"] == 1
    assert "name" not in public.json()
    wrong = await desk.client.get(url, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 404
    unknown = await desk.client.get(
        f"/api/v1/tickets/{ticket['id'] + 1000}/public", headers={"Authorization": "Bearer x"}
    )
    # A non-ASCII token (UTF-8 bytes in the header) and no token answer like an unknown
    # ticket: the answers tell nobody which ticket ids exist.
    odd = await desk.client.get(url, headers=[(b"Authorization", "Bearer ümlaut".encode())])
    missing = await desk.client.get(url)
    query = await desk.client.get(url, params={"token": token})  # no longer read from the URL
    for answer in (wrong, odd, missing, query):
        assert answer.status_code == unknown.status_code == 404
        assert answer.json()["detail"].split()[:2] == unknown.json()["detail"].split()[:2]


@pytest.mark.slow
async def test_two_counters_racing_call_every_ticket_exactly_once(desk: Desk) -> None:
    made = [await desk.walk_in("recognition") for _ in range(30)]
    responses = await asyncio.gather(
        *(desk.call_next("one" if n % 2 else "two") for n in range(60))
    )
    called = [r.json()["ticket"]["id"] for r in responses if r.status_code == 200]
    assert sorted(called) == sorted(t["id"] for t in made)
    assert sum(r.status_code == 204 for r in responses) == 30
    assert {r.status_code for r in responses} <= {200, 204}


@pytest.mark.slow
async def test_concurrent_walk_ins_get_unique_consecutive_numbers(desk: Desk) -> None:
    responses = await asyncio.gather(
        *(desk.post("/sites/bochum/tickets", {"service": "registration"}) for _ in range(40))
    )
    numbers = sorted(r.json()["ticket"]["number"] for r in responses)
    assert numbers == [f"A{n:03d}" for n in range(1, 41)]
