"""The visitor's side: book, view, cancel, reschedule and the calendar file."""

from datetime import date, timedelta

import httpx
import icalendar
import pytest

from tests.calendars import sequence, start
from tests.conftest import World, local, next_weekday


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def remaining(client: httpx.AsyncClient, slot_id: int, day: date) -> int:
    slots = (
        await client.get(
            "/api/v1/availability",
            params={"site": "bochum", "from": day.isoformat(), "to": day.isoformat()},
        )
    ).json()["slots"]
    left: dict[int, int] = {s["id"]: s["remaining"] for s in slots}
    return left.get(slot_id, 0)


async def test_book_view_and_cancel(world: World, client: httpx.AsyncClient) -> None:
    day = next_weekday(2)
    slot_id = await world.slot(local(day, 9), capacity=2)
    response = await world.book(
        slot_id, name="  Olena   Kovalenko ", phone="0171 2345678", language="uk"
    )
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["status"] == "confirmed"
    assert len(created["reference"]) == 8
    assert len(created["manage_token"]) >= 22  # >= 128 bits in URL-safe base64
    assert created["appointments"][0]["start"] == local(day, 9).isoformat()
    assert await remaining(client, slot_id, day) == 1

    view = await client.get(
        f"/api/v1/bookings/{created['reference']}", headers=auth(created["manage_token"])
    )
    assert view.status_code == 200
    booking = view.json()
    assert booking["name"] == "Olena Kovalenko"
    assert booking["phone"] == "+491712345678"
    assert booking["language"] == "uk"
    # People type references in lower case and with a dash.
    typed = created["reference"].lower()[:4] + "-" + created["reference"].lower()[4:]
    assert (
        await client.get(f"/api/v1/bookings/{typed}", headers=auth(created["manage_token"]))
    ).status_code == 200

    cancel = await client.post(
        f"/api/v1/bookings/{created['reference']}/cancel", headers=auth(created["manage_token"])
    )
    assert cancel.json() == {"status": "cancelled"}
    assert await remaining(client, slot_id, day) == 2
    again = await client.post(
        f"/api/v1/bookings/{created['reference']}/cancel", headers=auth(created["manage_token"])
    )
    assert again.status_code == 409


async def test_wrong_or_missing_token_looks_like_unknown_booking(
    world: World, client: httpx.AsyncClient
) -> None:
    slot_id = await world.slot(local(next_weekday(2), 9))
    created = (await world.book(slot_id)).json()
    for headers in ({}, auth("x" * 32), auth(created["manage_token"] + "x")):
        for method, path in [("GET", ""), ("POST", "/cancel"), ("GET", "/calendar.ics")]:
            response = await client.request(
                method, f"/api/v1/bookings/{created['reference']}{path}", headers=headers
            )
            assert response.status_code == 404, (headers, path)
    unknown = await client.get("/api/v1/bookings/AAAAAAAA", headers=auth("x"))
    assert unknown.status_code == 404
    assert (
        unknown.json()["detail"]
        == (await client.get(f"/api/v1/bookings/{created['reference']}", headers=auth("x"))).json()[
            "detail"
        ]
    )


async def test_full_slot_answers_409_and_books_nothing(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(2)
    first = await world.slot(local(day, 9))
    second = await world.slot(local(day, 10), service="recognition")
    assert (await world.book(first)).status_code == 201
    response = await world.book(second, first)
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    # All or nothing: the free second slot was not taken by the failed visit.
    assert await remaining(client, second, day) == 1


@pytest.mark.parametrize(
    ("contact", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"email": None, "phone": "12"}, "phone"),
        ({"email": None, "phone": "+49 30 1"}, "phone"),
        ({"email": None}, "email"),
        ({"language": "xx"}, "language"),
        ({"name": "   "}, "name"),
        ({"name": "a\u0000b"}, "name"),
    ],
)
async def test_bad_contact_is_422_naming_the_field(
    world: World, client: httpx.AsyncClient, contact: dict[str, str | None], field: str
) -> None:
    slot_id = await world.slot(local(next_weekday(2), 9))
    body = {"slot_id": slot_id, "name": "Test", "email": "t@example.org", **contact}
    response = await client.post("/api/v1/bookings", json=body)
    assert response.status_code == 422, response.text
    assert field in [e["field"] for e in response.json()["errors"]]
    assert await remaining(client, slot_id, next_weekday(2)) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": "A", "email": "a@example.org"}, "slot_id"),
        ({"name": "A", "email": "a@example.org", "slot_id": "seven"}, "slot_id"),
        ({"name": "A", "email": "a@example.org", "slot_id": 10**30}, "slot_id"),
        ({"name": "A", "email": "a@example.org", "slot_ids": [1, 1]}, "slot_ids"),
        ({"name": "A", "email": "a@example.org", "slot_ids": list(range(1, 8))}, "slot_ids"),
        ({"name": "A", "email": "a@example.org", "slot_id": 99999}, "slot_id"),
        ({"name": "A", "email": "a@example.org", "slot_id": 1, "surprise": 1}, "surprise"),
    ],
)
async def test_malformed_booking_requests_name_the_field(
    world: World, client: httpx.AsyncClient, body: dict[str, object], field: str
) -> None:
    response = await client.post("/api/v1/bookings", json=body)
    assert response.status_code in (400, 422), response.text
    problem = response.json()
    assert any(field in e["field"] for e in problem["errors"]), problem
    assert "Traceback" not in response.text


async def test_not_json_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/bookings", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_visit_of_overlapping_or_cross_site_slots_is_refused(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(2)
    a = await world.slot(local(day, 9), minutes=30)
    b = await world.slot(local(day, 9, 15), minutes=30, service="recognition")
    c = await world.slot(local(day, 11), minutes=30, service="recognition", site="neuss")
    assert (await world.book(a, b)).status_code == 422
    assert (await world.book(a, c)).status_code == 422


async def test_reschedule_moves_the_place(world: World, client: httpx.AsyncClient) -> None:
    day = next_weekday(2)
    old = await world.slot(local(day, 9))
    new = await world.slot(local(day, 10))
    created = (await world.book(old)).json()
    response = await client.post(
        f"/api/v1/bookings/{created['reference']}/reschedule",
        json={"slot_id": new},
        headers=auth(created["manage_token"]),
    )
    assert response.status_code == 200, response.text
    assert [a["slot_id"] for a in response.json()["appointments"]] == [new]
    assert await remaining(client, old, day) == 1
    assert await remaining(client, new, day) == 0


async def test_reschedule_to_another_service_or_site_is_422_and_changes_nothing(
    world: World, client: httpx.AsyncClient
) -> None:
    """A booking moves; it does not turn into another (an Aachen advice booking was
    moved onto a Bochum registration slot)."""
    day = next_weekday(2)
    old = await world.slot(local(day, 9))
    other_service = await world.slot(local(day, 10), service="recognition")
    other_site = await world.slot(local(day, 11), service="recognition", site="neuss")
    same = await world.slot(local(day, 12))
    created = (await world.book(old)).json()
    for target in (other_service, other_site):
        response = await client.post(
            f"/api/v1/bookings/{created['reference']}/reschedule",
            json={"slot_id": target},
            headers=auth(created["manage_token"]),
        )
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "slot_id"
    assert await remaining(client, other_service, day) == 1
    assert await remaining(client, old, day) == 0
    view = await client.get(
        f"/api/v1/bookings/{created['reference']}", headers=auth(created["manage_token"])
    )
    assert [a["slot_id"] for a in view.json()["appointments"]] == [old]
    moved = await client.post(
        f"/api/v1/bookings/{created['reference']}/reschedule",
        json={"slot_id": same},
        headers=auth(created["manage_token"]),
    )
    assert moved.status_code == 200, moved.text


async def test_reschedule_into_full_slot_changes_nothing(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(2)
    old = await world.slot(local(day, 9))
    full = await world.slot(local(day, 10))
    await world.book(full)
    created = (await world.book(old)).json()
    response = await client.post(
        f"/api/v1/bookings/{created['reference']}/reschedule",
        json={"slot_id": full},
        headers=auth(created["manage_token"]),
    )
    assert response.status_code == 409
    view = (
        await client.get(
            f"/api/v1/bookings/{created['reference']}", headers=auth(created["manage_token"])
        )
    ).json()
    assert [a["slot_id"] for a in view["appointments"]] == [old]
    assert await remaining(client, old, day) == 0


async def test_reschedule_a_cancelled_booking_is_409(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(2)
    old, new = await world.slot(local(day, 9)), await world.slot(local(day, 10))
    created = (await world.book(old)).json()
    await client.post(
        f"/api/v1/bookings/{created['reference']}/cancel", headers=auth(created["manage_token"])
    )
    response = await client.post(
        f"/api/v1/bookings/{created['reference']}/reschedule",
        json={"slot_id": new},
        headers=auth(created["manage_token"]),
    )
    assert response.status_code == 409
    assert await remaining(client, new, day) == 1


async def test_calendar_file_has_stable_uid_site_zone_and_rising_sequence(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(2)
    first, second = await world.slot(local(day, 9)), await world.slot(local(day, 11))
    created = (await world.book(first)).json()
    url = f"/api/v1/bookings/{created['reference']}/calendar.ics"

    async def event() -> tuple[icalendar.Calendar, icalendar.Component]:
        response = await client.get(url, headers=auth(created["manage_token"]))
        assert response.headers["content-type"].startswith("text/calendar")
        calendar = icalendar.Calendar.from_ical(response.content)
        assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
        [vevent] = calendar.walk("VEVENT")
        return calendar, vevent

    calendar, before = await event()
    assert start(before).dt == local(day, 9)
    assert start(before).params["TZID"] == "Europe/Berlin"
    assert "Universitätsstraße 43" in str(before["LOCATION"])
    await client.post(
        f"/api/v1/bookings/{created['reference']}/reschedule",
        json={"slot_id": second},
        headers=auth(created["manage_token"]),
    )
    _, after = await event()
    assert after["UID"] == before["UID"]
    assert sequence(after) > sequence(before)
    assert start(after).dt == local(day, 11)
    await client.post(
        f"/api/v1/bookings/{created['reference']}/cancel", headers=auth(created["manage_token"])
    )
    calendar, cancelled = await event()
    assert calendar["METHOD"] == "CANCEL"
    assert cancelled["STATUS"] == "CANCELLED"
    assert cancelled["UID"] == before["UID"]
    assert sequence(cancelled) > sequence(after)


async def test_availability_range_and_unknown_filters(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(2)
    await world.slot(local(day, 9))
    await world.slot(local(day + timedelta(days=1), 9))
    one_day = (
        await client.get(
            "/api/v1/availability", params={"from": day.isoformat(), "to": day.isoformat()}
        )
    ).json()["slots"]
    assert len(one_day) == 1
    bad = await client.get("/api/v1/availability", params={"site": "atlantis"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "site"
    backwards = await client.get(
        "/api/v1/availability",
        params={"from": day.isoformat(), "to": (day - timedelta(days=1)).isoformat()},
    )
    assert backwards.status_code == 422
    for far in ("0001-01-01", "9999-12-31"):
        response = await client.get("/api/v1/availability", params={"from": far})
        assert response.status_code == 422, far  # found by schemathesis: was a 500
        assert response.json()["errors"][0]["field"] == "from"
        response = await client.get(
            "/api/v1/agency/slots", params={"to": far}, headers=world.headers(world.citizens_key)
        )
        assert response.status_code == 422, far
    not_a_date = await client.get("/api/v1/availability", params={"from": "tomorrow"})
    assert not_a_date.status_code == 400
    assert not_a_date.json()["errors"][0]["field"] == "from"


async def test_the_calendar_takes_its_token_from_a_header_or_a_form_never_the_url(
    world: World, client: httpx.AsyncClient
) -> None:
    created = (await world.book(await world.slot(local(next_weekday(2), 9)))).json()
    url = f"/api/v1/bookings/{created['reference']}/calendar.ics"
    token = created["manage_token"]
    assert (await client.get(url, params={"token": token})).status_code == 404
    form = await client.post(url, data={"token": token})
    assert form.status_code == 200
    assert form.content.startswith(b"BEGIN:VCALENDAR")
    assert (await client.post(url, data={"token": "wrong"})).status_code == 404
    assert (await client.post(url, data={"token": "x" * 65})).status_code == 400
