"""A booking counts on the site's local day, also when the clocks change: Europe/Berlin
goes to summer time on the last Sunday of March and back on the last Sunday of October
(that day has 25 hours). Stored in UTC, counted in the site's zone, on both engines."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from litestar import Litestar

from tests.stats.seeding import book, publish, set_up_centre, simulated

# Local start (with its offset) -> the local day it belongs to.
STARTS = {
    "2026-03-28T23:30:00+01:00": "2026-03-28",
    "2026-03-29T00:30:00+01:00": "2026-03-29",  # 23:30 UTC on the 28th
    "2026-03-29T23:30:00+02:00": "2026-03-29",
    "2026-03-30T00:30:00+02:00": "2026-03-30",  # 22:30 UTC on the 29th
    "2026-10-25T00:30:00+02:00": "2026-10-25",  # 22:30 UTC on the 24th
    "2026-10-25T02:30:00+02:00": "2026-10-25",  # 02:30 summer time
    "2026-10-25T02:30:00+01:00": "2026-10-25",  # and 02:30 winter time, an hour later
    "2026-10-25T23:30:00+01:00": "2026-10-25",  # 22:30 UTC on the 25th: hour 25 of the day
    "2026-10-26T00:30:00+01:00": "2026-10-26",
}


def booked_per_day(response: httpx.Response) -> dict[str, int]:
    assert response.status_code == 200, response.text
    rows = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    return {row["day"]: int(row["booked"]) for row in rows}


@pytest.fixture
async def bookings(app: Litestar, client: httpx.AsyncClient) -> httpx.AsyncClient:
    centre = await set_up_centre(app, client)
    with simulated(datetime(2026, 1, 10, 9, 0, tzinfo=UTC)):
        for n, start in enumerate(STARTS):
            begins = datetime.fromisoformat(start)
            slots = await publish(
                centre,
                {
                    "site": "bochum",
                    "service": "registration",
                    "start": start,
                    "end": (begins.astimezone(UTC) + timedelta(minutes=20)).isoformat(),
                },
            )
            await book(centre, list(slots.values()), "de", n)
    client.headers["Authorization"] = f"Bearer {centre.tokens['boss']}"
    return client


async def ask(client: httpx.AsyncClient, first: str, last: str) -> dict[str, int]:
    with simulated(datetime(2026, 12, 1, 9, 0, tzinfo=UTC)):
        return booked_per_day(
            await client.get(
                "/api/v1/stats/daily.csv", params={"site": "bochum", "from": first, "to": last}
            )
        )


async def test_each_booking_counts_on_its_local_day(bookings: httpx.AsyncClient) -> None:
    wanted: dict[str, int] = {}
    for day in STARTS.values():
        wanted[day] = wanted.get(day, 0) + 1
    # A range with both changes in it, each day alone, and the days around each change.
    assert await ask(bookings, "2026-03-01", "2026-10-31") == {
        d: n for d, n in wanted.items() if d <= "2026-10-31"
    }
    for day, count in wanted.items():
        assert await ask(bookings, day, day) == {day: count}
    assert await ask(bookings, "2026-03-29", "2026-03-29") == {"2026-03-29": 2}
    assert await ask(bookings, "2026-10-24", "2026-10-26") == {"2026-10-25": 4, "2026-10-26": 1}
    assert await ask(bookings, "2026-03-30", "2026-10-24") == {"2026-03-30": 1}
