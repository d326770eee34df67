"""The waitlist's pages over plain HTTP (no JavaScript): the join form on the times step
where nothing is free, joining by form POST (mistakes back on the form by their field,
what was typed kept; 409 as a sentence), the "on the waitlist" page and its link, and
the API view the waitlist page reads (the held place, names, the manage link)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import altcha
import httpx
import pytest
from litestar import Litestar

from tests.conftest import World, local, next_weekday, running
from tests.waitlist.helpers import bearer, entry_status, join
from wcr.app import create_app
from wcr.config import Settings
from wcr.waitlist.tables import WaitlistEntry


def form(**change: str) -> dict[str, str]:
    today = datetime.now(UTC).date() + timedelta(days=1)
    body = {
        "service": "registration",
        "from": today.isoformat(),
        "to": (today + timedelta(days=20)).isoformat(),
        "name": "Olena Kovalenko",
        "email": "olena@example.org",
        "phone": "",
    }
    return body | change


def link_of(page: str) -> tuple[str, str]:
    """The reference and token of the link on the "on the waitlist" page."""
    found = re.search(r'id="entry-link" href="/uk/waitlist/([A-Z0-9]+)#t=([^"]+)"', page)
    assert found, page
    return found.group(1), found.group(2)


def field_error(page: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="waitlist-{field}-error">([^<]+)</p>', page)
    assert found, f"no error by {field}"
    return found.group(1)


async def test_the_times_step_offers_the_form_where_no_time_is_free(
    world: World, client: httpx.AsyncClient
) -> None:
    empty = await client.get("/uk/sites/bochum/times?services=registration")
    assert empty.status_code == 200
    assert 'id="waitlist-form"' in empty.text
    assert 'action="/uk/sites/bochum/waitlist"' in empty.text
    assert 'name="service" value="registration"' in empty.text
    assert 'id="waitlist-link"' not in empty.text
    # A one-stop choice of two services waits for both (test_one_stop_pages.py).
    two = await client.get("/uk/sites/bochum/times?services=registration&services=recognition")
    assert 'name="services" value="recognition"' in two.text
    assert 'name="service"' not in two.text
    # With a free time the form is one link away ("none of these times suits me").
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    await world.slot(local(tomorrow, 10))
    free = await client.get("/uk/sites/bochum/times?services=registration")
    assert 'id="waitlist-form"' not in free.text
    assert 'href="/uk/sites/bochum/waitlist?service=registration"' in free.text
    own = await client.get("/uk/sites/bochum/waitlist?service=registration")
    assert own.status_code == 200
    assert 'id="waitlist-form"' in own.text
    assert (await client.get("/uk/sites/bochum/waitlist?service=nothing")).status_code == 404
    assert (await client.get("/xx/sites/bochum/waitlist?service=registration")).status_code == 404


async def test_the_forms_days_start_with_the_week_shown(
    world: World, client: httpx.AsyncClient
) -> None:
    """Who looked at a week in February waits for February, not for the next month."""
    later = datetime.now(UTC).date() + timedelta(days=40)
    page = await client.get(f"/uk/sites/bochum/times?services=registration&from={later}")
    assert 'id="waitlist-form"' in page.text
    shown = re.search(
        r'id="waitlist-from" name="from" type="date" min="[^"]+"[^>]*value="([^"]+)"', page.text
    )
    until = re.search(
        r'id="waitlist-to" name="to" type="date" min="[^"]+"[^>]*value="([^"]+)"', page.text
    )
    assert shown, page.text
    assert until, page.text
    first = datetime.fromisoformat(shown.group(1)).date()
    assert abs((first - later).days) <= 1  # the week's first day, in the site's zone
    assert datetime.fromisoformat(until.group(1)).date() == first + timedelta(days=30)


async def test_joining_by_form_shows_the_reference_and_the_link_with_the_token(
    world: World, client: httpx.AsyncClient
) -> None:
    answer = await client.post("/uk/sites/bochum/waitlist", data=form())
    assert answer.status_code == 200
    assert '<html lang="uk"' in answer.text
    reference, token = link_of(answer.text)
    assert f'<strong id="reference">{reference}</strong>' in answer.text
    assert await entry_status(reference) == "waiting"
    row = await WaitlistEntry.select().where(WaitlistEntry.reference == reference).first()
    assert row is not None
    assert row["language"] == "uk"
    assert row["email"] == "olena@example.org"
    assert (row["last_day"] - row["first_day"]).days == 20
    view = await client.get(f"/api/v1/waitlist/{reference}", headers=bearer(token))
    assert view.status_code == 200
    assert view.json()["status"] == "waiting"
    # The page itself is the same for everyone: the entry only comes with the token.
    page = await client.get(f"/uk/waitlist/{reference}")
    assert page.status_code == 200
    assert "Olena" not in page.text
    assert "olena@example.org" not in page.text


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"email": "not-an-address"}, {"email"}),
        ({"email": ""}, {"email", "phone"}),
        ({"phone": "12"}, {"phone"}),
        ({"name": ""}, {"name"}),
        ({"from": "2020-01-01"}, {"from"}),
        ({"from": "soon"}, {"from"}),
        ({"to": "2020-01-01"}, {"to"}),
        ({"email": "nope", "to": "2020-01-01"}, {"email", "to"}),
    ],
)
async def test_a_mistake_comes_back_on_the_form_by_its_field(
    world: World, client: httpx.AsyncClient, change: dict[str, str], fields: set[str]
) -> None:
    sent = form(**change)
    answer = await client.post("/uk/sites/bochum/waitlist", data=sent)
    assert answer.status_code == 200
    assert 'id="waitlist-form"' in answer.text
    assert 'id="entry-link"' not in answer.text
    shown = set(re.findall(r'id="waitlist-([a-z]+)-error"', answer.text))
    assert shown == fields
    for field in fields:
        assert field_error(answer.text, field)
        assert f'href="#waitlist-{field}"' in answer.text  # the summary links to it
    # What was typed is kept.
    for field in ("name", "email", "from", "to"):
        if sent[field]:
            assert f'value="{sent[field]}"' in answer.text
    assert await WaitlistEntry.count() == 0


async def test_waiting_twice_is_said_by_the_contact_field(
    world: World, client: httpx.AsyncClient
) -> None:
    first = await client.post("/uk/sites/bochum/waitlist", data=form())
    link_of(first.text)
    again = await client.post("/uk/sites/bochum/waitlist", data=form(name="Olena K."))
    assert again.status_code == 200
    assert field_error(again.text, "email")
    assert 'value="Olena K."' in again.text
    only_phone = await client.post(
        "/uk/sites/bochum/waitlist", data=form(email="", phone="0171 2345678")
    )
    link_of(only_phone.text)
    twice = await client.post("/uk/sites/bochum/waitlist", data=form(email="", phone="01712345678"))
    assert field_error(twice.text, "phone")
    assert await WaitlistEntry.count() == 2


async def test_a_tampered_form_is_not_found(world: World, client: httpx.AsyncClient) -> None:
    assert (
        await client.post("/uk/sites/bochum/waitlist", data=form(service="nothing"))
    ).status_code == 404
    assert (await client.post("/uk/sites/nowhere/waitlist", data=form())).status_code == 404
    long = await client.post("/uk/sites/bochum/waitlist", data=form(name="x" * 5000))
    assert long.status_code == 200  # cut to a sane length, then checked
    assert await WaitlistEntry.count() <= 1


async def test_with_the_challenge_on_the_form_needs_its_solution(
    database_url: str, settings: Settings, world: World
) -> None:
    guarded = create_app(
        replace(settings, database_url=database_url, challenge=True, challenge_max_number=2000)
    )
    async with running(guarded):
        transport = httpx.ASGITransport(app=guarded)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            times = await c.get("/uk/sites/bochum/times?services=registration")
            assert "<altcha-widget" in times.text
            refused = await c.post("/uk/sites/bochum/waitlist", data=form())
            assert 'id="altcha-error"' in refused.text
            assert 'href="#altcha"' in refused.text
            assert await WaitlistEntry.count() == 0
            challenge = altcha.Challenge.from_dict((await c.get("/api/v1/challenge")).json())
            solution = altcha.solve_challenge(challenge, timeout=30)
            assert solution is not None
            payload = altcha.Payload(challenge, solution).to_base64()
            joined = await c.post("/uk/sites/bochum/waitlist", data=form(altcha=payload))
            link_of(joined.text)


async def test_the_view_names_the_held_place_and_links_the_booking(
    app: Litestar, world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(3)
    slot = await world.slot(local(day, 9))
    taken = (await world.book(slot)).json()
    entry = await join(client, day, 1)
    url = f"/api/v1/waitlist/{entry['reference']}"
    waiting = (await client.get(url, headers=bearer(entry["token"]))).json()
    assert waiting["site_name"] == "Welcome Office Bochum"
    assert waiting["service_name"] == "Residence registration"
    assert waiting["timezone"] == "Europe/Berlin"
    assert waiting["manage_url"] is None
    cancelled = await client.post(
        f"/api/v1/bookings/{taken['reference']}/cancel", headers=bearer(taken["manage_token"])
    )
    assert cancelled.status_code == 200
    offered = (await client.get(url, headers=bearer(entry["token"]))).json()
    assert offered["status"] == "offered"
    assert datetime.fromisoformat(offered["offer"]["starts_at"]) == local(day, 9)
    assert datetime.fromisoformat(offered["offer"]["ends_at"]) == local(day, 9, 30)
    assert offered["offer"]["site_name"] == "Welcome Office Bochum"
    claimed = await client.post(f"{url}/claim", headers=bearer(entry["token"]))
    assert claimed.status_code == 201
    booked = (await client.get(url, headers=bearer(entry["token"]))).json()
    assert booked["status"] == "booked"
    manage = booked["manage_url"]
    assert manage.startswith(f"http://testserver/manage/{claimed.json()['reference']}#t=")
    # The link's token opens the booking (and is not the entry's token).
    link_token = manage.split("#t=")[1]
    assert link_token != entry["token"]
    seen = await client.get(
        f"/api/v1/bookings/{claimed.json()['reference']}", headers=bearer(link_token)
    )
    assert seen.status_code == 200
    # Another entry's token opens neither this entry nor its booking link.
    other = await join(client, day, 2)
    assert (await client.get(url, headers=bearer(other["token"]))).status_code == 404
