"""One-stop visits over HTTP: packages, the itinerary search, booking all or nothing."""

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import pytest
from litestar import Litestar

from tests.booking.test_dst import upcoming
from tests.conftest import World, after, local, next_weekday
from wcr.booking import visits
from wcr.booking.tables import Appointment, Slot
from wcr.catalogue import public as catalogue
from wcr.catalogue.public import create_agency_key
from wcr.catalogue.tables import Agency, Service
from wcr.notifications.tables import Message


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class VisitWorld(World):
    """The world with a third agency, the immigration office, and its key."""

    immigration_key: str


@pytest.fixture
async def visit_world(world: World, app: Litestar) -> VisitWorld:
    """A third service (the immigration office) and a package of all three at Bochum."""
    agency = await Agency.insert(Agency(slug="immigration", name="Ausländerbehörde")).returning(
        Agency.id
    )
    await Service.insert(
        Service(
            slug="permit", agency=agency[0]["id"], duration_minutes=30, names='{"en": "Permit"}'
        )
    )
    immigration_key = await create_agency_key("immigration")
    assert await catalogue.serve_site("immigration", "bochum")
    await visits.create_package(
        app.state.engine,
        "one-stop",
        "bochum",
        {"de": "Alles an einem Tag", "en": "All in one day"},
        ["registration", "recognition", "permit"],
    )
    await catalogue.add_order_rule(app.state.engine, "registration", "permit")
    return VisitWorld(**vars(world), immigration_key=immigration_key)


async def publish(
    world: VisitWorld, service: str, start: datetime, minutes: int = 30, capacity: int = 1
) -> int:
    key = {
        "registration": world.citizens_key,
        "recognition": world.ihk_key,
        "permit": world.immigration_key,
    }[service]
    response = await world.client.post(
        "/api/v1/agency/slots",
        headers=world.headers(key),
        json={
            "site": "bochum",
            "service": service,
            "start": start.isoformat(),
            "end": after(start, minutes).isoformat(),
            "capacity": capacity,
        },
    )
    assert response.status_code == 201, response.text
    slot_id: int = response.json()["slots"][0]["id"]
    return slot_id


async def test_packages_are_listed(visit_world: VisitWorld, client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/v1/packages", params={"lang": "de"})).json()
    assert body == [
        {
            "slug": "one-stop",
            "name": "Alles an einem Tag",
            "site": "bochum",
            "services": ["registration", "recognition", "permit"],
            "names": {"de": "Alles an einem Tag", "en": "All in one day"},
            "weekdays": [],  # every day
            "opens": None,
            "closes": None,
        }
    ]


async def test_best_itinerary_is_found_booked_and_kept_in_order(
    visit_world: VisitWorld, client: httpx.AsyncClient
) -> None:
    day = next_weekday(3)
    permit_early = await publish(visit_world, "permit", local(day, 8))  # before registration
    registration = await publish(visit_world, "registration", local(day, 8, 40), minutes=20)
    recognition = await publish(visit_world, "recognition", local(day, 9, 5))
    permit = await publish(visit_world, "permit", local(day, 9, 40))
    response = await client.get(
        "/api/v1/visits/options",
        params={"package": "one-stop", "from": day.isoformat(), "to": day.isoformat()},
    )
    assert response.status_code == 200, response.text
    [option] = response.json()["options"]
    assert option["slot_ids"] == [registration, recognition, permit]
    assert option["idle_minutes"] == 5 + 5
    assert option["start"] == local(day, 8, 40).isoformat()
    assert option["end"] == local(day, 10, 10).isoformat()
    assert permit_early not in option["slot_ids"]  # the order rule forbids it

    created = await visit_world.book(*reversed(option["slot_ids"]))
    assert created.status_code == 201, created.text
    booking = created.json()
    # Stored in visiting order, whatever order the client sent.
    assert [a["slot_id"] for a in booking["appointments"]] == option["slot_ids"]
    assert [a["position"] for a in booking["appointments"]] == [0, 1, 2]
    again = await client.get(
        "/api/v1/visits/options",
        params={"package": "one-stop", "from": day.isoformat(), "to": day.isoformat()},
    )
    assert again.json()["options"] == []


async def test_custom_combination_and_bad_requests(
    visit_world: VisitWorld, client: httpx.AsyncClient
) -> None:
    day = next_weekday(3)
    await publish(visit_world, "registration", local(day, 10))
    await publish(visit_world, "recognition", local(day, 10, 35))
    ok = await client.get(
        "/api/v1/visits/options",
        params={"site": "bochum", "services": "recognition,registration", "from": day.isoformat()},
    )
    assert len(ok.json()["options"]) == 1
    for params, field in [
        ({"site": "bochum", "services": "registration"}, "services"),
        ({"site": "bochum", "services": "registration,registration"}, "services"),
        ({"site": "bochum", "services": "registration,juggling"}, "services"),
        ({"services": "registration,recognition"}, "site"),
        ({"package": "nope"}, "package"),
        ({"package": "one-stop", "site": "neuss"}, "site"),
        ({"site": "bochum", "services": "registration,recognition", "limit": "0"}, "limit"),
    ]:
        response = await client.get("/api/v1/visits/options", params=params)
        assert response.status_code in (400, 422), (params, response.text)
        assert field in [e["field"] for e in response.json()["errors"]], (params, response.json())


async def test_booking_a_visit_that_breaks_the_rules_is_refused(
    visit_world: VisitWorld, client: httpx.AsyncClient
) -> None:
    day = next_weekday(3)
    permit = await publish(visit_world, "permit", local(day, 8))
    registration = await publish(visit_world, "registration", local(day, 9))
    tight = await publish(visit_world, "recognition", local(day, 9, 32))  # 2-minute gap
    tomorrow = await publish(visit_world, "recognition", local(day + timedelta(days=1), 9))
    far = await publish(visit_world, "recognition", local(day, 14))  # hours of waiting
    for slot_ids, words in [
        ((permit, registration), "must come before"),
        ((registration, tight), "less than 5 min"),
        ((registration, tomorrow), "one day"),
        ((registration, far), "waiting"),
    ]:
        response = await visit_world.book(*slot_ids)
        assert response.status_code == 422, response.text
        assert words in response.json()["errors"][0]["message"]
    rows = await Slot.select(Slot.booked).where(Slot.booked > 0)
    assert rows == []


async def test_drop_one_appointment_then_cancel_the_visit(
    visit_world: VisitWorld, client: httpx.AsyncClient
) -> None:
    day = next_weekday(3)
    a = await publish(visit_world, "registration", local(day, 9))
    b = await publish(visit_world, "recognition", local(day, 9, 35))
    c = await publish(visit_world, "permit", local(day, 10, 10))
    booking = (await visit_world.book(a, b, c)).json()
    base = f"/api/v1/bookings/{booking['reference']}"
    headers = auth(booking["manage_token"])
    dropped = await client.post(f"{base}/appointments/{b}/cancel", headers=headers)
    assert dropped.status_code == 200, dropped.text
    assert [x["slot_id"] for x in dropped.json()["appointments"]] == [a, c]
    row = await Slot.select(Slot.booked).where(Slot.id == b).first()
    assert row is not None
    assert row["booked"] == 0
    again = await client.post(f"{base}/appointments/{b}/cancel", headers=headers)
    assert again.status_code == 404
    await client.post(f"{base}/appointments/{c}/cancel", headers=headers)
    last = await client.post(f"{base}/appointments/{a}/cancel", headers=headers)
    assert last.status_code == 409
    cancelled = await client.post(f"{base}/cancel", headers=headers)
    assert cancelled.status_code == 200
    booked = await Slot.select(Slot.id, Slot.booked).where(Slot.id.is_in([a, b, c]))
    assert all(r["booked"] == 0 for r in booked)


async def test_an_agency_withdrawing_one_slot_of_a_visit_drops_only_that_appointment(
    visit_world: VisitWorld, client: httpx.AsyncClient
) -> None:
    day = next_weekday(3)
    a = await publish(visit_world, "registration", local(day, 9))
    b = await publish(visit_world, "recognition", local(day, 9, 35))
    single = await publish(visit_world, "recognition", local(day, 11))
    visit = (await visit_world.book(a, b)).json()
    alone = (await visit_world.book(single)).json()
    ihk = visit_world.headers(visit_world.ihk_key)
    for slot in (b, single):
        response = await client.delete(f"/api/v1/agency/slots/{slot}?force=true", headers=ihk)
        assert response.status_code == 204, response.text
    shown = await client.get(
        f"/api/v1/bookings/{visit['reference']}", headers=auth(visit["manage_token"])
    )
    assert shown.json()["status"] == "confirmed"
    assert [x["slot_id"] for x in shown.json()["appointments"]] == [a]
    kept = await Slot.select(Slot.booked).where(Slot.id == a).first()
    assert kept is not None
    assert kept["booked"] == 1  # the other agency's appointment keeps its place
    told = await Message.select(Message.kind).where(Message.booking.reference == visit["reference"])
    assert [m["kind"] for m in told].count("rescheduled") == 1  # the visitor is told
    ended = await client.get(
        f"/api/v1/bookings/{alone['reference']}", headers=auth(alone["manage_token"])
    )
    assert ended.json()["status"] == "cancelled"  # a booking of that slot alone ends


async def test_reschedule_replaces_the_whole_visit_atomically(
    visit_world: VisitWorld, client: httpx.AsyncClient
) -> None:
    day = next_weekday(3)
    first = [
        await publish(visit_world, "registration", local(day, 9)),
        await publish(visit_world, "recognition", local(day, 9, 35)),
    ]
    second = [first[0], await publish(visit_world, "recognition", local(day, 10, 5))]
    taken = await publish(visit_world, "recognition", local(day, 8))
    await visit_world.book(taken)
    booking = (await visit_world.book(*first)).json()
    base = f"/api/v1/bookings/{booking['reference']}"
    headers = auth(booking["manage_token"])
    refused = await client.post(
        f"{base}/reschedule", headers=headers, json={"slot_ids": [first[0], taken]}
    )
    assert refused.status_code == 409
    moved = await client.post(f"{base}/reschedule", headers=headers, json={"slot_ids": second})
    assert moved.status_code == 200, moved.text
    assert [x["slot_id"] for x in moved.json()["appointments"]] == second
    counts = {r["id"]: r["booked"] for r in await Slot.select(Slot.id, Slot.booked)}
    assert counts[first[0]] == 1  # kept, not taken twice
    assert counts[first[1]] == 0
    assert counts[second[1]] == 1
    assert counts[taken] == 1


@pytest.mark.slow
async def test_many_visitors_race_for_overlapping_itineraries(
    visit_world: VisitWorld, client: httpx.AsyncClient
) -> None:
    day = next_weekday(3)
    slots: list[int] = []
    for n in range(3):
        slots.append(await publish(visit_world, "registration", local(day, 8 + n), capacity=2))
        slots.append(await publish(visit_world, "recognition", local(day, 8 + n, 25), capacity=2))
        slots.append(await publish(visit_world, "permit", local(day, 8 + n, 30 + 25), capacity=2))
    options = (
        await client.get(
            "/api/v1/visits/options",
            params={
                "package": "one-stop",
                "from": day.isoformat(),
                "to": day.isoformat(),
                "limit": 20,
            },
        )
    ).json()["options"]
    assert options
    itineraries = [o["slot_ids"] for o in options]
    responses = await asyncio.gather(
        *(
            visit_world.book(
                *itineraries[n % len(itineraries)], name=f"V{n}", email=f"v{n}@example.org"
            )
            for n in range(100)
        )
    )
    assert {r.status_code for r in responses} <= {201, 409}
    for response in responses:
        if response.status_code == 201:
            assert len(response.json()["appointments"]) == 3
    rows = await Slot.select(Slot.id, Slot.booked, Slot.capacity).where(Slot.id.is_in(slots))
    for row in rows:
        assert row["booked"] <= row["capacity"]
        held = await Appointment.count().where(
            Appointment.slot == row["id"], Appointment.status == "active"
        )
        assert held == row["booked"]
    winners = sum(r.status_code == 201 for r in responses)
    assert winners * 3 == sum(r["booked"] for r in rows)


async def test_one_stop_day_across_the_autumn_change_keeps_local_times(
    visit_world: VisitWorld, client: httpx.AsyncClient
) -> None:
    autumn = upcoming(10)
    # 02:30-03:00 summer time ends at 02:00 winter time; 02:10 winter time comes ten
    # real minutes later, though the wall clock reads earlier than the first start.
    a = await publish(
        visit_world, "registration", datetime.fromisoformat(f"{autumn}T02:30:00+02:00")
    )
    b = await publish(
        visit_world, "recognition", datetime.fromisoformat(f"{autumn}T02:10:00+01:00")
    )
    options = (
        await client.get(
            "/api/v1/visits/options",
            params={
                "site": "bochum",
                "services": "registration,recognition",
                "from": autumn.isoformat(),
                "to": autumn.isoformat(),
            },
        )
    ).json()["options"]
    [option] = options
    assert option["slot_ids"] == [a, b]
    assert option["idle_minutes"] == 10
    assert option["start"] == f"{autumn}T02:30:00+02:00"
    assert option["appointments"][1]["start"] == f"{autumn}T02:10:00+01:00"
