"""monthly.csv, the ESF summary of a year, equals what the test counts from the rows."""

from __future__ import annotations

import csv
import io

import httpx

from tests.stats import expected
from tests.stats.conftest import Seeded
from tests.stats.seeding import READ_AT, Centre, simulated
from wcr.stats.exports import MONTHLY_COLUMNS


def parse(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    reader = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    assert tuple(reader.fieldnames or ()) == MONTHLY_COLUMNS
    return list(reader)


async def test_the_year_matches_the_rows_in_the_database(centre: Centre, seeded: Seeded) -> None:
    with simulated(READ_AT):
        rows = parse(await centre.get("/api/v1/stats/monthly.csv", site="bochum", year="2026"))
        wanted = await expected.monthly("bochum", 2026, READ_AT.date())
    assert rows == wanted
    october = rows[9]
    assert october["month"] == "2026-10"
    plan = seeded.plan
    # Everyone who came was advised: booked visitors checked in, walk-ins, less those
    # who did not answer the call.
    assert int(october["people_advised"]) > 0
    assert int(october["one_stop_visits"]) > 0
    assert int(october["no_shows"]) == plan.never_came + plan.no_shows_at_desk["bochum"]
    assert sum(int(october[f"advised_{c}"]) for c in ("de", "en", "ar", "fr", "tr", "uk")) == int(
        october["people_advised"]
    )
    assert all(r["people_advised"] == "0" for r in rows if r["month"] != "2026-10")
    waitlist = ("waitlist_offers", "waitlist_claimed", "waitlist_lapsed")
    assert tuple(MONTHLY_COLUMNS[-3:]) == waitlist  # added at the end
    assert [october[c] for c in waitlist] == [
        str(plan.waitlist_offers),
        str(plan.waitlist_claimed),
        str(plan.waitlist_lapsed),
    ]
    assert all(r["waitlist_offers"] == "0" for r in rows if r["month"] != "2026-10")


async def test_every_site_has_its_twelve_months(centre: Centre) -> None:
    with simulated(READ_AT):
        rows = parse(await centre.get("/api/v1/stats/monthly.csv", year="2026"))
    assert [(r["site"], r["month"]) for r in rows] == [
        (site, f"2026-{m:02d}") for site in ("bochum", "neuss") for m in range(1, 13)
    ]
    neuss = next(r for r in rows if r["site"] == "neuss" and r["month"] == "2026-10")
    assert neuss["people_advised"] == neuss["walk_ins_served"] == "22"
