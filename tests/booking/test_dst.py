"""Europe/Berlin changes its clocks on the last Sundays of March and October."""

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import httpx
import pytest

from tests.conftest import World
from wcr.timezones import zone


def last_sunday(year: int, month: int) -> date:
    day = date(year, month, 31)
    while day.isoweekday() != 7:
        day -= timedelta(days=1)
    return day


def upcoming(month: int) -> date:
    """The next DST day of that month that is still ahead of us."""
    year = datetime.now(UTC).year
    while last_sunday(year, month) <= datetime.now(UTC).date() + timedelta(days=1):
        year += 1
    return last_sunday(year, month)


SLOTS = "/api/v1/agency/slots"


@pytest.mark.parametrize("start", ["{d}T02:30:00", "{d}T02:30:00+01:00", "{d}T02:30:00+02:00"])
async def test_spring_forward_gap_is_refused(
    world: World, client: httpx.AsyncClient, start: str
) -> None:
    spring = upcoming(3)
    response = await client.post(
        SLOTS,
        headers=world.headers(world.citizens_key),
        json={
            "site": "bochum",
            "service": "registration",
            "start": start.format(d=spring),
            "end": f"{spring}T03:45:00+02:00",
        },
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "start"


async def test_autumn_times_with_offsets_are_two_distinct_slots(
    world: World, client: httpx.AsyncClient
) -> None:
    autumn = upcoming(10)
    created = []
    for offset in ("+02:00", "+01:00"):  # 02:30 summer time, then 02:30 winter time
        response = await client.post(
            SLOTS,
            headers=world.headers(world.citizens_key),
            json={
                "site": "bochum",
                "service": "registration",
                "start": f"{autumn}T02:30:00{offset}",
                "end": f"{autumn}T02:50:00{offset}",
            },
        )
        assert response.status_code == 201, response.text
        created.append(response.json()["slots"][0])
    assert [s["start"] for s in created] == [f"{autumn}T02:30:00+02:00", f"{autumn}T02:30:00+01:00"]
    ambiguous = await client.post(
        SLOTS,
        headers=world.headers(world.citizens_key),
        json={
            "site": "bochum",
            "service": "registration",
            "start": f"{autumn}T02:00:00",
            "end": f"{autumn}T02:20:00",
        },
    )
    assert ambiguous.status_code == 422
    assert "twice" in ambiguous.json()["errors"][0]["message"]


async def test_utc_times_are_accepted_and_shown_in_site_time(
    world: World, client: httpx.AsyncClient
) -> None:
    spring = upcoming(3)
    response = await client.post(
        SLOTS,
        headers=world.headers(world.citizens_key),
        json={
            "site": "bochum",
            "service": "registration",
            "start": f"{spring}T01:00:00Z",
            "end": f"{spring}T01:30:00Z",
        },
    )
    assert response.status_code == 201
    assert response.json()["slots"][0]["start"] == f"{spring}T03:00:00+02:00"


@pytest.mark.parametrize(("month", "hours"), [(3, 7), (10, 9)])
async def test_patterns_across_the_night_follow_real_time(
    world: World, client: httpx.AsyncClient, month: int, hours: int
) -> None:
    """A 00:00–08:00 session lasts 7 hours in spring and 9 in autumn."""
    day = upcoming(month)
    response = await client.post(
        SLOTS,
        headers=world.headers(world.citizens_key),
        json={
            "site": "bochum",
            "service": "registration",
            "from_date": day.isoformat(),
            "to_date": day.isoformat(),
            "weekdays": [7],
            "start_time": "00:00",
            "end_time": "08:00",
            "slot_minutes": 60,
        },
    )
    assert response.status_code == 201, response.text
    slots = response.json()["slots"]
    assert len(slots) == hours
    starts = [datetime.fromisoformat(s["start"]) for s in slots]
    assert all(b - a == timedelta(hours=1) for a, b in pairwise(starts))
    local_hours = [s.astimezone(zone("Europe/Berlin")).hour for s in starts]
    assert local_hours[0] == 0
    assert local_hours[-1] == 7


async def test_pattern_starting_in_the_gap_skips_that_day(
    world: World, client: httpx.AsyncClient
) -> None:
    spring = upcoming(3)
    response = await client.post(
        SLOTS,
        headers=world.headers(world.citizens_key),
        json={
            "site": "bochum",
            "service": "registration",
            "from_date": (spring - timedelta(days=7)).isoformat(),
            "to_date": spring.isoformat(),
            "weekdays": [7],
            "start_time": "02:15",
            "end_time": "04:00",
            "slot_minutes": 15,
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert {s["start"][:10] for s in body["slots"]} == {str(spring - timedelta(days=7))}
    assert body["skipped"] == [f"{spring}: the clocks skip that time"]


async def test_booking_on_dst_day_keeps_local_times(
    world: World, client: httpx.AsyncClient
) -> None:
    autumn = upcoming(10)
    slot_id = await world.slot(datetime.fromisoformat(f"{autumn}T09:00:00+01:00"))
    created = (await world.book(slot_id)).json()
    assert created["appointments"][0]["start"] == f"{autumn}T09:00:00+01:00"
    assert created["appointments"][0]["end"] == f"{autumn}T09:30:00+01:00"
