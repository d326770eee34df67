"""The public status of remote check-in (``GET /api/v1/sites/{site}/remote-tickets``),
which the booking pages ask before they offer to join a walk-in line from a phone; and
the join page that uses it."""

import json
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.queue.conftest import Desk
from tests.queue.test_remote import ALWAYS_OPEN, open_for_remote, settings
from wcr import clock
from wcr.catalogue.tables import Site

# The site's day is asked for: the simulated day (tests/day_clock.py).
pytestmark = pytest.mark.usefixtures("day_clock")

STATUS = "/api/v1/sites/bochum/remote-tickets"
__all__ = ["settings"]  # the proof of work on, as the public gets it


async def status(client: httpx.AsyncClient, path: str = STATUS, **params: str) -> httpx.Response:
    return await client.get(path, params=params)


async def test_off_by_default_open_or_closed_by_the_opening_hours(
    desk: Desk, client: httpx.AsyncClient
) -> None:
    off = await status(client)
    assert off.status_code == 200, off.text
    today = clock.now().astimezone(ZoneInfo("Europe/Berlin")).date().isoformat()
    assert off.json() == {
        "allowed": False,
        "open": False,  # the test site has no opening hours
        "services": [
            {"slug": "registration", "name": "Residence registration"},
            {"slug": "recognition", "name": "Recognition advice"},
        ],
        "today": today,
    }
    assert "max-age=30" in off.headers["cache-control"]
    await open_for_remote(hours={})
    closed = (await status(client)).json()
    assert (closed["allowed"], closed["open"]) == (True, False)
    await open_for_remote()
    now_open = (await status(client)).json()
    assert (now_open["allowed"], now_open["open"]) == (True, True)


async def test_names_in_the_language_asked_for_and_no_personal_data(
    desk: Desk, client: httpx.AsyncClient
) -> None:
    await open_for_remote()
    await desk.walk_in("registration", name="Amira Haddad", phone="0171 2345678")
    german = (await status(client, lang="de")).json()
    assert [s["name"] for s in german["services"]] == ["Wohnsitzanmeldung", "Anerkennungsberatung"]
    # No Arabic name kept: the English one (the catalogue's fallback rule).
    arabic = (await status(client, lang="ar")).json()
    assert arabic["services"][0]["name"] == "Residence registration"
    text = json.dumps(arabic)
    assert "Amira" not in text
    assert "0171" not in text
    assert "A001" not in text


async def test_another_site_has_its_own_status(desk: Desk, client: httpx.AsyncClient) -> None:
    await open_for_remote()  # Bochum only
    neuss = (await status(client, "/api/v1/sites/neuss/remote-tickets")).json()
    assert (neuss["allowed"], neuss["open"]) == (False, False)
    assert neuss["services"] == [{"slug": "registration", "name": "Residence registration"}]


async def test_bad_input(desk: Desk, client: httpx.AsyncClient) -> None:
    unknown = await status(client, "/api/v1/sites/nowhere/remote-tickets")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("application/problem+json")
    for lang in ("xx", "de-DE-x" * 3):
        bad = await status(client, lang=lang)
        assert bad.status_code in {400, 422}, lang
        assert bad.json()["code"] == "invalid_input"
    too_long = await status(client, "/api/v1/sites/" + "b" * 65 + "/remote-tickets")
    assert too_long.status_code in {400, 404}


# --- the join page -------------------------------------------------------------------------


async def test_the_join_page_says_plainly_when_joining_is_not_possible(
    desk: Desk, client: httpx.AsyncClient
) -> None:
    off = await client.get("/ar/sites/bochum/join")
    assert off.status_code == 200
    assert 'dir="rtl"' in off.text
    assert 'id="join-unavailable"' in off.text
    assert 'id="join-form"' not in off.text
    assert 'href="/ar/sites/bochum"' in off.text
    await open_for_remote(hours={})
    closed = await client.get("/en/sites/bochum/join")
    assert "The office is closed now" in closed.text
    assert 'id="join-form"' not in closed.text
    await open_for_remote()
    form = await client.get("/sites/bochum/join", headers={"accept-language": "fr"})
    assert form.status_code == 200
    assert '<html lang="fr"' in form.text
    assert 'id="join-form"' in form.text
    assert 'value="registration"' in form.text
    assert "<altcha-widget" in form.text  # the suite's settings have the challenge on
    assert (await client.get("/xx/sites/bochum/join")).status_code == 404
    assert (await client.get("/en/sites/nowhere/join")).status_code == 404
    # Bochum's consent is not Neuss's.
    await Site.update({Site.opening_hours: json.dumps(ALWAYS_OPEN)}).where(Site.slug == "neuss")
    neuss = await client.get("/en/sites/neuss/join")
    assert 'id="join-unavailable"' in neuss.text
