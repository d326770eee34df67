"""Partner agencies publish, list and withdraw slots, and never touch another's."""

from datetime import timedelta

import httpx

from tests.conftest import World, local, next_weekday
from wcr.catalogue.public import serve_site
from wcr.catalogue.tables import Site

SLOTS = "/api/v1/agency/slots"


async def test_publish_one_slot_shows_in_availability(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(2)
    slot_id = await world.slot(local(day, 9), minutes=20, capacity=3)
    body = (
        await client.get(
            "/api/v1/availability",
            params={
                "site": "bochum",
                "service": "registration",
                "from": day.isoformat(),
                "to": day.isoformat(),
            },
        )
    ).json()
    [slot] = body["slots"]
    assert (slot["id"], slot["agency"], slot["service"], slot["remaining"]) == (
        slot_id,
        "citizens-office",
        "registration",
        3,
    )
    assert slot["start"] == local(day, 9).isoformat()
    assert slot["end"] == local(day, 9, 20).isoformat()


async def test_publish_without_key_is_401_and_bad_key_is_401(
    world: World, client: httpx.AsyncClient
) -> None:
    response = await client.post(SLOTS, json={})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    response = await client.post(SLOTS, json={}, headers=world.headers("wcr_ak_nope"))
    assert response.status_code == 401


async def test_weekly_pattern_creates_slots_on_chosen_weekdays(
    world: World, client: httpx.AsyncClient
) -> None:
    monday = next_weekday(1)
    response = await client.post(
        SLOTS,
        headers=world.headers(world.citizens_key),
        json={
            "site": "bochum",
            "service": "registration",
            "from_date": monday.isoformat(),
            "to_date": (monday + timedelta(days=13)).isoformat(),
            "weekdays": [1, 3],
            "start_time": "08:00",
            "end_time": "10:00",
            "slot_minutes": 20,
            "capacity": 2,
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["created"] == 4 * 6  # 2 weeks x Mon+Wed x six 20-minute slots
    days = {s["start"][:10] for s in body["slots"]}
    assert days == {(monday + timedelta(days=d)).isoformat() for d in (0, 2, 7, 9)}
    assert all(s["capacity"] == 2 and s["booked"] == 0 for s in body["slots"])


async def test_overlapping_slot_of_same_service_is_refused(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(3)
    await world.slot(local(day, 9), minutes=30)
    response = await client.post(
        SLOTS,
        headers=world.headers(world.citizens_key),
        json={
            "site": "bochum",
            "service": "registration",
            "start": local(day, 9, 15).isoformat(),
            "end": local(day, 9, 45).isoformat(),
        },
    )
    assert response.status_code == 409
    assert "overlaps" in response.json()["detail"]
    # Back to back is fine, and so is the same time at another site.
    await world.slot(local(day, 9, 30), minutes=30)
    await world.slot(local(day, 9), minutes=30, site="neuss")


async def test_pattern_overlapping_an_existing_slot_creates_the_rest_and_lists_it(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(4)
    existing = await world.slot(local(day, 11))
    pattern = {
        "site": "bochum",
        "service": "registration",
        "from_date": day.isoformat(),
        "to_date": day.isoformat(),
        "weekdays": [day.isoweekday()],
        "start_time": "10:00",
        "end_time": "12:00",
        "slot_minutes": 30,
    }
    headers = world.headers(world.citizens_key)
    preview = await client.post(f"{SLOTS}/preview", headers=headers, json=pattern)
    assert preview.status_code == 200, preview.text
    assert preview.json()["would_create"] == 3
    response = await client.post(SLOTS, headers=headers, json=pattern)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["created"] == 3
    assert [s["start"] for s in body["slots"]] == [
        local(day, 10).isoformat(),
        local(day, 10, 30).isoformat(),
        local(day, 11, 30).isoformat(),
    ]
    assert body["skipped_slots"] == [
        {
            "date": day.isoformat(),
            "reason": "overlap",
            "start": local(day, 11).isoformat(),
            "end": local(day, 11, 30).isoformat(),
        }
    ]
    listed = (
        await client.get(
            SLOTS, headers=headers, params={"from": day.isoformat(), "to": day.isoformat()}
        )
    ).json()
    assert len(listed) == 4
    assert existing in [s["id"] for s in listed]
    # The same pattern again: nothing is left, 409, and nothing changed.
    again = await client.post(SLOTS, headers=headers, json=pattern)
    assert again.status_code == 409
    assert again.json()["code"] == "nothing_left"


async def test_bad_slots_are_refused_naming_the_field(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(2)
    cases: list[tuple[dict[str, object], str]] = [
        ({"start": local(day, 10).isoformat(), "end": local(day, 9).isoformat()}, "end"),
        ({"start": "2020-01-07T09:00:00+01:00", "end": "2020-01-07T10:00:00+01:00"}, "start"),
        (
            {
                "from_date": day.isoformat(),
                "to_date": (day + timedelta(days=400)).isoformat(),
                "weekdays": [1],
                "start_time": "08:00",
                "end_time": "09:00",
                "slot_minutes": 30,
            },
            "to_date",
        ),
        (
            {
                "from_date": day.isoformat(),
                "to_date": day.isoformat(),
                "weekdays": [1],
                "start_time": "08:00",
                "end_time": "09:00",
            },
            "slot_minutes",
        ),
        (
            {"start": local(day, 9).isoformat(), "end": local(day, 10).isoformat(), "capacity": 0},
            "capacity",
        ),
    ]
    for extra, field in cases:
        body = {"site": "bochum", "service": "registration", **extra}
        response = await client.post(SLOTS, json=body, headers=world.headers(world.citizens_key))
        assert response.status_code in (400, 422), (extra, response.text)
        problem = response.json()
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in [e["field"] for e in problem["errors"]], (extra, problem)


async def test_unknown_site_or_service_names_the_field(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(2)
    times = {"start": local(day, 9).isoformat(), "end": local(day, 10).isoformat()}
    for field, body in [
        ("site", {"site": "atlantis", "service": "registration"}),
        ("service", {"site": "bochum", "service": "juggling"}),
    ]:
        response = await client.post(
            SLOTS, json=body | times, headers=world.headers(world.citizens_key)
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == field


async def test_agency_cannot_publish_for_another_agencys_service(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(2)
    response = await client.post(
        SLOTS,
        headers=world.headers(world.ihk_key),
        json={
            "site": "bochum",
            "service": "registration",
            "start": local(day, 9).isoformat(),
            "end": local(day, 10).isoformat(),
        },
    )
    assert response.status_code == 403


async def test_agency_sees_and_withdraws_only_its_own_slots(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(2)
    mine = await world.slot(local(day, 9))
    theirs = await world.slot(local(day, 9), service="recognition")
    listed = (
        await client.get(
            SLOTS,
            headers=world.headers(world.citizens_key),
            params={"from": day.isoformat(), "to": day.isoformat()},
        )
    ).json()
    assert [s["id"] for s in listed] == [mine]
    response = await client.delete(f"{SLOTS}/{theirs}", headers=world.headers(world.citizens_key))
    assert response.status_code == 404
    still = (
        await client.get(
            SLOTS,
            headers=world.headers(world.ihk_key),
            params={"from": day.isoformat(), "to": day.isoformat()},
        )
    ).json()
    assert [(s["id"], s["withdrawn"]) for s in still] == [(theirs, False)]
    bookings = (
        await client.get("/api/v1/agency/bookings", headers=world.headers(world.ihk_key))
    ).json()
    assert bookings == []


async def test_withdraw_unbooked_slot_then_it_is_gone(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(2)
    slot_id = await world.slot(local(day, 9))
    response = await client.delete(f"{SLOTS}/{slot_id}", headers=world.headers(world.citizens_key))
    assert response.status_code == 204
    availability = (
        await client.get(
            "/api/v1/availability",
            params={"site": "bochum", "from": day.isoformat(), "to": day.isoformat()},
        )
    ).json()
    assert availability["slots"] == []
    again = await client.delete(f"{SLOTS}/{slot_id}", headers=world.headers(world.citizens_key))
    assert again.status_code == 409
    # The withdrawn slot no longer blocks a new one at that time.
    await world.slot(local(day, 9))


async def test_withdraw_booked_slot_needs_force_which_cancels_the_booking(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(2)
    slot_id = await world.slot(local(day, 9), capacity=2)
    booked = (await world.book(slot_id)).json()
    response = await client.delete(f"{SLOTS}/{slot_id}", headers=world.headers(world.citizens_key))
    assert response.status_code == 409
    listed = (
        await client.get(
            "/api/v1/agency/bookings",
            headers=world.headers(world.citizens_key),
            params={"from": day.isoformat(), "to": day.isoformat()},
        )
    ).json()
    assert [b["reference"] for b in listed] == [booked["reference"]]
    response = await client.delete(
        f"{SLOTS}/{slot_id}", params={"force": "true"}, headers=world.headers(world.citizens_key)
    )
    assert response.status_code == 204
    view = await client.get(
        f"/api/v1/bookings/{booked['reference']}",
        headers={"Authorization": f"Bearer {booked['manage_token']}"},
    )
    assert view.json()["status"] == "cancelled"
    listed = (
        await client.get(
            SLOTS,
            headers=world.headers(world.citizens_key),
            params={"from": day.isoformat(), "to": day.isoformat()},
        )
    ).json()
    assert listed[0]["withdrawn"] is True
    assert listed[0]["booked"] == 0


async def test_an_agency_publishes_only_at_the_sites_it_serves(
    world: World, client: httpx.AsyncClient
) -> None:
    await Site.insert(Site(slug="hannover", name="Welcome Center Region Hannover", address="-"))
    start = local(next_weekday(2), 9)
    body = {
        "site": "hannover",
        "service": "registration",
        "start": start.isoformat(),
        "end": (start + timedelta(minutes=30)).isoformat(),
    }
    headers = world.headers(world.citizens_key)
    response = await client.post(SLOTS, headers=headers, json=body)
    assert response.status_code == 403
    assert "hannover" in response.json()["detail"]
    me = (await client.get("/api/v1/agency/me", headers=headers)).json()
    assert me["sites"] == ["neuss", "bochum"]  # by name: WCR Neuss, Welcome Office Bochum
    assert await serve_site("citizens-office", "hannover")
    assert not await serve_site("citizens-office", "hannover")  # once is enough
    assert (await client.post(SLOTS, headers=headers, json=body)).status_code == 201
    me = (await client.get("/api/v1/agency/me", headers=headers)).json()
    assert me["sites"] == ["neuss", "hannover", "bochum"]
