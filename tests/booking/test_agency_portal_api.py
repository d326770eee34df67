"""The agency portal's API: names, pattern previews, slot edits (and a capacity edit
racing bookings), closed days, and the scoping of each (another agency, another site,
no key), with bad input answered 4xx naming the field."""

import asyncio
from datetime import timedelta

import httpx
from litestar import Litestar

from tests.conftest import World, local, next_weekday
from wcr.booking.tables import Booking, Slot
from wcr.catalogue.tables import Site

AGENCY = "/api/v1/agency"
SLOTS = f"{AGENCY}/slots"


def pattern(
    day: object, start: str = "09:00", end: str = "11:00", **extra: object
) -> dict[str, object]:
    return {
        "site": "bochum",
        "service": "registration",
        "from_date": str(day),
        "to_date": str(day),
        "weekdays": [1, 2, 3, 4, 5, 6, 7],
        "start_time": start,
        "end_time": end,
        "slot_minutes": 30,
        **extra,
    }


async def test_me_slots_and_bookings_carry_names_in_the_language_asked(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(2)
    slot = await world.slot(local(day, 9))
    booked = (await world.book(slot, language="ar")).json()
    headers = world.headers(world.citizens_key)
    me = (await client.get(f"{AGENCY}/me", headers=headers, params={"lang": "de"})).json()
    assert me["services"] == [{"slug": "registration", "name": "Wohnsitzanmeldung"}]
    assert {s["slug"]: s["name"] for s in me["site_details"]} == {
        "bochum": "Welcome Office Bochum",
        "neuss": "WCR Neuss",
    }
    week = {"from": day.isoformat(), "to": day.isoformat()}
    [listed] = (await client.get(SLOTS, headers=headers, params=week | {"lang": "en"})).json()
    assert (listed["site_name"], listed["service_name"]) == (
        "Welcome Office Bochum",
        "Residence registration",
    )
    [booking] = (
        await client.get(f"{AGENCY}/bookings", headers=headers, params=week | {"lang": "de"})
    ).json()
    assert (booking["reference"], booking["language"], booking["service_name"]) == (
        booked["reference"],
        "ar",
        "Wohnsitzanmeldung",
    )


async def test_preview_counts_and_writes_nothing(world: World, client: httpx.AsyncClient) -> None:
    monday = next_weekday(1)
    await world.slot(local(monday, 9, 30))
    body = pattern(monday, to_date=str(monday + timedelta(days=6)), weekdays=[1, 3])
    headers = world.headers(world.citizens_key)
    preview = (await client.post(f"{SLOTS}/preview", headers=headers, json=body)).json()
    assert preview["would_create"] == 4 + 3  # Wednesday 4, Monday 4 less the overlap
    assert preview["days"] == 2
    assert [(s["reason"], s["start"]) for s in preview["skipped_slots"]] == [
        ("overlap", local(monday, 9, 30).isoformat())
    ]
    assert await Slot.count() == 1
    # The preview fails as publishing would, naming the field.
    bad = await client.post(f"{SLOTS}/preview", headers=headers, json=body | {"end_time": "08:00"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "end_time"


async def test_patterns_leave_out_closed_days(world: World, client: httpx.AsyncClient) -> None:
    monday = next_weekday(1)
    tuesday = monday + timedelta(days=1)
    headers = world.headers(world.citizens_key)
    closed = await client.post(
        f"{AGENCY}/closures",
        headers=headers,
        json={"site": "bochum", "date": tuesday.isoformat(), "reason": "Feiertag"},
    )
    assert closed.status_code == 200, closed.text
    body = pattern(monday, to_date=str(tuesday), end="10:00")
    created = (await client.post(SLOTS, headers=headers, json=body)).json()
    assert created["created"] == 2
    assert {s["reason"] for s in created["skipped_slots"]} == {"closed_day"}
    assert {s["date"] for s in created["skipped_slots"]} == {tuesday.isoformat()}
    # Reopened, the day takes slots again.
    [row] = (await client.get(f"{AGENCY}/closures", headers=headers)).json()
    assert (row["date"], row["reason"], row["site"]) == (tuesday.isoformat(), "Feiertag", "bochum")
    other = await client.delete(
        f"{AGENCY}/closures/{row['id']}", headers=world.headers(world.ihk_key)
    )
    assert other.status_code == 404  # another agency's closed day is unknown to it
    assert (
        await client.delete(f"{AGENCY}/closures/{row['id']}", headers=headers)
    ).status_code == 204
    again = (await client.post(SLOTS, headers=headers, json=pattern(tuesday, end="10:00"))).json()
    assert again["created"] == 2


async def test_capacity_and_times_of_a_slot(world: World, client: httpx.AsyncClient) -> None:
    day = next_weekday(3)
    slot = await world.slot(local(day, 9), capacity=3)
    await world.slot(local(day, 10))
    headers = world.headers(world.citizens_key)
    url = f"{SLOTS}/{slot}"
    moved = await client.patch(
        url,
        headers=headers,
        json={"start": f"{day}T08:00:00", "end": f"{day}T08:45:00", "capacity": 2},
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["start"], moved.json()["capacity"]) == (local(day, 8).isoformat(), 2)
    clash = await client.patch(
        url, headers=headers, json={"start": f"{day}T09:45:00", "end": f"{day}T10:15:00"}
    )
    assert clash.status_code == 409
    assert clash.json()["code"] == "overlap"
    await world.book(slot)
    await world.book(slot)
    below = await client.patch(url, headers=headers, json={"capacity": 1})
    assert below.status_code == 409
    assert (below.json()["code"], below.json()["errors"][0]["field"]) == (
        "below_booked",
        "capacity",
    )
    assert (await client.patch(url, headers=headers, json={"capacity": 5})).json()["capacity"] == 5
    booked_times = await client.patch(
        url, headers=headers, json={"start": f"{day}T07:00:00", "end": f"{day}T07:30:00"}
    )
    assert booked_times.status_code == 409
    assert booked_times.json()["code"] == "booked"


async def test_slot_edits_are_scoped_and_checked(world: World, client: httpx.AsyncClient) -> None:
    day = next_weekday(3)
    slot = await world.slot(local(day, 9))
    url = f"{SLOTS}/{slot}"
    assert (await client.patch(url, json={"capacity": 2})).status_code == 401
    theirs = await client.patch(url, headers=world.headers(world.ihk_key), json={"capacity": 2})
    assert theirs.status_code == 404
    headers = world.headers(world.citizens_key)
    for body, field in [
        ({}, "capacity"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": "many"}, "capacity"),
        ({"start": f"{day}T10:00:00"}, "end"),
        ({"start": f"{day}T10:00:00", "end": f"{day}T09:00:00"}, "end"),
        ({"start": "2020-01-07T09:00:00", "end": "2020-01-07T10:00:00"}, "start"),
        ({"colour": "red"}, "colour"),
    ]:
        response = await client.patch(url, headers=headers, json=body)
        assert response.status_code in (400, 422), (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in [e["field"] for e in response.json()["errors"]], (body, response.text)
    assert (
        await client.patch(f"{SLOTS}/999999", headers=headers, json={"capacity": 2})
    ).status_code == 404


async def test_a_capacity_edit_racing_bookings_never_leaves_more_bookings_than_places(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(4)
    headers = world.headers(world.citizens_key)
    for hour in range(8, 14):
        slot = await world.slot(local(day, hour), capacity=4)
        assert (await world.book(slot)).status_code == 201

        async def book() -> int:
            return (await world.book(slot)).status_code  # noqa: B023 - awaited in the loop

        async def shrink() -> int:
            return (
                await client.patch(f"{SLOTS}/{slot}", headers=headers, json={"capacity": 1})  # noqa: B023
            ).status_code

        results = await asyncio.gather(*(book() for _ in range(10)), shrink())
        *booked, edited = results
        [row] = await Slot.select(Slot.capacity, Slot.booked).where(Slot.id == slot)
        holders = await Booking.raw(
            "SELECT count(*) AS n FROM appointment WHERE slot = {} AND status = 'active'", slot
        )
        assert row["booked"] == holders[0]["n"] == 1 + booked.count(201)
        assert row["booked"] <= row["capacity"]
        if edited == 200:
            assert (row["capacity"], row["booked"]) == (1, 1)
        else:
            assert edited == 409
            assert row["capacity"] == 4
            assert row["booked"] > 1


async def test_closing_a_day_withdraws_free_slots_and_keeps_or_cancels_booked_ones(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(2)
    free = await world.slot(local(day, 9))
    taken = await world.slot(local(day, 10))
    theirs = await world.slot(local(day, 9), service="recognition")
    elsewhere = await world.slot(local(day, 9), site="neuss")
    booked = (await world.book(taken, name="Olena Kovalenko", language="uk")).json()
    headers = world.headers(world.citizens_key)
    body = {"site": "bochum", "date": day.isoformat(), "reason": "krank"}
    dry = (
        await client.post(
            f"{AGENCY}/closures",
            headers=headers,
            json=body | {"dry_run": True, "bookings": "cancel"},
        )
    ).json()
    assert (dry["id"], [s["id"] for s in dry["withdrawn"]], [s["id"] for s in dry["booked"]]) == (
        None,
        [free],
        [taken],
    )
    assert [(p["name"], p["outcome"]) for p in dry["people"]] == [("Olena Kovalenko", "cancelled")]
    assert await Slot.count().where(Slot.withdrawn_at.is_not_null()) == 0
    kept = (await client.post(f"{AGENCY}/closures", headers=headers, json=body)).json()
    assert [s["id"] for s in kept["withdrawn"]] == [free]
    assert [p["outcome"] for p in kept["people"]] == ["kept"]
    cancelled = (
        await client.post(f"{AGENCY}/closures", headers=headers, json=body | {"bookings": "cancel"})
    ).json()
    assert cancelled["id"] == kept["id"]  # one closed day, however often it is closed
    assert [(p["reference"], p["outcome"]) for p in cancelled["people"]] == [
        (booked["reference"], "cancelled")
    ]
    rows = {
        r["id"]: r["withdrawn_at"] is not None
        for r in await Slot.select(Slot.id, Slot.withdrawn_at)
    }
    assert rows == {free: True, taken: True, theirs: False, elsewhere: False}
    view = await client.get(
        f"/api/v1/bookings/{booked['reference']}",
        headers={"Authorization": f"Bearer {booked['manage_token']}"},
    )
    assert view.json()["status"] == "cancelled"


async def test_closing_a_day_moves_booked_people_to_a_later_day(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(2)
    taken = await world.slot(local(day, 10))
    later = day + timedelta(days=2)
    far = await world.slot(local(later, 8))
    near = await world.slot(local(later, 10, 30))
    booked = (await world.book(taken)).json()
    result = (
        await client.post(
            f"{AGENCY}/closures",
            headers=world.headers(world.citizens_key),
            json={"site": "bochum", "date": day.isoformat(), "bookings": "move"},
        )
    ).json()
    [person] = result["people"]
    assert (person["outcome"], person["new_start"]) == ("moved", local(later, 10, 30).isoformat())
    view = (
        await client.get(
            f"/api/v1/bookings/{booked['reference']}",
            headers={"Authorization": f"Bearer {booked['manage_token']}"},
        )
    ).json()
    assert view["status"] == "confirmed"
    assert [a["slot_id"] for a in view["appointments"]] == [near]
    assert far != near


async def test_closures_are_scoped_and_checked(world: World, client: httpx.AsyncClient) -> None:
    await Site.insert(Site(slug="hannover", name="Welcome Center Region Hannover", address="-"))
    day = next_weekday(2)
    url = f"{AGENCY}/closures"
    body = {"site": "bochum", "date": day.isoformat()}
    assert (await client.post(url, json=body)).status_code == 401
    assert (await client.get(url)).status_code == 401
    headers = world.headers(world.citizens_key)
    assert (
        await client.post(url, headers=headers, json=body | {"site": "hannover"})
    ).status_code == 403
    for bad, field in [
        ({"site": "atlantis"}, "site"),
        ({"date": "2020-01-01"}, "date"),
        ({"date": "tomorrow"}, "date"),
        ({"bookings": "shred"}, "bookings"),
        ({"reason": "x" * 201}, "reason"),
    ]:
        response = await client.post(url, headers=headers, json=body | bad)
        assert response.status_code in (400, 422), (bad, response.text)
        assert field in [e["field"] for e in response.json()["errors"]], (bad, response.text)


async def test_another_agencys_slots_and_bookings_stay_invisible(
    world: World, client: httpx.AsyncClient, app: Litestar
) -> None:
    day = next_weekday(2)
    slot = await world.slot(local(day, 9))
    await world.book(slot)
    ihk = world.headers(world.ihk_key)
    week = {"from": day.isoformat(), "to": day.isoformat()}
    assert (await client.get(SLOTS, headers=ihk, params=week)).json() == []
    assert (await client.get(f"{AGENCY}/bookings", headers=ihk, params=week)).json() == []
    assert (await client.post(f"{SLOTS}/preview", json=pattern(day))).status_code == 401
    forbidden = await client.post(
        f"{SLOTS}/preview", headers=ihk, json=pattern(day) | {"service": "registration"}
    )
    assert forbidden.status_code == 403
    assert app is not None
