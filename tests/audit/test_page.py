"""``/{lang}/admin/audit``: the log as a page, for admins and site admins, in the
page's language; and in Chromium at phone and desk width, in German, English and
Arabic."""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.audit.helpers import audited
from tests.live_server import live_server
from tests.queue.conftest import PASSWORD, Desk, login
from tests.queue.test_live_events import PASSWORD as DESK_PASSWORD
from tests.queue.test_live_events import prepare
from tests.test_operations import wcr
from tests.web.conftest import check_accessibility, needs_chromium, shoot
from wcr.accounts.public import create_staff

PAGE = "/{lang}/admin/audit"


async def signed_in(client: httpx.AsyncClient, name: str) -> None:
    """The browser's way: the session cookie, no bearer header."""
    client.cookies.clear()
    response = await login(client, name)
    assert response.status_code == 200, response.text


async def test_the_page_shows_entries_to_an_admin_in_its_language(
    desk: Desk, client: httpx.AsyncClient
) -> None:
    ticket = await desk.walk_in("registration")
    await signed_in(client, "boss")
    page = await client.get(PAGE.format(lang="de"))
    assert page.status_code == 200, page.text
    assert "<h1>Prüfprotokoll</h1>" in page.text
    assert "walkIn" in page.text
    assert "Erledigt (201)" in page.text
    assert "Europe/Berlin" in page.text
    # Staff by username beside the id the log keeps (the reader may list the account).
    assert re.search(r"<bdi>clerk</bdi> <bdi class=\"code\">\d+</bdi>", page.text)
    english = await client.get(PAGE.format(lang="en"), params={"target_kind": "ticket"})
    assert "<h1>Audit log</h1>" in english.text
    assert "walkIn" not in english.text  # filtered to tickets: none yet
    await desk.post(f"/tickets/{ticket['id']}/park")
    parked = await client.get(PAGE.format(lang="en"), params={"target_kind": "ticket"})
    assert "park" in parked.text
    assert f"ticket {ticket['id']}" in parked.text


async def test_the_page_says_who_it_is_for(desk: Desk, client: httpx.AsyncClient) -> None:
    client.cookies.clear()
    nobody = await client.get(PAGE.format(lang="de"))
    assert nobody.status_code == 401
    assert 'href="/de/desk"' in nobody.text
    assert "walkIn" not in nobody.text
    await desk.walk_in("registration")
    await signed_in(client, "clerk")
    clerk = await client.get(PAGE.format(lang="en"))
    assert clerk.status_code == 403
    assert "This page is for admins and site admins." in clerk.text
    assert "walkIn" not in clerk.text
    assert (await client.get(PAGE.format(lang="xx"))).status_code == 404


async def test_a_site_admin_sees_its_site_only_and_bad_input_is_named(
    desk: Desk, client: httpx.AsyncClient
) -> None:
    await desk.walk_in("registration")
    await create_staff("neuss-chief", PASSWORD, "site_admin", "neuss")
    await signed_in(client, "neuss-chief")
    page = await client.get(PAGE.format(lang="en"))
    assert page.status_code == 200, page.text
    assert "walkIn" not in page.text
    assert "No entries." in page.text
    other = await client.get(PAGE.format(lang="en"), params={"site": "bochum"})
    assert other.status_code == 403
    bad = await client.get(PAGE.format(lang="en"), params={"limit": "0"})
    assert bad.status_code == 400
    assert "limit" in bad.text
    await audited(action="walkIn")


# --- in Chromium --------------------------------------------------------------------


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo (seeded by the CLI: entries of the system) with the clerk of Bochum and
    an admin; a refused login and a day of desk work on top."""
    path = tmp_path_factory.mktemp("audit") / "prepared.sqlite3"
    url = f"sqlite:///{path}"
    assert wcr(url, "migrate").returncode == 0
    prepare(url)
    made = wcr(url, "staff-add", "boss", "--role", "admin", "--password-stdin", stdin=PASSWORD)
    assert made.returncode == 0, made.stderr
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def server(prepared: Path, tmp_path: Path) -> Iterator[str]:
    path = tmp_path / "audit.sqlite3"
    shutil.copyfile(prepared, path)
    with live_server(f"sqlite:///{path}") as base:
        with httpx.Client(base_url=base, timeout=10) as api:
            assert api.post("/api/v1/auth/login", json={"username": "x", "password": "y"})
            signed = api.post(
                "/api/v1/auth/login", json={"username": "clerk", "password": DESK_PASSWORD}
            )
            assert signed.status_code == 200, signed.text
            token = signed.json()["token"]
            headers = {"Authorization": f"Bearer {token}"}
            for _ in range(3):
                made = api.post(
                    "/api/v1/sites/bochum/tickets",
                    json={"services": ["residence-registration"]},
                    headers=headers,
                )
                assert made.status_code == 201, made.text
            api.post("/api/v1/sites/neuss/tickets", json={"services": []}, headers=headers)
        yield base


@needs_chromium
@pytest.mark.slow
def test_the_page_in_chromium(browser: Browser, server: str) -> None:
    context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    response = page.request.post(
        f"{server}/api/v1/auth/login",
        data={"username": "boss", "password": PASSWORD},
        headers={"Origin": server},
    )
    assert response.ok, response.text()
    for lang, title in (("de", "Prüfprotokoll"), ("en", "Audit log"), ("ar", None)):
        page.goto(f"/{lang}/admin/audit")
        if title:
            expect(page.locator("h1")).to_have_text(title)
        expect(page.locator("tbody tr").first).to_be_visible()
        check_accessibility(page)
        shoot(page, f"audit-log-{lang}")
    assert page.locator("html").get_attribute("dir") == "rtl"
    # Filtering is a plain form: refused attempts, by nobody we know.
    page.goto("/en/admin/audit")
    page.get_by_label("Who").select_option("anonymous")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"actor_kind=anonymous"))
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr").first).to_contain_text("login")
    expect(page.locator("tbody tr").first).to_contain_text("Refused (401)")
    context.close()
