"""Day-times of an entry (`earliest`, `latest`, "HH:MM" at the site): a freed place
outside them is not offered to the entry but to the next one in joining order that
accepts it; a one-stop entry's whole visit must lie within them. Bad times are 422
naming the field; the form takes them and the pages show them."""

from __future__ import annotations

import re
from datetime import time

import httpx
import pytest

from tests.conftest import World, local, next_weekday
from tests.waitlist.helpers import bearer, entry_status, holds, join
from tests.waitlist.test_api import fields
from tests.waitlist.test_offers import cancel
from tests.waitlist.test_one_stop import BOTH, pair
from tests.waitlist.test_pages import field_error, form, link_of
from wcr.waitlist.tables import WaitlistEntry


async def test_a_place_outside_the_times_goes_to_the_next_entry_that_accepts_it(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(3)
    slot = await world.slot(local(day, 9))  # 09:00-09:30 in Berlin
    taken = (await world.book(slot)).json()
    too_early = await join(client, day, 1, earliest="09:01")
    too_late = await join(client, day, 2, latest="09:29")
    exactly = await join(client, day, 3, earliest="09:00", latest="09:30")  # both included
    any_time = await join(client, day, 4)
    await cancel(client, taken)
    assert await holds() == [{"slot": slot, "status": "held", "reference": exactly["reference"]}]
    assert [
        await entry_status(e["reference"]) for e in (too_early, too_late, exactly, any_time)
    ] == ["waiting", "waiting", "offered", "waiting"]
    view = (
        await client.get(
            f"/api/v1/waitlist/{exactly['reference']}", headers=bearer(exactly["token"])
        )
    ).json()
    assert (view["earliest"], view["latest"]) == ("09:00", "09:30")
    plain = (
        await client.get(
            f"/api/v1/waitlist/{any_time['reference']}", headers=bearer(any_time["token"])
        )
    ).json()
    assert (plain["earliest"], plain["latest"]) == (None, None)


async def test_joining_order_holds_among_the_entries_that_accept_the_place(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(3)
    morning = await world.slot(local(day, 8))
    afternoon = await world.slot(local(day, 14))
    taken = [(await world.book(s, email=f"b{s}@example.org")).json() for s in (morning, afternoon)]
    mornings = await join(client, day, 1, latest="12:00")
    afternoons = await join(client, day, 2, earliest="13:00")
    anyone = await join(client, day, 3)
    await cancel(client, taken[1])  # the afternoon first: not for the first entry
    await cancel(client, taken[0])
    assert await holds() == [
        {"slot": afternoon, "status": "held", "reference": afternoons["reference"]},
        {"slot": morning, "status": "held", "reference": mornings["reference"]},
    ]
    assert await entry_status(anyone["reference"]) == "waiting"


async def test_nobody_accepting_the_place_leaves_it_free(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(3)
    slot = await world.slot(local(day, 16))
    taken = (await world.book(slot)).json()
    entry = await join(client, day, 1, latest="15:00")
    await cancel(client, taken)
    assert await holds() == []
    assert await entry_status(entry["reference"]) == "waiting"
    assert (await world.book(slot, email="other@example.org")).status_code == 201


async def test_a_one_stop_visit_ending_after_latest_is_not_offered(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(3)
    # Registration 09:00-09:20, recognition 09:30-10:00: the visit ends at 10:00.
    registration, recognition = await pair(world, day, time(9))
    taken = (await world.book(registration)).json()
    # The freed place itself (until 09:20) is within 09:45; the visit is not.
    short = await join(client, day, 1, service=None, services=BOTH, latest="09:45")
    late = await join(client, day, 2, service=None, services=BOTH, earliest="09:01")
    whole = await join(client, day, 3, service=None, services=BOTH, latest="10:00")
    await cancel(client, taken)
    assert await holds() == [
        {"slot": registration, "status": "held", "reference": whole["reference"]},
        {"slot": recognition, "status": "held", "reference": whole["reference"]},
    ]
    assert await entry_status(short["reference"]) == "waiting"
    assert await entry_status(late["reference"]) == "waiting"


@pytest.mark.parametrize(
    ("times", "field"),
    [
        ({"earliest": "25:00"}, "earliest"),
        ({"earliest": "9am"}, "earliest"),
        ({"earliest": "9:00"}, "earliest"),
        ({"latest": "12:60"}, "latest"),
        ({"latest": "12:00:00"}, "latest"),
        ({"earliest": "12:00", "latest": "08:00"}, "latest"),
        ({"earliest": "12:00", "latest": "12:00"}, "latest"),
        ({"earliest": "x" * 50}, "earliest"),
    ],
)
async def test_bad_times_are_422_naming_the_field(
    world: World, client: httpx.AsyncClient, times: dict[str, str], field: str
) -> None:
    day = next_weekday(2)
    body = {
        "site": "bochum",
        "service": "registration",
        "from": day.isoformat(),
        "to": day.isoformat(),
        "name": "Someone",
        "email": "someone@example.org",
    } | times
    response = await client.post("/api/v1/waitlist", json=body)
    if len(times.get("earliest", "")) > 8:  # over the schema's limit: msgspec says so
        assert response.status_code == 400 or field in fields(response)
    else:
        assert fields(response) == {field}
    assert await WaitlistEntry.count() == 0


async def test_the_form_takes_the_times_and_the_joined_page_shows_them(
    world: World, client: httpx.AsyncClient
) -> None:
    page = await client.get("/uk/sites/bochum/waitlist?service=registration")
    assert 'name="earliest" type="time"' in page.text
    assert 'name="latest" type="time"' in page.text
    answer = await client.post(
        "/uk/sites/bochum/waitlist", data=form(earliest="08:00", latest="12:00")
    )
    assert answer.status_code == 200
    reference, token = link_of(answer.text)
    assert '<dd id="times">з 08:00 до 12:00</dd>' in answer.text
    row = await WaitlistEntry.select().where(WaitlistEntry.reference == reference).first()
    assert row is not None
    assert (row["earliest"], row["latest"]) == ("08:00", "12:00")
    view = (await client.get(f"/api/v1/waitlist/{reference}", headers=bearer(token))).json()
    assert (view["earliest"], view["latest"]) == ("08:00", "12:00")
    # English writes 12 hours; only one of them shown when one is given.
    english = await client.post(
        "/en/sites/bochum/waitlist", data=form(email="b@example.org", earliest="14:30")
    )
    shown = re.search(r'<dd id="times">([^<]+)</dd>', english.text)
    assert shown is not None
    assert re.fullmatch(r"from 2:30\sPM", shown.group(1)), shown.group(1)
    # Without times the page says nothing of them.
    plain = await client.post("/uk/sites/bochum/waitlist", data=form(email="c@example.org"))
    assert 'id="entry-link"' in plain.text
    assert 'id="times"' not in plain.text


async def test_a_bad_time_comes_back_on_the_form_by_its_field(
    world: World, client: httpx.AsyncClient
) -> None:
    answer = await client.post(
        "/uk/sites/bochum/waitlist", data=form(earliest="12:00", latest="09:00")
    )
    assert answer.status_code == 200
    assert 'id="entry-link"' not in answer.text
    assert set(re.findall(r'id="waitlist-([a-z]+)-error"', answer.text)) == {"latest"}
    assert field_error(answer.text, "latest")
    assert 'href="#waitlist-latest"' in answer.text
    assert 'value="12:00"' in answer.text  # what was typed is kept
    assert 'value="09:00"' in answer.text
    wrong = await client.post("/uk/sites/bochum/waitlist", data=form(earliest="soon"))
    assert set(re.findall(r'id="waitlist-([a-z]+)-error"', wrong.text)) == {"earliest"}
    assert await WaitlistEntry.count() == 0
