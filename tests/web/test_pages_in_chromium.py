"""The pages in a real headless Chromium (Debian's), against a real server."""

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.live_server import live_server
from tests.queue.test_live_events import PASSWORD, prepare
from tests.test_operations import wcr
from tests.web.conftest import check_accessibility, needs_chromium, shoot

pytestmark = [pytest.mark.slow, needs_chromium]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """A fresh server per test (the display replays recent calls); pages run on SQLite."""
    url = f"sqlite:///{tmp_path / 'desk.sqlite3'}"
    assert wcr(url, "migrate").returncode == 0
    prepare(url)
    with live_server(url) as base:
        yield base


@pytest.fixture
def api(server: str) -> Iterator[httpx.Client]:
    """The desk's API, as a script at the front desk would use it."""
    with httpx.Client(base_url=server, timeout=10) as client:
        token = client.post(
            "/api/v1/auth/login", json={"username": "clerk", "password": PASSWORD}
        ).json()["token"]
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


def registration_counter(client: httpx.Client) -> dict[str, Any]:
    counters: list[dict[str, Any]] = client.get("/api/v1/sites/bochum/counters").json()
    return next(c for c in counters if "residence-registration" in c["services"])


def open_display(browser: Browser, base: str) -> Page:
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(f"{base}/display/bochum")
    expect(page.locator("#connection")).to_have_text("", timeout=5000)  # stream is ready
    return page


def test_display_shows_a_call_within_a_second(
    server: str, browser: Browser, api: httpx.Client
) -> None:
    page = open_display(browser, server)
    client = api
    counter = registration_counter(client)
    client.post("/api/v1/sites/bochum/tickets", json={"service": "residence-registration"})
    started = time.monotonic()
    called = client.post(f"/api/v1/sites/bochum/counters/{counter['id']}/call-next").json()
    page.wait_for_function(
        "n => document.getElementById('current-number').textContent === n",
        arg=called["ticket"]["number"],
        timeout=5000,
    )
    elapsed = time.monotonic() - started
    assert elapsed < 1.0, f"the call took {elapsed:.2f} s to show"
    expect(page.locator("#current-counter")).to_have_text(counter["name"])
    expect(page.locator("#recent li")).to_have_count(1)
    check_accessibility(page)
    shoot(page, "display")


def test_desk_console_flow_and_the_visitors_ticket_page(
    server: str, browser: Browser, api: httpx.Client
) -> None:
    display = open_display(browser, server)
    desk = browser.new_page(viewport={"width": 1280, "height": 1000})
    desk.goto(f"{server}/en/desk")
    desk.fill("input[name=username]", "clerk")
    desk.fill("input[name=password]", "wrong password")
    desk.click("#login-form button")
    expect(desk.locator("#login-message")).to_have_text("Wrong username or password.")
    desk.fill("input[name=password]", PASSWORD)
    desk.click("#login-form button")
    expect(desk.locator("#console")).to_be_visible()
    expect(desk.locator("#live")).to_have_class("live on")
    check_accessibility(desk)

    desk.check("#walkin-services input[value=residence-registration]")
    desk.fill("#walkin-form input[name=name]", "Amira Haddad")
    desk.click("#walkin-form button[type=submit]")
    expect(desk.locator("#result-number")).to_have_text("A001")
    expect(desk.locator(".queue li")).to_contain_text("Amira Haddad")

    client = api
    queue = client.get("/api/v1/sites/bochum/queue").json()
    ticket = next(t for q in queue["queues"] for t in q["waiting"])
    visitor = browser.new_page(viewport={"width": 390, "height": 800})  # a phone
    visitor.goto(ticket["ticket_url"])
    expect(visitor.locator("#number")).to_have_text("A001")
    expect(visitor.locator("#ahead")).to_have_text("0")
    check_accessibility(visitor)
    shoot(visitor, "ticket")

    counter = registration_counter(client)
    desk.select_option("#counter", str(counter["id"]))
    desk.click("#call-next")
    expect(desk.locator("#serving")).to_contain_text("A001")
    expect(display.locator("#current-number")).to_have_text("A001")
    expect(visitor.locator("#status")).to_contain_text(counter["name"])
    shoot(desk, "desk")
    desk.click("#finish")
    expect(visitor.locator("#status")).to_contain_text("Done")
