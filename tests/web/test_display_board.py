"""The call display in a real Chromium against a real server: four calls at once, each
number once, no-shows off, the waits per queue, the site's clock while the TV runs in
UTC, the spoken announcement once the sound is on, and the six languages."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.live_server import live_server
from tests.queue.test_live_events import PASSWORD, prepare
from tests.test_operations import wcr
from tests.web.conftest import SHOTS, check_accessibility, needs_chromium, shoot

pytestmark = [pytest.mark.slow, needs_chromium]

# Runs before the page's script (through the DevTools protocol, not subject to the CSP):
# what the display hands to the browser's speech synthesis.
SPOKEN = """
window.__spoken = [];
if (window.speechSynthesis) {
  window.speechSynthesis.speak = (u) => window.__spoken.push(u.lang + "|" + u.text);
}
"""
BOCHUM = ZoneInfo("Europe/Berlin")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'board.sqlite3'}"
    assert wcr(url, "migrate").returncode == 0
    prepare(url)  # the demo (Bochum: five counters, one service each) and a clerk
    with live_server(url) as base:
        yield base


@pytest.fixture
def api(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=10) as client:
        token = client.post(
            "/api/v1/auth/login", json={"username": "clerk", "password": PASSWORD}
        ).json()["token"]
        client.headers["Authorization"] = f"Bearer {token}"
        yield client


@pytest.fixture
def tv(browser: Browser) -> Iterator[BrowserContext]:
    """A TV whose own clock runs in UTC, in a German browser."""
    context = browser.new_context(
        viewport={"width": 1920, "height": 1080}, timezone_id="UTC", locale="de-DE"
    )
    context.add_init_script(SPOKEN)
    yield context
    context.close()


def counters(api: httpx.Client) -> dict[str, dict[str, Any]]:
    """Bochum's counters by the service each serves."""
    listed: list[dict[str, Any]] = api.get("/api/v1/sites/bochum/counters").json()
    return {c["services"][0]: c for c in listed}


def walk_in(api: httpx.Client, service: str) -> dict[str, Any]:
    response = api.post("/api/v1/sites/bochum/tickets", json={"service": service})
    assert response.status_code == 201, response.text
    ticket: dict[str, Any] = response.json()["ticket"]
    return ticket


def call_next(api: httpx.Client, counter: dict[str, Any]) -> dict[str, Any]:
    response = api.post(f"/api/v1/sites/bochum/counters/{counter['id']}/call-next")
    assert response.status_code == 200, response.text
    ticket: dict[str, Any] = response.json()["ticket"]
    return ticket


def open_board(context: BrowserContext, base: str, path: str = "/display/bochum") -> Page:
    page = context.new_page()
    page.goto(f"{base}{path}")
    expect(page.locator("#connection")).to_have_text("", timeout=5000)  # the stream is ready
    return page


def board(page: Page) -> list[tuple[str, str]]:
    """The calls shown, top first: (number, counter)."""
    rows: list[list[str]] = page.evaluate(
        "() => [...document.querySelectorAll('#recent .call')].map(li =>"
        " [li.querySelector('.number').textContent, li.querySelector('.counter').textContent])"
    )
    return [(number, counter) for number, counter in rows]


def wide_shot(page: Page, name: str) -> None:
    """The TV itself: 1920×1080, besides shoot's 1280 and 360."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.screenshot(path=str(SHOTS / f"{name}-1920.png"))


def test_four_calls_at_once_each_number_once_and_no_shows_off(
    server: str, tv: BrowserContext, api: httpx.Client
) -> None:
    page = open_board(tv, server)
    expect(page.locator("#no-calls")).to_be_visible()
    check_accessibility(page)
    by_service = counters(api)
    services = list(by_service)  # five queues, five counters
    for service in services:
        walk_in(api, service)
    walk_in(api, services[4])  # a second one waits for the fifth counter
    # The waiting counts are on the board, as the desk's queue says.
    queue = api.get("/api/v1/sites/bochum/queue").json()
    for line in queue["queues"]:
        expect(page.locator(f"#queues li[data-service='{line['service']}'] .waiting")).to_have_text(
            str(len(line["waiting"])), timeout=5000
        )

    called = [call_next(api, by_service[s]) for s in services[:4]]
    expected = [(t["number"], t["counter"]) for t in reversed(called)]
    page.wait_for_function("() => document.querySelectorAll('#recent .call').length === 4")
    assert board(page) == expected
    expect(page.locator("#no-calls")).to_be_hidden()
    # The waits follow: four fewer waiting.
    for service in services[:4]:
        expect(page.locator(f"#queues li[data-service='{service}'] .waiting")).to_have_text(
            "0", timeout=5000
        )
    check_accessibility(page)
    shoot(page, "display-four-calls")
    wide_shot(page, "display-four-calls")

    # A recall moves the number to the top; it is not shown twice.
    first = called[0]
    assert api.post(f"/api/v1/tickets/{first['id']}/recall").status_code == 200
    page.wait_for_function(
        "n => document.querySelector('#recent .call .number').textContent === n",
        arg=first["number"],
    )
    shown = board(page)
    assert len(shown) == 4
    assert [n for n, _ in shown] == [first["number"]] + [t["number"] for t in reversed(called[1:])]

    # A fifth call pushes the oldest call off; four remain, each once.
    fifth = call_next(api, by_service[services[4]])
    page.wait_for_function(
        "n => document.querySelector('#recent .call .number').textContent === n",
        arg=fifth["number"],
    )
    numbers = [n for n, _ in board(page)]
    assert numbers == [fifth["number"], first["number"], called[3]["number"], called[2]["number"]]

    # A no-show leaves the board at once; the call before comes back into its place.
    assert api.post(f"/api/v1/tickets/{first['id']}/no-show").status_code == 200
    page.wait_for_function(
        "n => ![...document.querySelectorAll('#recent .number')].some(e => e.textContent === n)",
        arg=first["number"],
    )
    numbers = [n for n, _ in board(page)]
    assert numbers == [fifth["number"]] + [t["number"] for t in reversed(called[1:])]

    # A display that comes later (or reloads) shows the same calls, each once.
    again = open_board(tv, server)
    again.wait_for_function("() => document.querySelectorAll('#recent .call').length === 4")
    assert [n for n, _ in board(again)] == numbers
    check_accessibility(again)


def test_the_clock_runs_in_the_sites_zone_not_the_tvs(server: str, tv: BrowserContext) -> None:
    page = open_board(tv, server)
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "UTC"
    expect(page.locator("#clock")).not_to_be_empty()
    shown = page.locator("#clock").text_content()
    moment = datetime.now(UTC)
    berlin = {(moment - timedelta(minutes=m)).astimezone(BOCHUM).strftime("%H:%M") for m in (0, 1)}
    utc = {(moment - timedelta(minutes=m)).strftime("%H:%M") for m in (0, 1)}
    assert shown in berlin, (shown, berlin)
    assert shown not in utc  # Berlin is never at UTC's time


def test_sound_is_turned_on_once_and_a_call_is_spoken_in_german_and_english(
    server: str, tv: BrowserContext, api: httpx.Client
) -> None:
    page = open_board(tv, server)
    by_service = counters(api)
    service = next(iter(by_service))
    walk_in(api, service)
    first = call_next(api, by_service[service])
    page.wait_for_function(
        "n => document.querySelector('#recent .call .number')?.textContent === n",
        arg=first["number"],
    )
    assert page.evaluate("window.__spoken") == []  # no sound before anyone touched it
    expect(page.locator("#sound")).to_be_visible()
    page.click("#sound")
    expect(page.locator("#sound")).to_be_hidden()

    walk_in(api, service)
    second = call_next(api, by_service[service])
    page.wait_for_function("() => window.__spoken.length === 2")
    letter, digits = second["number"][0], str(int(second["number"][1:]))
    counter = by_service[service]["name"]  # "Schalter 1"
    english = counter.replace("Schalter", "Counter")
    assert page.evaluate("window.__spoken") == [
        f"de-DE|Nummer {letter} {digits}, bitte zu {counter}.",
        f"en-GB|Number {letter} {digits}, please go to {english}.",
    ]
    # A reload remembers the choice (a kiosk that lets pages play sound needs no touch).
    assert page.evaluate("localStorage.getItem('wcr.display.sound')") == "on"


def test_languages_prefix_header_and_the_rotation(
    server: str, browser: Browser, api: httpx.Client
) -> None:
    # A prefix chooses the page's language; Arabic is right-to-left.
    context = browser.new_context(viewport={"width": 1280, "height": 720}, timezone_id="UTC")
    page = open_board(context, server, "/ar/display/bochum")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "ar")
    expect(html).to_have_attribute("dir", "rtl")
    expect(page.locator("#calls-title")).to_have_text("النداء الآن")
    by_service = counters(api)
    service = next(iter(by_service))
    walk_in(api, service)
    called = call_next(api, by_service[service])
    expect(page.locator("#current-number")).to_have_text(called["number"])
    expect(page.locator("#current-counter")).to_have_text(called["counter"])  # as on the sign
    # Under it the direction turns through the other five languages.
    direction = page.locator("#recent .call .direction").first
    seen: set[str] = set()
    for _ in range(5):
        seen.add(str(direction.get_attribute("lang")))
        page.wait_for_timeout(4100)
    assert {"de", "en", "fr", "tr", "uk"} <= seen | {str(direction.get_attribute("lang"))}
    check_accessibility(page)
    shoot(page, "display-ar")
    wide_shot(page, "display-ar")
    context.close()

    # Without a prefix: the browser's Accept-Language; the old path works.
    french = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 720})
    page = open_board(french, server)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("#calls-title")).to_have_text("Appel en cours")
    french.close()


def test_paused_and_closed_counters_are_shown_and_leave_when_open(
    server: str, tv: BrowserContext, api: httpx.Client
) -> None:
    page = open_board(tv, server)
    by_service = counters(api)
    fifth, fourth = list(by_service.values())[4], list(by_service.values())[3]
    expect(page.locator("#counters li")).to_have_count(0)  # all open: nothing to say
    paused = api.post(
        f"/api/v1/sites/bochum/counters/{fifth['id']}/state", json={"state": "paused"}
    )
    assert paused.status_code == 200, paused.text
    closed = api.post(
        f"/api/v1/sites/bochum/counters/{fourth['id']}/state", json={"state": "closed"}
    )
    assert closed.status_code == 200, closed.text
    chip = page.locator(f"#counters li[data-counter='{fifth['id']}']")
    expect(chip).to_have_class("counter-state paused")
    expect(chip.locator(".counter-name")).to_have_text(fifth["name"])
    expect(page.locator(f"#counters li[data-counter='{fourth['id']}']")).to_have_class(
        "counter-state closed"
    )
    # In the page's language first (German), then the five others in turn.
    page.wait_for_function(
        "() => document.querySelector('#counters .paused .counter-what').lang === 'de'"
    )
    expect(chip.locator(".counter-what")).to_have_text("‖ Pause")
    check_accessibility(page)
    wide_shot(page, "display-counter-paused")
    # A reload shows the same states (they are part of the page's data).
    again = open_board(tv, server)
    expect(again.locator("#counters li")).to_have_count(2)
    again.close()
    # Open again: off the board.
    opened = api.post(f"/api/v1/sites/bochum/counters/{fifth['id']}/state", json={"state": "open"})
    assert opened.status_code == 200, opened.text
    expect(page.locator("#counters li")).to_have_count(1)
