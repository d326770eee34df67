"""`GET /api/v1/availability/days`: the free times per day for a date strip (slots of
one service, one-stop options of several or of a package), and the booking as the
manage page reads it (the contact masked, whether SMS go to the phone)."""

from datetime import date, datetime, time, timedelta

import httpx
import pytest
from litestar import Litestar

from tests.conftest import BERLIN, World, local, next_weekday
from wcr.booking import visits

WEDNESDAY = 3


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def days(client: httpx.AsyncClient, **params: str) -> httpx.Response:
    return await client.get("/api/v1/availability/days", params=params)


async def test_a_service_counts_its_free_slots_per_day(
    world: World, client: httpx.AsyncClient
) -> None:
    monday = next_weekday(1)
    for hour in (9, 10, 11):
        await world.slot(local(monday, hour))
    full = await world.slot(local(monday, 12))
    assert (await world.book(full)).status_code == 201
    await world.slot(local(monday + timedelta(days=2), 9))
    await world.slot(local(monday, 9), service=world.recognition)  # another service
    response = await days(
        client,
        site="bochum",
        service="registration",
        **{"from": monday.isoformat(), "to": (monday + timedelta(days=6)).isoformat()},
    )
    assert response.status_code == 200, response.text
    assert response.json()["days"] == [
        {"date": (monday + timedelta(days=n)).isoformat(), "free": free}
        for n, free in enumerate([3, 0, 1, 0, 0, 0, 0])
    ]


async def test_a_week_from_today_by_default(world: World, client: httpx.AsyncClient) -> None:
    found = (await days(client, site="bochum", service="registration")).json()["days"]
    assert len(found) == 7
    assert found[0]["date"] == datetime.now(BERLIN).date().isoformat()


@pytest.fixture
async def package(world: World, app: Litestar) -> str:
    assert await visits.create_package(
        app.state.engine,
        "wednesdays",
        "bochum",
        {"en": "All on Wednesdays"},
        ["registration", "recognition"],
        schedule=visits.parse_schedule("wed", "08:00-16:00"),
    )
    return "wednesdays"


async def pair(world: World, day: date, at: time) -> None:
    start = local(day, at.hour, at.minute)
    await world.slot(start, minutes=20)
    await world.slot(local(day, at.hour, at.minute + 30), service=world.recognition)


async def test_a_package_counts_the_options_of_its_weekdays_only(
    world: World, client: httpx.AsyncClient, package: str
) -> None:
    monday = next_weekday(1)
    wednesday = monday + timedelta(days=2)
    await pair(world, monday, time(9))  # a Monday: not the package's day
    for hour in (9, 13):  # hours apart: two options, not a mix of both
        await pair(world, wednesday, time(hour))
    span = {"from": monday.isoformat(), "to": (monday + timedelta(days=6)).isoformat()}
    response = await days(client, package=package, **span)
    assert response.status_code == 200, response.text
    counted = {d["date"]: d["free"] for d in response.json()["days"]}
    options = await client.get(
        "/api/v1/visits/options",
        params={"package": package, "from": wednesday.isoformat(), "to": wednesday.isoformat()},
    )
    # The strip's count is what the day's options offer.
    assert counted[wednesday.isoformat()] == len(options.json()["options"]) == 2
    assert sum(counted.values()) == 2  # the Monday pair is no option of the package
    # The same services without the package: the Monday counts too.
    free = await days(client, site="bochum", services="registration,recognition", **span)
    assert free.json()["days"][0] == {"date": monday.isoformat(), "free": 1}


async def test_a_busy_one_stop_day_counts_and_offers_all_its_options(
    world: World, client: httpx.AsyncClient, package: str
) -> None:
    """A day with more options than a list spreads over days (3) shows them all in
    its grid and counts them all on the strip."""
    wednesday = next_weekday(WEDNESDAY)
    for hour in range(8, 14):  # six pairs an hour apart: six options and more
        await pair(world, wednesday, time(hour))
    day = {"from": wednesday.isoformat(), "to": wednesday.isoformat()}
    [counted] = (await days(client, package=package, **day)).json()["days"]
    spread = await client.get("/api/v1/visits/options", params={"package": package, **day})
    assert len(spread.json()["options"]) == 3  # the default: a few a day
    grid = await client.get(
        "/api/v1/visits/options",
        params={"package": package, "per_day": "20", "limit": "20", **day},
    )
    found = grid.json()["options"]
    assert counted["free"] == len(found) > 3  # the strip counts what the grid offers
    starts = {o["start"] for o in found}
    assert {local(wednesday, h).isoformat() for h in range(8, 14)} <= starts
    refused = await client.get(
        "/api/v1/visits/options", params={"package": package, "per_day": "0", **day}
    )
    assert refused.status_code == 400
    assert "per_day" in refused.text


ONE = {"site": "bochum", "service": "registration"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "service"),
        ({"site": "bochum", "service": "registration", "package": "x"}, "service"),
        ({"service": "registration"}, "site"),
        ({"site": "bochum", "service": "nothing"}, "service"),
        ({"site": "bochum", "services": "registration"}, "services"),
        ({**ONE, "from": "2030-01-10", "to": "2030-03-01"}, "to"),  # more than 31 days
        ({**ONE, "from": "2030-01-10", "to": "2030-01-01"}, "to"),
        ({**ONE, "from": "someday"}, "from"),
    ],
)
async def test_bad_questions_name_their_field(
    world: World, client: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    response = await days(client, **params)
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in response.text


async def test_the_booking_carries_its_contact_masked_and_whether_sms_go_there(
    world: World, client: httpx.AsyncClient
) -> None:
    slot = await world.slot(local(next_weekday(2), 9))
    mobile = (await world.book(slot, email="amira@example.org", phone="+49 151 23456789")).json()
    seen = await client.get(
        f"/api/v1/bookings/{mobile['reference']}", headers=auth(mobile["manage_token"])
    )
    body = seen.json()
    assert (body["masked_email"], body["masked_phone"]) == ("a•••@example.org", "+49 151 •••• 789")
    assert (body["sms"], body["warnings"]) == (True, [])

    other = await world.slot(local(next_weekday(2), 10))
    landline = (await world.book(other, email=None, phone="+49 30 1234567", language="ar")).json()
    seen = await client.get(
        f"/api/v1/bookings/{landline['reference']}", headers=auth(landline["manage_token"])
    )
    body = seen.json()
    assert body["masked_email"] is None
    assert body["masked_phone"] == "+49 301 •••• 567"
    assert body["sms"] is False
    [warning] = body["warnings"]
    assert (warning["field"], warning["code"]) == ("phone", "no-sms-not-mobile")
    assert landline["warnings"][0]["message"] == warning["message"]  # as when it was booked
