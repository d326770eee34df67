"""Input that once caused a 5xx (issue 10, item 6): each is now a 4xx naming the field."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.conftest import World, local, next_weekday

DEEP = "[" * 100_000 + "]" * 100_000


def assert_names(response: httpx.Response, status: int, field: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in {e["field"] for e in response.json()["errors"]}


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("0001-01-01T00:10:00+14:00", "0001-01-01T00:40:00+14:00", "out of range"),
        ("9999-12-31T23:00:00-14:00", "9999-12-31T23:30:00-14:00", "out of range"),
        ("9999-12-31T23:00:00+01:00", "9999-12-31T23:30:00+01:00", "2 years ahead"),
        ("0001-01-01T09:00:00+01:00", "0001-01-01T09:30:00+01:00", "not a local time"),
        ("2020-01-01T09:00:00+01:00", "2020-01-01T09:30:00+01:00", "in the future"),
    ],
)
async def test_slots_out_of_the_window_are_refused(
    world: World, start: str, end: str, message: str
) -> None:
    response = await world.client.post(
        "/api/v1/agency/slots",
        json={"site": world.site, "service": world.registration, "start": start, "end": end},
        headers=world.headers(world.citizens_key),
    )
    assert_names(response, 422, "start")
    assert message in response.json()["detail"]


async def test_two_years_ahead_is_the_edge(world: World) -> None:
    near_edge = local(datetime.now(UTC).date() + timedelta(days=720), 9)
    assert await world.slot(near_edge) > 0
    response = await world.client.post(
        "/api/v1/agency/slots",
        json={
            "site": world.site,
            "service": world.registration,
            "from_date": (datetime.now(UTC).date() + timedelta(days=700)).isoformat(),
            "to_date": (datetime.now(UTC).date() + timedelta(days=800)).isoformat(),
            "weekdays": [1, 2, 3, 4, 5],
            "start_time": "09:00",
            "end_time": "10:00",
            "slot_minutes": 30,
        },
        headers=world.headers(world.citizens_key),
    )
    assert_names(response, 422, "to_date")


@pytest.mark.parametrize("path", ["/api/v1/bookings", "/api/v1/agency/slots", "/api/v1/auth/login"])
async def test_deeply_nested_json_is_400(world: World, path: str) -> None:
    response = await world.client.post(
        path,
        content=('{"name": ' + DEEP + "}").encode(),
        headers={"content-type": "application/json", **world.headers(world.citizens_key)},
    )
    assert_names(response, 400, "body")


async def test_an_integer_beyond_64_bits_in_json_names_the_field(world: World) -> None:
    response = await world.client.post(
        "/api/v1/bookings",
        content=b'{"slot_id": 99999999999999999999999999, "name": "A", "email": "a@example.org"}',
        headers={"content-type": "application/json"},
    )
    assert_names(response, 400, "slot_id")


@pytest.mark.parametrize("choice", ["9" * 30, str(2**63), "-1", "0", "1,2,3,4,5,6"])
async def test_an_impossible_choice_in_the_booking_form_asks_again(
    world: World, choice: str
) -> None:
    await world.slot(local(next_weekday(2), 9))
    response = await world.client.post(
        f"/en/sites/{world.site}/book",
        data={
            "services": world.registration,
            "choice": choice,
            "name": "A",
            "email": "a@example.org",
        },
    )
    assert response.status_code == 200
    assert 'id="choice-error"' in response.text


async def test_the_booking_form_without_services_is_a_page_not_an_error(world: World) -> None:
    response = await world.client.post(
        f"/en/sites/{world.site}/book", data={"name": "", "email": ""}
    )
    assert response.status_code == 200
    assert "Please choose at least one service." in response.text
