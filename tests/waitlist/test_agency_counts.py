"""The waitlist in the agency portal's API: how many wait for the agency's own services,
all and for a day of the week asked for; nothing of another agency; the key required,
bad ranges refused at their field."""

from __future__ import annotations

from datetime import timedelta

import httpx

from tests.conftest import BERLIN, World
from tests.waitlist.helpers import bearer, join
from wcr import clock


def agency(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def test_the_agency_sees_how_many_wait_for_its_services_this_week_and_later(
    world: World, client: httpx.AsyncClient
) -> None:
    today = clock.now().astimezone(BERLIN).date()
    week = {"from": today.isoformat(), "to": (today + timedelta(days=6)).isoformat()}
    await join(client, today + timedelta(days=1), 1, last=today + timedelta(days=3))
    await join(client, today + timedelta(days=20), 2, last=today + timedelta(days=25))
    # Her range begins within the week and goes on after it: she counts for the week.
    await join(client, today + timedelta(days=5), 3, last=today + timedelta(days=40))
    await join(client, today + timedelta(days=2), 4, service="recognition")
    gone = await join(client, today + timedelta(days=2), 5)
    left = await client.delete(
        f"/api/v1/waitlist/{gone['reference']}", headers=bearer(gone["token"])
    )
    assert left.status_code == 204

    citizens = await client.get(
        "/api/v1/agency/waitlist", params=week | {"lang": "en"}, headers=agency(world.citizens_key)
    )
    assert citizens.status_code == 200, citizens.text
    assert citizens.json() == [
        {
            "site": "bochum",
            "service": "registration",
            "service_name": "Residence registration",
            "waiting": 3,
            "waiting_these_days": 2,
        }
    ]
    ihk = await client.get("/api/v1/agency/waitlist", params=week, headers=agency(world.ihk_key))
    assert [(c["service"], c["waiting"], c["waiting_these_days"]) for c in ihk.json()] == [
        ("recognition", 1, 1)
    ]
    # Three weeks ahead only the one waiting then (and the long one) count for those days.
    later = {
        "from": (today + timedelta(days=21)).isoformat(),
        "to": (today + timedelta(days=27)).isoformat(),
    }
    ahead = await client.get(
        "/api/v1/agency/waitlist", params=later, headers=agency(world.citizens_key)
    )
    assert [(c["waiting"], c["waiting_these_days"]) for c in ahead.json()] == [(3, 2)]
    # Without dates: from today for a week.
    default = await client.get(
        "/api/v1/agency/waitlist", params={"lang": "en"}, headers=agency(world.citizens_key)
    )
    assert default.json() == citizens.json()


async def test_the_key_is_required_and_bad_ranges_are_refused_at_their_field(
    world: World, client: httpx.AsyncClient
) -> None:
    for headers in ({}, agency("wcr_ak_wrong")):
        refused = await client.get("/api/v1/agency/waitlist", headers=headers)
        assert refused.status_code == 401, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
    key = agency(world.citizens_key)
    for params, field in (
        ({"from": "2026-12-10", "to": "2026-12-01"}, "to"),
        ({"from": "2026-12-01", "to": "2027-06-01"}, "to"),
        ({"from": "not-a-day"}, "from"),
    ):
        bad = await client.get("/api/v1/agency/waitlist", params=params, headers=key)
        assert bad.status_code in {400, 422}, bad.text
        assert bad.headers["content-type"].startswith("application/problem+json")
        assert field in bad.text, bad.text
