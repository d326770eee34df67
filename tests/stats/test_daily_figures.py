"""daily.csv of a month played through the real API equals what the test counts from
the database rows itself; on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io

import httpx

from tests.stats import expected
from tests.stats.conftest import Seeded
from tests.stats.seeding import (
    FIRST,
    LAST,
    READ_AT,
    Centre,
    simulated,
)
from wcr.config import SUPPORTED_LANGUAGES
from wcr.stats.exports import DAILY_COLUMNS


def parse(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    assert tuple(reader.fieldnames or ()) == DAILY_COLUMNS
    return list(reader)


async def test_a_month_matches_the_rows_in_the_database(centre: Centre, seeded: Seeded) -> None:
    plan = seeded.plan
    with simulated(READ_AT):
        response = await centre.get(
            "/api/v1/stats/daily.csv", site="bochum", **{"from": str(FIRST), "to": str(LAST)}
        )
        rows = parse(response)
        wanted = await expected.daily("bochum", FIRST, LAST, READ_AT.date())
    assert rows == wanted
    # The seed did what it meant to: every kind of event is in the figures.
    total = {column: sum(int(r[column]) for r in rows) for column in DAILY_COLUMNS[4:10]}
    assert total["booked"] == plan.appointments - plan.rescheduled * 0  # moved, not doubled
    assert total["cancelled"] == plan.cancelled_bookings + plan.dropped
    assert total["no_shows"] == plan.never_came + plan.no_shows_at_desk["bochum"]
    assert total["served"] == plan.finished["bochum"]
    assert total["one_stop"] > 0
    # A walk-in for both agencies counts in both lines.
    assert total["walk_ins"] > plan.walk_ins["bochum"]
    assert {
        code for code in SUPPORTED_LANGUAGES if any(int(r[f"lang_{code}"]) for r in rows)
    } == plan.languages
    assert all(r["wait_median_min"] for r in rows if int(r["served"]))
    # The waitlist's offers: each of its days one ran out and the next was booked.
    offers = {c: sum(int(r[c]) for r in rows) for c in DAILY_COLUMNS[-3:]}
    assert offers == {
        "waitlist_offers": plan.waitlist_offers,
        "waitlist_claimed": plan.waitlist_claimed,
        "waitlist_lapsed": plan.waitlist_lapsed,
    }
    assert plan.waitlist_offers == 6
    assert [(r["day"], r["waitlist_offers"]) for r in rows if int(r["waitlist_offers"])] == [
        ("2026-10-02", "2"),
        ("2026-10-08", "2"),
        ("2026-10-15", "2"),
    ]
    # The Sunday the clocks went back: 00:30 summer time and 23:30 winter time, one day.
    sunday = [r for r in rows if r["day"] == "2026-10-25"]
    assert [(r["service"], r["booked"], r["no_shows"]) for r in sunday] == [
        ("registration", "2", "2")
    ]


async def test_every_site_for_an_admin_and_only_its_own_for_a_site_admin(
    centre: Centre,
) -> None:
    span = {"from": str(FIRST), "to": str(LAST)}
    with simulated(READ_AT):
        everything = parse(await centre.get("/api/v1/stats/daily.csv", **span))
        bochum = parse(await centre.get("/api/v1/stats/daily.csv", "bochum-admin", **span))
        neuss = parse(await centre.get("/api/v1/stats/daily.csv", "neuss-admin", **span))
    assert {r["site"] for r in everything} == {"bochum", "neuss"}
    assert bochum == [r for r in everything if r["site"] == "bochum"]
    assert neuss == [r for r in everything if r["site"] == "neuss"]
    assert sum(int(r["walk_ins"]) for r in neuss) == 22  # one each weekday
