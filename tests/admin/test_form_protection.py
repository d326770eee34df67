"""What keeps another site from using a signed-in admin's browser: every admin POST
needs our own Origin and the form token of this session; the login form needs our
Origin (login CSRF). And signing in and out by form, with the desk's cookie."""

from __future__ import annotations

import httpx

from tests.admin.conftest import ORIGIN, PASSWORD, Browser, browser_of, site_form
from wcr.catalogue.public import site_by_slug

CHANGE = site_form(name="Changed by someone else")


async def _unchanged() -> bool:
    return (await site_by_slug("bochum")).name == "Welcome Office Bochum"


async def test_a_post_without_the_form_token_or_from_another_origin_is_refused(
    boss: Browser, client: httpx.AsyncClient
) -> None:
    assert (await boss.post("/de/admin/sites/bochum", CHANGE, token=False)).status_code == 403
    foreign = await boss.post("/de/admin/sites/bochum", CHANGE, origin="https://evil.example")
    assert foreign.status_code == 403
    assert (await boss.post("/de/admin/sites/bochum", CHANGE, origin=None)).status_code == 403
    assert (await boss.post("/de/admin/sites/bochum", CHANGE, origin="null")).status_code == 403
    assert await _unchanged()
    # Another session's token (a second browser of the same admin) does not fit this one.
    async with browser_of(client) as second:
        assert (await second.login("boss")).status_code == 303
        stolen = second.token
    boss.token, own = stolen, boss.token
    assert (await boss.post("/de/admin/sites/bochum", CHANGE)).status_code == 403
    assert await _unchanged()
    boss.token = own
    assert (await boss.post("/de/admin/sites/bochum", CHANGE)).status_code == 303


async def test_the_login_form_refuses_other_origins_and_wrong_passwords(
    staff: object, client: httpx.AsyncClient
) -> None:
    foreign = await client.post(
        "/en/admin/login",
        data={"username": "boss", "password": PASSWORD},
        headers={"Origin": "https://evil.example"},
    )
    assert foreign.status_code == 403
    assert "wcr_staff" not in foreign.headers.get("set-cookie", "")
    wrong = await client.post(
        "/en/admin/login",
        data={"username": "boss", "password": "not the password"},
        headers={"Origin": ORIGIN},
    )
    assert wrong.status_code == 401
    assert "The username or the password is wrong." in wrong.text
    assert 'value="boss"' in wrong.text


async def test_after_signing_in_only_our_own_admin_pages_are_a_way_back(
    staff: object, client: httpx.AsyncClient
) -> None:
    for asked, lands in (
        ("/de/admin/staff", "/de/admin/staff"),
        ("https://evil.example/de/admin", "/de/admin"),
        ("//evil.example/de/admin", "/de/admin"),
        ("/de/admin/../../logout", "/de/admin"),
    ):
        async with browser_of(client) as browser:
            answer = await browser.client.post(
                "/de/admin/login",
                data={"username": "boss", "password": PASSWORD, "next": asked},
                headers={"Origin": ORIGIN},
            )
            assert answer.status_code == 303
            assert answer.headers["location"] == lands
    page = await client.get("/de/admin/login", params={"next": "https://evil.example"})
    assert 'name="next" value="/de/admin"' in page.text


async def test_signing_out_ends_the_session_and_an_ended_session_goes_to_the_login(
    boss: Browser, client: httpx.AsyncClient
) -> None:
    out = await boss.post("/de/admin/logout")
    assert out.status_code == 303
    assert out.headers["location"] == "/de/admin/login"
    assert "wcr_staff=" in out.headers["set-cookie"]
    assert (await client.get("/de/admin")).status_code == 303
    # A form sent after its session ended: to the login, and back to the form's page.
    again = await client.post(
        "/de/admin/sites/bochum",
        data=CHANGE,
        headers={"Origin": ORIGIN, "Referer": "http://testserver/de/admin/sites/bochum"},
    )
    assert again.status_code == 303
    assert again.headers["location"] == "/de/admin/login?next=/de/admin/sites/bochum"
    assert await _unchanged()


async def test_admin_without_a_language_goes_to_the_browsers(client: httpx.AsyncClient) -> None:
    answer = await client.get("/admin", headers={"Accept-Language": "ar,en;q=0.5"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/ar/admin"
    assert (await client.get("/xx/admin")).status_code == 404
