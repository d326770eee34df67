"""Sites through /admin: made and changed with the same rules as everywhere (a time
zone the server knows, opening hours that open before they close and never overlap),
bad input shown on the form naming the field, and a site admin kept to its own site."""

from __future__ import annotations

import httpx

from tests.admin.conftest import Browser, errors_of, hours, site_form
from wcr.catalogue.public import site_by_slug


async def test_an_admin_creates_a_site_with_its_hours_and_the_api_lists_it(
    boss: Browser, client: httpx.AsyncClient
) -> None:
    form = site_form(slug="koeln") | hours({1: [("08:00", "12:00"), ("13:00", "16:30")]})
    made = await boss.post("/de/admin/sites", form)
    assert made.status_code == 303, made.text
    assert made.headers["location"] == "/de/admin/sites/koeln?saved=1"
    site = await site_by_slug("koeln")
    assert site.name == "Welcome Center Köln"
    assert site.opening_hours == {"1": [["08:00", "12:00"], ["13:00", "16:30"]]}
    listed = (await client.get("/api/v1/sites")).json()
    assert {"slug": "koeln", "name": "Welcome Center Köln"}.items() <= next(
        s for s in listed if s["slug"] == "koeln"
    ).items()
    page = await boss.get("/de/admin/sites/koeln?saved=1")
    assert "Gespeichert" in page.text or "Saved" in page.text


async def test_a_bad_time_zone_is_named_on_the_form(boss: Browser) -> None:
    page = await boss.post("/en/admin/sites", site_form(slug="koeln", timezone="Europe/Cologne"))
    assert page.status_code == 422
    assert errors_of(page) == [
        "Time zone: This is not a time zone we know. Write it like Europe/Berlin."
    ]
    assert 'id="timezone"' in page.text
    assert 'aria-invalid="true"' in page.text
    assert 'value="Europe/Cologne"' in page.text  # what was typed stays
    assert await _missing("koeln")


async def test_overlapping_opening_hours_are_named_by_their_day(boss: Browser) -> None:
    form = site_form(slug="koeln") | hours({3: [("08:00", "12:00"), ("11:30", "15:00")]})
    page = await boss.post("/en/admin/sites", form)
    assert page.status_code == 422
    assert errors_of(page) == [
        "Opening hours on Wednesday: 11:30-15:00 overlaps the opening time that ends at 12:00."
    ]
    assert 'href="#opening_hours-3"' in page.text
    assert 'id="opening_hours-3"' in page.text
    german = await boss.post("/de/admin/sites", form)
    assert errors_of(german)[0].startswith("Öffnungszeiten am Mittwoch: ")


async def test_hours_that_close_before_they_open_and_other_bad_numbers(boss: Browser) -> None:
    backwards = await boss.post(
        "/en/admin/sites", site_form(slug="koeln") | hours({5: [("16:00", "08:00")]})
    )
    assert errors_of(backwards) == [
        "Opening hours on Friday: 16:00-08:00: the opening time must come before the closing time."
    ]
    half = await boss.post("/en/admin/sites", site_form(slug="koeln") | hours({2: [("08:00", "")]}))
    assert errors_of(half) == [
        "Opening hours on Tuesday: Please give the time as HH:MM, e.g. 08:30."
    ]
    idle = await boss.post(
        "/en/admin/sites", site_form(slug="koeln", handover_minutes="30", max_idle_minutes="10")
    )
    assert errors_of(idle) == [
        "Longest wait between appointments (minutes): At least as long as the hand-over gap."
    ]
    words = await boss.post("/en/admin/sites", site_form(slug="koeln", max_recalls="two"))
    assert errors_of(words) == [
        "Calls before a visitor counts as not come: Please give a whole number."
    ]
    slug = await boss.post("/en/admin/sites", site_form(slug="Köln!"))
    assert errors_of(slug) == [
        (
            "Short name (in web addresses): Lower-case letters (a-z), digits and dashes only, "
            "at most 64."
        )
    ]
    taken = await boss.post("/en/admin/sites", site_form(slug="bochum"))
    assert errors_of(taken) == [
        "Short name (in web addresses): This is taken already. Please choose another."
    ]
    assert await _missing("koeln")


async def test_an_admin_changes_a_site_and_its_remote_check_in(
    boss: Browser, client: httpx.AsyncClient
) -> None:
    form = site_form(name="Welcome Office Bochum", timezone="Europe/Berlin", remote_queue="on")
    form |= hours({1: [("09:00", "15:00")], 3: [("09:00", "18:00")]})
    saved = await boss.post("/de/admin/sites/bochum", form)
    assert saved.status_code == 303, saved.text
    site = await site_by_slug("bochum")
    assert site.opening_hours == {"1": [["09:00", "15:00"]], "3": [["09:00", "18:00"]]}
    page = await boss.get("/de/admin/sites/bochum")
    assert 'name="remote_queue" id="remote_queue" checked' in page.text
    assert 'value="09:00"' in page.text


async def test_a_site_admin_changes_its_own_site_only(
    chief: Browser, client: httpx.AsyncClient
) -> None:
    listed = await chief.get("/de/admin/sites")
    assert "/de/admin/sites/bochum" in listed.text
    assert "/de/admin/sites/neuss" not in listed.text
    own = await chief.post("/de/admin/sites/bochum", site_form(name="Bochum, neu"))
    assert own.status_code == 303, own.text
    assert (await site_by_slug("bochum")).name == "Bochum, neu"
    # Another site's page and a crafted POST to it: refused, nothing changed.
    assert (await chief.get("/de/admin/sites/neuss")).status_code == 403
    crafted = await chief.post("/de/admin/sites/neuss", site_form(name="Taken over"))
    assert crafted.status_code == 403
    assert (await site_by_slug("neuss")).name == "WCR Neuss"
    # A new site is an admin's.
    assert (await chief.get("/de/admin/sites/new")).status_code == 403
    assert (await chief.post("/de/admin/sites", site_form(slug="koeln"))).status_code == 403
    assert await _missing("koeln")


async def test_the_front_desk_and_strangers_are_kept_out(
    staff: object, client: httpx.AsyncClient
) -> None:
    anonymous = await client.get("/de/admin/sites")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/de/admin/login?next=/de/admin/sites"
    desk = Browser(client)
    assert (await desk.login("desk")).status_code == 303
    assert (await client.get("/de/admin/sites/bochum")).status_code == 403


async def _missing(slug: str) -> bool:
    try:
        await site_by_slug(slug)
    except Exception:  # noqa: BLE001 - any refusal means it is not there
        return True
    return False
