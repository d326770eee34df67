"""Packages have weekdays and optional hours: one-stop options and bookings of the
package lie on them (in the site's zone), `wcr package-add --weekdays --hours` sets
them, and the demo's Bochum package is Wednesdays 08:00-16:00."""

import asyncio
from datetime import date, datetime, time, timedelta

import httpx
import pytest
from litestar import Litestar

from tests.conftest import BERLIN, World, local, next_weekday
from tests.test_operations import wcr
from wcr.booking import visits

WEDNESDAY = 3


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def package(world: World, app: Litestar) -> str:
    assert await visits.create_package(
        app.state.engine,
        "wednesdays",
        "bochum",
        {"de": "Alles mittwochs", "en": "All on Wednesdays"},
        ["registration", "recognition"],
        schedule=visits.parse_schedule("wed", "08:00-16:00"),
    )
    return "wednesdays"


async def pair(world: World, day: date, at: time) -> list[int]:
    """Registration at ``at`` (20 min), recognition 10 minutes after it ends."""
    start = local(day, at.hour, at.minute)
    first = await world.slot(start, minutes=20)
    second = await world.slot(start + timedelta(minutes=30), service=world.recognition)
    return [first, second]


async def options(client: httpx.AsyncClient, first: date, last: date) -> httpx.Response:
    return await client.get(
        "/api/v1/visits/options",
        params={
            "package": "wednesdays",
            "from": first.isoformat(),
            "to": last.isoformat(),
            "limit": "20",
        },
    )


async def test_options_lie_on_the_packages_weekday_and_hours(
    world: World, client: httpx.AsyncClient, package: str
) -> None:
    monday = next_weekday(1)
    wednesday = monday + timedelta(days=2)
    for offset in range(5):  # Monday to Friday, 09:00
        await pair(world, monday + timedelta(days=offset), time(9))
    early = await pair(world, wednesday, time(7))  # before 08:00
    late = await pair(world, wednesday, time(15, 40))  # the second ends 16:30
    response = await options(client, monday, monday + timedelta(days=6))
    assert response.status_code == 200, response.text
    found = response.json()["options"]
    assert found
    for option in found:
        start = datetime.fromisoformat(option["start"]).astimezone(BERLIN)
        end = datetime.fromisoformat(option["end"]).astimezone(BERLIN)
        assert start.isoweekday() == WEDNESDAY
        assert time(8) <= start.time()
        assert end.time() <= time(16)
        assert option["slot_ids"] not in (early, late)
    listed = (await client.get("/api/v1/packages", params={"site": "bochum"})).json()
    assert listed[0]["weekdays"] == [WEDNESDAY]
    assert (listed[0]["opens"], listed[0]["closes"]) == ("08:00", "16:00")


async def test_a_range_without_its_weekday_is_422_on_from(
    world: World, client: httpx.AsyncClient, package: str
) -> None:
    thursday = next_weekday(4)
    response = await options(client, thursday, thursday + timedelta(days=5))  # Thu to Tue
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "from"
    assert "wed" in response.json()["errors"][0]["message"]


async def test_bookings_of_the_package_outside_its_days_or_hours_are_refused(
    world: World, client: httpx.AsyncClient, package: str
) -> None:
    wednesday = next_weekday(WEDNESDAY)
    thursday = wednesday + timedelta(days=1)
    on_thursday = await pair(world, thursday, time(9))
    too_early = await pair(world, wednesday, time(7))
    on_wednesday = await pair(world, wednesday, time(9))
    next_wednesday = await pair(world, wednesday + timedelta(days=7), time(10))
    for ids in (on_thursday, too_early):
        refused = await world.book(*ids, package=package)
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"] == "slot_ids"
    # A booking of the package holds its services, no others and not fewer.
    partial = await world.book(on_wednesday[0], package=package)
    assert partial.status_code == 422
    assert partial.json()["errors"][0]["field"] == "slot_id"
    unknown = await world.book(*on_wednesday, package="no-such-package")
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "package"

    created = await world.book(*on_wednesday, package=package)
    assert created.status_code == 201, created.text
    assert created.json()["package"] == package
    reference, token = created.json()["reference"], created.json()["manage_token"]
    moved = await client.post(
        f"/api/v1/bookings/{reference}/reschedule",
        json={"slot_ids": on_thursday},
        headers=auth(token),
    )
    assert moved.status_code == 422, moved.text
    assert moved.json()["errors"][0]["field"] == "slot_ids"
    moved = await client.post(
        f"/api/v1/bookings/{reference}/reschedule",
        json={"slot_ids": next_wednesday},
        headers=auth(token),
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["package"] == package
    # The same services on a Thursday, booked as a visit of one's own choice, stand.
    assert (await world.book(*on_thursday)).status_code == 201


async def test_package_add_takes_weekdays_and_hours(
    world: World, client: httpx.AsyncClient, database_url: str
) -> None:
    def add(*extra: str) -> tuple[int, str]:
        result = wcr(
            database_url,
            "package-add",
            "tuesday-thursday",
            "--site",
            "bochum",
            "--services",
            "registration,recognition",
            "--name-de",
            "Dienstags und donnerstags",
            "--name-en",
            "Tuesdays and Thursdays",
            *extra,
        )
        return result.returncode, result.stdout + result.stderr

    for bad, field in [
        (("--weekdays", "tue,someday"), "weekdays"),
        (("--weekdays", "tue", "--hours", "16:00-08:00"), "hours"),
        (("--hours", "eight to four"), "hours"),
    ]:
        code, output = await asyncio.to_thread(add, *bad)
        assert code != 0, output
        assert field in output
    code, output = await asyncio.to_thread(add, "--weekdays", "tue,THU", "--hours", "09:00-12:30")
    assert code == 0, output
    [listed] = (await client.get("/api/v1/packages")).json()
    assert listed["weekdays"] == [2, 4]
    assert (listed["opens"], listed["closes"]) == ("09:00", "12:30")


async def test_the_demo_bochum_package_offers_only_wednesdays_8_to_16(
    app: Litestar, client: httpx.AsyncClient
) -> None:
    from wcr import demo  # noqa: PLC0415

    await demo.seed(app.state.engine)
    [package] = (await client.get("/api/v1/packages", params={"site": "bochum"})).json()
    assert package["slug"] == "bochum-one-stop"
    assert (package["weekdays"], package["opens"], package["closes"]) == (
        [WEDNESDAY],
        "08:00",
        "16:00",
    )
    response = await client.get(
        "/api/v1/visits/options", params={"package": "bochum-one-stop", "limit": "20"}
    )
    assert response.status_code == 200, response.text
    found = response.json()["options"]
    assert found
    days = {datetime.fromisoformat(o["start"]).astimezone(BERLIN).isoweekday() for o in found}
    assert days == {WEDNESDAY}
    # An Arabic one-stop visit on a Wednesday morning: the demo's advisers speak it.
    arabic = await client.get(
        "/api/v1/visits/options",
        params={"package": "bochum-one-stop", "advice_language": "ar"},
    )
    assert arabic.status_code == 200
    assert arabic.json()["options"]
    for option in arabic.json()["options"]:
        assert all("ar" in a["languages"] for a in option["appointments"])
