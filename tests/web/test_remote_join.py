"""Joining a walk-in line from one's phone, in a real Chromium against a real server
with the ALTCHA proof of work on (the page's invisible widget solves it): from the site
page's link in Arabic at 360 px to the live Arabic ticket page; the same phone again is
told, in Arabic, that it has a ticket already; a booked visitor checks in from the
manage page and lands on the ticket page."""

import json
import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import altcha
import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.live_server import live_server
from tests.queue.test_live_events import PASSWORD, prepare
from tests.test_operations import wcr
from tests.web.conftest import check_accessibility, needs_chromium, shoot
from wcr.i18n import Language


def near_midnight() -> bool:
    """Whether the test's booking (5-25 minutes after its start) and its check-in can
    fall on two local days: the suite may reach the module up to 25 minutes after it
    was collected. The tests of tests/queue run on a simulated day instead
    (tests/day_clock.py); these drive a real server in another process and the CLI,
    which read the machine's clock."""
    local = datetime.now(UTC).astimezone(ZoneInfo("Europe/Berlin"))
    return local.date() != (local + timedelta(minutes=40)).date()


pytestmark = [
    pytest.mark.slow,
    needs_chromium,
    pytest.mark.skipif(
        near_midnight(), reason="a real server: the booking and the check-in on one local day"
    ),
]

SITE = "bochum"
REGISTRATION = "residence-registration"
# The demo's hours are 08:00-16:00 on weekdays; the test must not depend on the hour.
ALWAYS_OPEN = {str(day): [["00:00", "23:59"]] for day in range(1, 8)}
PHONE = "0171 2345678"


@pytest.fixture
def database(tmp_path: Path) -> str:
    path = tmp_path / "join.sqlite3"
    url = f"sqlite:///{path}"
    assert wcr(url, "migrate").returncode == 0
    prepare(url)
    switched = wcr(url, "site-remote-queue", SITE, "on")
    assert switched.returncode == 0, switched.stderr
    with sqlite3.connect(path) as connection:
        connection.execute(
            "UPDATE site SET opening_hours = ? WHERE slug = ?", (json.dumps(ALWAYS_OPEN), SITE)
        )
    return url


@pytest.fixture
def server(database: str) -> Iterator[str]:
    with live_server(database, WCR_CHALLENGE="on", WCR_CHALLENGE_MAX_NUMBER="5000") as base:
        yield base


@pytest.fixture
def phone(browser: Browser, server: str) -> Iterator[BrowserContext]:
    """An Arabic-speaking visitor's phone."""
    context = browser.new_context(
        viewport={"width": 360, "height": 760}, locale="ar", has_touch=True
    )
    yield context
    context.close()


def join_page(context: BrowserContext, base: str) -> Page:
    """From the site page's link (shown because Bochum allows it and is open)."""
    page = context.new_page()
    page.goto(f"{base}/ar/sites/{SITE}")
    link = page.locator("#remote-join a")
    expect(link).to_be_visible()
    link.click()
    expect(page).to_have_url(f"{base}/ar/sites/{SITE}/join")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    return page


def fill(page: Page, *services: str, name: str = "أميرة حداد") -> None:
    for service in services:
        page.check(f"input[name=services][value={service}]")
    page.fill("#name", name)
    page.fill("#phone", PHONE)


def test_joining_in_arabic_lands_on_the_live_arabic_ticket(
    server: str, phone: BrowserContext
) -> None:
    arabic = Language("ar")
    page = phone.new_page()
    page.goto(f"{server}/ar/sites/{SITE}")
    expect(page.locator("#remote-join a")).to_be_visible()
    check_accessibility(page)
    shoot(page, "join-site-link-ar")
    page.close()
    page = join_page(phone, server)
    check_accessibility(page)
    # Nothing chosen: the page says so next to the fields, in Arabic.
    page.click("#join-button")
    expect(page.locator("#services-error")).to_have_text(
        arabic.gettext("Please choose at least one service.")
    )
    expect(page.locator("#phone-error")).to_have_text(
        arabic.gettext("Please give a mobile number or an e-mail address.")
    )
    check_accessibility(page)
    shoot(page, "join-ar-errors")
    fill(page, REGISTRATION, "residence-permit")
    # Two services: their order is shown.
    expect(page.locator("label:has(input[value=residence-permit]) .order")).to_have_text("2")
    shoot(page, "join-ar")
    page.click("#join-button")
    page.wait_for_url(re.compile(rf"{re.escape(server)}/ar/ticket/\d+#.+"))
    expect(page.locator("#number")).to_have_text(re.compile(r"^[A-Z]\d{3}$"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#status")).to_have_text(
        arabic.gettext("Please wait. We will call your number.")
    )
    expect(page.locator("#itinerary .step")).to_have_count(2)
    expect(page.locator("#leave")).to_be_visible()
    number = page.locator("#number").text_content()

    # The desk calls the number: the page goes live to "your turn".
    with httpx.Client(base_url=server, timeout=10) as api:
        token = api.post(
            "/api/v1/auth/login", json={"username": "clerk", "password": PASSWORD}
        ).json()["token"]
        api.headers["Authorization"] = f"Bearer {token}"
        counters = api.get(f"/api/v1/sites/{SITE}/counters").json()
        counter = next(c for c in counters if REGISTRATION in c["services"])
        called = api.post(f"/api/v1/sites/{SITE}/counters/{counter['id']}/call-next")
        assert called.status_code == 200, called.text
        assert called.json()["ticket"]["number"] == number
        assert called.json()["ticket"]["remote"] is True
    expect(page.locator("#turn")).to_be_visible()
    expect(page.locator("#turn-counter")).to_have_text(counter["name"])

    # The same phone again: "you already have a ticket", next to the phone field.
    again = join_page(phone, server)
    fill(again, REGISTRATION)
    again.click("#join-button")
    expect(again.locator("#phone-error")).to_have_text(
        arabic.gettext(
            "You already have a ticket at this office today. Please use the link you got"
            " with it, or leave that queue first."
        )
    )
    expect(again.locator("#phone")).to_have_attribute("aria-invalid", "true")
    assert "/join" in again.url
    check_accessibility(again)
    shoot(again, "join-ar-exists")


def test_an_english_visitor_sees_the_form_and_a_closed_site_says_so(
    server: str, database: str, browser: Browser
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    try:
        page = context.new_page()
        page.goto(f"{server}/sites/{SITE}/join")  # no prefix: the browser's language
        expect(page.locator("h1")).to_have_text("Join the walk-in queue")
        check_accessibility(page)
        shoot(page, "join-en")
        assert wcr(database, "site-remote-queue", SITE, "off").returncode == 0
        page.goto(f"{server}/en/sites/{SITE}/join")
        expect(page.locator("#join-unavailable")).to_contain_text("does not take check-ins")
        expect(page.locator("#join-form")).to_have_count(0)
        check_accessibility(page)
        shoot(page, "join-en-off")
    finally:
        context.close()
    # A fresh browser (no cached status): the site page keeps the link hidden.
    fresh = browser.new_context(viewport={"width": 360, "height": 760}, locale="en-GB")
    try:
        site = fresh.new_page()
        site.goto(f"{server}/en/sites/{SITE}")
        site.wait_for_load_state("networkidle")
        expect(site.locator("#remote-join")).to_be_hidden()
    finally:
        fresh.close()


def booking_soon(database: str, base: str) -> str:
    """A booking at Bochum five minutes from now; its manage link's path (with token)."""
    made = wcr(database, "agency-key", "buergerbuero-bochum")
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip().splitlines()[-1]
    start = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=5)
    end = start + timedelta(minutes=20)
    with httpx.Client(base_url=base, timeout=30) as client:
        agency = {"Authorization": f"Bearer {key}"}
        days = {"from": (start - timedelta(days=1)).date().isoformat()}
        days["to"] = (end + timedelta(days=1)).date().isoformat()
        for old in client.get("/api/v1/agency/slots", params=days, headers=agency).json():
            starts, ends = datetime.fromisoformat(old["start"]), datetime.fromisoformat(old["end"])
            if old["service"] == REGISTRATION and starts < end and ends > start:
                gone = client.delete(
                    f"/api/v1/agency/slots/{old['id']}", params={"force": "true"}, headers=agency
                )
                assert gone.status_code == 204, gone.text
        slot = client.post(
            "/api/v1/agency/slots",
            headers=agency,
            json={
                "site": SITE,
                "service": REGISTRATION,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "capacity": 1,
            },
        )
        assert slot.status_code == 201, slot.text
        challenge = altcha.Challenge.from_dict(client.get("/api/v1/challenge").json())
        solution = altcha.solve_challenge(challenge, timeout=30)
        assert solution is not None
        booked = client.post(
            "/api/v1/bookings",
            json={
                "slot_id": slot.json()["slots"][0]["id"],
                "name": "Olena Kovalenko",
                "email": "olena@example.org",
                "language": "uk",
                "altcha": altcha.Payload(challenge, solution).to_base64(),
            },
        )
        assert booked.status_code == 201, booked.text
        manage_url: str = booked.json()["manage_url"]
        return "/" + manage_url.split("/", 3)[3]


def test_a_booked_visitor_checks_in_from_the_manage_page(
    server: str, database: str, browser: Browser
) -> None:
    manage = booking_soon(database, server)
    context = browser.new_context(viewport={"width": 360, "height": 760}, locale="uk")
    try:
        page = context.new_page()
        page.goto(server + manage)
        button = page.locator("#check-in")
        expect(button).to_be_visible()
        expect(button).to_have_text(Language("uk").gettext("I am here: check in"))
        check_accessibility(page)
        shoot(page, "join-manage-uk")
        button.click()
        page.wait_for_url(re.compile(rf"{re.escape(server)}/uk/ticket/\d+#.+"))
        expect(page.locator("#number")).to_have_text(re.compile(r"^[A-Z]\d{3}$"))
        expect(page.locator("html")).to_have_attribute("lang", "uk")
        # Back on the manage page: checking in again is refused, in the visitor's words.
        page.goto(server + manage)
        page.locator("#check-in").click()
        expect(page.locator("#status")).to_have_text(
            Language("uk").gettext(
                "You are checked in already. Please use your ticket page, or ask at the front desk."
            )
        )
    finally:
        context.close()
