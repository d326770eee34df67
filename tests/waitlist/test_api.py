"""The waitlist API: bad input names its field, one entry per contact and service,
the token opens only its own entry and never travels in a query string."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from tests.conftest import World, next_weekday, running
from tests.waitlist.helpers import bearer, join
from wcr.app import create_app
from wcr.config import Settings


def fields(response: httpx.Response) -> set[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return {e["field"] for e in response.json()["errors"]}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"service": None}, "service"),
        ({"service": "nothing-such"}, "service"),
        ({"site": "nowhere"}, "site"),
        ({"from": "2020-01-01", "to": "2020-01-02"}, "from"),
        ({"from": "tomorrow"}, "from"),
        ({"to": "1999-01-01"}, "to"),
        ({"email": None}, "email"),
        ({"email": "not-an-address"}, "email"),
    ],
)
async def test_bad_input_is_422_naming_the_field(
    world: World, client: httpx.AsyncClient, change: dict[str, object], field: str
) -> None:
    day = next_weekday(2)
    body: dict[str, object] = {
        "site": "bochum",
        "service": "registration",
        "from": day.isoformat(),
        "to": day.isoformat(),
        "name": "Someone",
        "email": "someone@example.org",
    }
    body |= change
    sent = {k: v for k, v in body.items() if v is not None}
    response = await client.post("/api/v1/waitlist", json=sent)
    assert field in fields(response)


async def test_a_range_too_long_is_refused(world: World, client: httpx.AsyncClient) -> None:
    day = next_weekday(2)
    response = await client.post(
        "/api/v1/waitlist",
        json={
            "site": "bochum",
            "service": "registration",
            "from": day.isoformat(),
            "to": (day + timedelta(days=200)).isoformat(),
            "name": "Someone",
            "email": "someone@example.org",
        },
    )
    assert "to" in fields(response)


async def test_one_open_entry_per_contact_and_service(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(2)
    first = await join(client, day, 1)
    again = await client.post(
        "/api/v1/waitlist",
        json={
            "site": "bochum",
            "service": "registration",
            "name": "Same Person",
            "email": "WAITING1@example.org",
        },
    )
    assert again.status_code == 409, again.text
    await join(client, day, 1, service="recognition")  # another service: fine
    left = await client.delete(
        f"/api/v1/waitlist/{first['reference']}", headers=bearer(first["token"])
    )
    assert left.status_code == 204
    await join(client, day, 1)  # after leaving, the contact may wait again


async def test_the_token_opens_only_its_own_entry(world: World, client: httpx.AsyncClient) -> None:
    day = next_weekday(2)
    mine = await join(client, day, 1)
    theirs = await join(client, day, 2)
    url = f"/api/v1/waitlist/{mine['reference']}"
    assert (await client.get(url, headers=bearer(mine["token"]))).status_code == 200
    for headers in ({}, bearer(theirs["token"]), bearer("x" * 20)):
        assert (await client.get(url, headers=headers)).status_code == 404
        assert (await client.delete(url, headers=headers)).status_code == 404
        assert (await client.post(f"{url}/claim", headers=headers)).status_code == 404
    # Never in a query string: it would land in logs and Referer headers.
    assert (await client.get(f"{url}?token={mine['token']}")).status_code == 404
    unknown = await client.get("/api/v1/waitlist/ACDEFGHJ", headers=bearer(mine["token"]))
    assert unknown.status_code == 404
    nothing_held = await client.post(f"{url}/claim", headers=bearer(mine["token"]))
    assert nothing_held.status_code == 409


async def test_the_challenge_applies_to_joining(
    database_url: str, settings: Settings, world: World
) -> None:
    guarded = create_app(
        Settings(**{**settings.__dict__, "database_url": database_url, "challenge": True})
    )
    async with running(guarded):
        transport = httpx.ASGITransport(app=guarded)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            response = await c.post(
                "/api/v1/waitlist",
                json={
                    "site": "bochum",
                    "service": "registration",
                    "name": "Someone",
                    "email": "someone@example.org",
                },
            )
    assert "altcha" in fields(response)
