"""Booking limits: per contact, per service and day, per company key; each at its
edge and one past it, and under a race of one contact's bookings."""

import asyncio
from dataclasses import replace
from datetime import date, timedelta

import httpx
import pytest
from litestar import Litestar

from tests.conftest import World, local, next_weekday
from wcr.booking import bookings
from wcr.booking.companies import mint_key
from wcr.booking.contact import clean_contact
from wcr.booking.limits import OFF, Limits
from wcr.booking.tables import Booking, Slot
from wcr.config import Settings

PER_CONTACT = 3
PER_COMPANY = 5


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(
        settings,
        max_active_bookings_per_contact=PER_CONTACT,
        max_active_bookings_per_company=PER_COMPANY,
    )


async def slots_on_days(world: World, count: int, *, hour: int = 9) -> list[int]:
    """One slot on each of ``count`` consecutive days (the day rule stays out of it)."""
    first = next_weekday(1)
    return [await world.slot(local(first + timedelta(days=n), hour)) for n in range(count)]


def problem(response: httpx.Response) -> dict[str, object]:
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, object] = response.json()
    return body


async def test_a_contact_holds_at_most_the_limit_and_is_pointed_to_its_bookings(
    world: World,
) -> None:
    slot_ids = await slots_on_days(world, PER_CONTACT + 1)
    references = []
    for slot_id in slot_ids[:PER_CONTACT]:
        response = await world.book(slot_id, email="ana@example.org")
        assert response.status_code == 201, response.text
        references.append(response.json()["reference"])
    over = await world.book(slot_ids[-1], email="ana@example.org")
    assert over.status_code == 409
    body = problem(over)
    assert body["reason"] == "too_many_bookings"
    assert "e-mail" in str(body["detail"])
    assert body["bookings"] == [{"reference": r, "manage_url": f"/manage/{r}"} for r in references]
    # Nothing was reserved by the refused attempt.
    slot = await Slot.select(Slot.booked).where(Slot.id == slot_ids[-1]).first()
    assert slot == {"booked": 0}
    # Someone else still books that place.
    assert (await world.book(slot_ids[-1], email="ben@example.org")).status_code == 201


async def test_the_mailbox_is_counted_not_the_spelling(world: World) -> None:
    slot_ids = await slots_on_days(world, PER_CONTACT + 2)
    for slot_id, email in zip(
        slot_ids,
        ["jane.doe@gmail.com", "JaneDoe+wcr@googlemail.com", "j.a.n.e.doe+2@GMAIL.com"],
        strict=False,
    ):
        assert (await world.book(slot_id, email=email)).status_code == 201
    refused = await world.book(slot_ids[3], email="janedoe@gmail.com")
    assert refused.status_code == 409
    # Elsewhere dots are kept: another mailbox, another person.
    assert (await world.book(slot_ids[3], email="jane.doe@example.org")).status_code == 201
    assert (await world.book(slot_ids[4], email="janedoe@example.org")).status_code == 201


async def test_a_phone_number_is_counted_on_its_own(world: World) -> None:
    slot_ids = await slots_on_days(world, PER_CONTACT + 1)
    for n, slot_id in enumerate(slot_ids[:PER_CONTACT]):
        response = await world.book(slot_id, email=f"p{n}@example.org", phone="0151 23456789")
        assert response.status_code == 201, response.text
    refused = await world.book(slot_ids[-1], email="fresh@example.org", phone="+4915123456789")
    assert refused.status_code == 409
    assert "phone" in str(problem(refused)["detail"])


async def test_cancelled_and_past_bookings_leave_the_count(world: World) -> None:
    slot_ids = await slots_on_days(world, PER_CONTACT + 2)
    made = [
        (await world.book(slot_id, email="c@example.org")).json()
        for slot_id in slot_ids[:PER_CONTACT]
    ]
    assert (await world.book(slot_ids[3], email="c@example.org")).status_code == 409
    cancelled = await world.client.post(
        f"/api/v1/bookings/{made[0]['reference']}/cancel",
        headers={"Authorization": f"Bearer {made[0]['manage_token']}"},
    )
    assert cancelled.status_code == 200
    assert (await world.book(slot_ids[3], email="c@example.org")).status_code == 201
    assert (await world.book(slot_ids[4], email="c@example.org")).status_code == 409
    # A visit that has begun is no longer upcoming (the clock passes its start).
    start = await Slot.select(Slot.starts_at).where(Slot.id == slot_ids[1]).first()
    assert start is not None
    await Slot.update({Slot.starts_at: start["starts_at"] - timedelta(days=30)}).where(
        Slot.id == slot_ids[1]
    )
    assert (await world.book(slot_ids[4], email="c@example.org")).status_code == 201


async def test_one_booking_per_service_and_local_day(world: World) -> None:
    day = next_weekday(3)
    morning = await world.slot(local(day, 9))
    afternoon = await world.slot(local(day, 15))
    other_service = await world.slot(local(day, 11), service=world.recognition)
    late = await world.slot(local(day, 23, 20), minutes=20)
    after_midnight = await world.slot(local(day + timedelta(days=1), 0, 10), minutes=20)
    first = await world.book(morning, email="d@example.org")
    assert first.status_code == 201
    again = await world.book(afternoon, email="D@Example.org")
    assert again.status_code == 409
    body = problem(again)
    assert body["reason"] == "same_service_day"
    assert body["bookings"] == [
        {
            "reference": first.json()["reference"],
            "manage_url": f"/manage/{first.json()['reference']}",
        }
    ]
    assert (await world.book(other_service, email="d@example.org")).status_code == 201
    # 23:20 and 00:10 are 50 minutes apart but on two local days: one each.
    assert (await world.book(late, email="e@example.org")).status_code == 201
    assert (await world.book(after_midnight, email="e@example.org")).status_code == 201


async def test_rescheduling_keeps_the_day_rule_but_not_against_itself(world: World) -> None:
    day = next_weekday(4)
    nine, ten, eleven = [await world.slot(local(day, hour)) for hour in (9, 10, 11)]
    mine = (await world.book(nine, email="r@example.org")).json()
    other = (await world.book(ten, email="r@example.org", name="Partner")).json()
    assert "reference" not in other  # the same contact, the same service and day
    moved = await world.client.post(
        f"/api/v1/bookings/{mine['reference']}/reschedule",
        json={"slot_id": eleven},
        headers={"Authorization": f"Bearer {mine['manage_token']}"},
    )
    assert moved.status_code == 200, moved.text
    second = (await world.book(nine, email="r2@example.org")).json()
    elsewhere = await world.slot(local(day + timedelta(days=1), 9))
    third = (await world.book(elsewhere, email="r@example.org")).json()
    onto_taken_day = await world.client.post(
        f"/api/v1/bookings/{third['reference']}/reschedule",
        json={"slot_id": ten},
        headers={"Authorization": f"Bearer {third['manage_token']}"},
    )
    assert onto_taken_day.status_code == 409
    assert problem(onto_taken_day)["reason"] == "same_service_day"
    assert second["status"] == "confirmed"


@pytest.fixture
async def company_key(app: Litestar) -> str:
    return await mint_key(app.state["engine"], "Muster Maschinenbau GmbH")


async def test_a_company_key_books_for_employees_up_to_the_company_limit(
    world: World, company_key: str
) -> None:
    slot_ids = await slots_on_days(world, PER_COMPANY + 1)
    hr = "personal@muster.example"
    for n, slot_id in enumerate(slot_ids[:PER_COMPANY]):
        response = await world.client.post(
            "/api/v1/bookings",
            json={"slot_id": slot_id, "name": f"Employee {n}", "email": hr},
            headers={"X-Company-Key": company_key},
        )
        assert response.status_code == 201, response.text
    over = await world.client.post(
        "/api/v1/bookings",
        json={
            "slot_id": slot_ids[-1],
            "name": "Employee X",
            "email": hr,
            "company_key": company_key,
        },
    )
    assert over.status_code == 409
    assert "company" in str(problem(over)["detail"])
    # The firm's bookings are not the HR person's own.
    assert (await world.book(slot_ids[-1], email=hr)).status_code == 201
    rows = await Booking.select(Booking.company).where(Booking.email == hr)
    assert sum(1 for r in rows if r["company"] is not None) == PER_COMPANY


async def test_a_company_books_one_employee_once_per_service_and_day(
    world: World, company_key: str
) -> None:
    day: date = next_weekday(5)
    nine, ten, eleven = [await world.slot(local(day, hour)) for hour in (9, 10, 11)]

    async def book(slot_id: int, name: str) -> int:
        response = await world.client.post(
            "/api/v1/bookings",
            json={"slot_id": slot_id, "name": name, "email": "hr@muster.example"},
            headers={"X-Company-Key": company_key},
        )
        return response.status_code

    assert await book(nine, "Olena Petrenko") == 201
    assert await book(ten, "Amir Haddad") == 201
    assert await book(eleven, "Olena Petrenko") == 409


@pytest.mark.parametrize("key", ["wcr_ck_wrong", "nonsense", "wcr_ck_" + "ä" * 10])
async def test_a_wrong_company_key_is_422_naming_the_field(world: World, key: str) -> None:
    slot_id = await world.slot(local(next_weekday(2), 9))
    response = await world.client.post(
        "/api/v1/bookings",
        json={"slot_id": slot_id, "name": "A", "email": "a@example.org", "company_key": key},
    )
    assert response.status_code == 422
    assert problem(response)["errors"] == [
        {"field": "company_key", "message": "not a valid company key"}
    ]


async def test_a_new_company_key_replaces_the_old(app: Litestar, world: World) -> None:
    old = await mint_key(app.state["engine"], "Firma")
    new = await mint_key(app.state["engine"], "Firma")
    slot_id = await world.slot(local(next_weekday(2), 9), capacity=2)
    body = {"slot_id": slot_id, "name": "A", "email": "a@example.org"}
    refused = await world.client.post("/api/v1/bookings", json=body | {"company_key": old})
    assert refused.status_code == 422
    accepted = await world.client.post("/api/v1/bookings", json=body | {"company_key": new})
    assert accepted.status_code == 201


@pytest.mark.slow
async def test_fifty_bookings_of_one_contact_at_once_leave_exactly_the_limit(
    world: World,
) -> None:
    slot_ids = await slots_on_days(world, 50)
    responses = await asyncio.gather(
        *(world.book(slot_id, email="hoarder@example.org") for slot_id in slot_ids)
    )
    statuses = [r.status_code for r in responses]
    assert statuses.count(201) == PER_CONTACT
    assert statuses.count(409) == 50 - PER_CONTACT
    booked = await Slot.select(Slot.booked).where(Slot.id.is_in(slot_ids))
    assert sum(r["booked"] for r in booked) == PER_CONTACT


@pytest.mark.slow
async def test_twenty_bookings_of_one_day_at_once_leave_one(world: World) -> None:
    day = next_weekday(2)
    slot_ids = [await world.slot(local(day, 8, 0) + timedelta(minutes=30 * n)) for n in range(20)]
    responses = await asyncio.gather(
        *(world.book(slot_id, phone="+4915123456789", email=None) for slot_id in slot_ids)
    )
    assert [r.status_code for r in responses].count(201) == 1


async def test_zero_switches_the_limits_off(app: Litestar, world: World) -> None:
    settings = Settings.from_env(
        {"WCR_MAX_ACTIVE_BOOKINGS_PER_CONTACT": "0", "WCR_MAX_ACTIVE_BOOKINGS_PER_COMPANY": "0"}
    )
    limits = Limits.from_settings(settings)
    assert limits == OFF
    day = next_weekday(2)
    slot_ids = [await world.slot(local(day, 8 + n)) for n in range(PER_CONTACT + 2)]
    contact = clean_contact("Load Test", "load@example.org", None, "en")
    for slot_id in slot_ids:
        await bookings.book(app.state["engine"], [slot_id], contact, limits=limits)
    booked = await Slot.select(Slot.booked).where(Slot.id.is_in(slot_ids))
    assert [r["booked"] for r in booked] == [1] * len(slot_ids)


def test_the_defaults_are_three_per_contact_and_twenty_per_company() -> None:
    assert Limits.from_settings(Settings.from_env({})) == Limits(per_contact=3, per_company=20)
