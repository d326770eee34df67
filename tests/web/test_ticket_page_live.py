"""A visitor's ticket page in a real Chromium against a real server: in the ticket's
own language (Arabic, right-to-left), live to "almost your turn" and "your turn" when
the desk calls through the API, the day's itinerary, and leaving the queue."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.live_server import live_server
from tests.queue.test_live_events import PASSWORD, prepare
from tests.test_operations import wcr
from tests.web.conftest import check_accessibility, needs_chromium, shoot

pytestmark = [pytest.mark.slow, needs_chromium]

# Before the page's script (DevTools protocol, not subject to the CSP): what it asks
# the phone to vibrate.
VIBRATIONS = """
window.__vibrated = [];
navigator.vibrate = (pattern) => { window.__vibrated.push(JSON.stringify(pattern)); return true; };
"""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'ticket.sqlite3'}"
    assert wcr(url, "migrate").returncode == 0
    prepare(url)
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
def phone(browser: Browser) -> Iterator[BrowserContext]:
    """A phone whose browser asks for English: the ticket's language wins."""
    context = browser.new_context(
        viewport={"width": 360, "height": 760}, locale="en-GB", has_touch=True
    )
    context.add_init_script(VIBRATIONS)
    yield context
    context.close()


def counter_for(api: httpx.Client, service: str) -> dict[str, Any]:
    listed: list[dict[str, Any]] = api.get("/api/v1/sites/bochum/counters").json()
    return next(c for c in listed if service in c["services"])


def walk_in(api: httpx.Client, *services: str, **extra: object) -> dict[str, Any]:
    response = api.post("/api/v1/sites/bochum/tickets", json={"services": list(services), **extra})
    assert response.status_code == 201, response.text
    ticket: dict[str, Any] = response.json()["ticket"]
    return ticket


def call_next(api: httpx.Client, counter: dict[str, Any]) -> dict[str, Any]:
    response = api.post(f"/api/v1/sites/bochum/counters/{counter['id']}/call-next")
    assert response.status_code == 200, response.text
    ticket: dict[str, Any] = response.json()["ticket"]
    return ticket


def path_of(url: str) -> str:
    """The ticket link without its origin: /ticket/ID#TOKEN."""
    return "/" + url.split("/", 3)[3]


def open_ticket(context: BrowserContext, base: str, ticket: dict[str, Any]) -> Page:
    page = context.new_page()
    page.goto(base + path_of(ticket["ticket_url"]))
    expect(page.locator("#number")).to_have_text(ticket["number"])
    return page


def test_arabic_ticket_goes_live_to_your_turn(
    server: str, phone: BrowserContext, api: httpx.Client
) -> None:
    first, then = "residence-registration", "residence-permit"
    registration, permit = counter_for(api, first), counter_for(api, then)
    ahead = [walk_in(api, first) for _ in range(3)]
    mine = walk_in(api, first, then, language="ar", name="Amira Haddad")

    page = open_ticket(phone, server, mine)
    # The link has no language; the page moved on to the ticket's, keeping the token.
    assert page.url.startswith(f"{server}/ar/ticket/{mine['id']}#")
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "ar")
    expect(page.locator("#status")).to_have_text("يرجى الانتظار. سننادي رقمك.")
    expect(page.locator("#ahead")).to_have_text(str(len(ahead)))
    expect(page.locator("#site")).to_have_text("Welcome Office Bochum")
    assert page.locator("#time").text_content() in _berlin_now()
    expect(page.locator("#almost")).to_be_hidden()
    steps = page.locator("#itinerary .step")
    expect(steps).to_have_count(2)
    expect(steps.nth(0)).to_have_class("step now")
    expect(steps.nth(1)).to_have_class("step next")
    # The language links keep the token.
    assert page.locator("a.switch[lang=de]").get_attribute("href") == (
        f"/de/ticket/{mine['id']}#{mine['ticket_url'].split('#')[1]}"
    )
    check_accessibility(page)
    shoot(page, "ticket-ar-waiting")

    # One called: two ahead, "almost your turn" on the page (once).
    call_next(api, registration)
    expect(page.locator("#ahead")).to_have_text("2")
    expect(page.locator("#almost")).to_be_visible()
    expect(page.locator("#almost")).to_contain_text("اقترب دورك")
    check_accessibility(page)
    page.tap("#sound")  # the visitor's first tap turns the sound on
    expect(page.locator("#sound")).to_be_hidden()
    expect(page.locator("#sound-on")).to_be_visible()

    for _ in range(2):
        call_next(api, registration)
    called = call_next(api, registration)
    assert called["id"] == mine["id"]
    expect(page.locator("#turn")).to_be_visible()
    expect(page.locator("#turn-title")).to_contain_text("حان دورك!")
    expect(page.locator("#turn-counter")).to_have_text(registration["name"])
    expect(page.locator("body")).to_have_attribute("data-status", "called")
    expect(page).to_have_title(f"▶ {mine['number']} ← {registration['name']}")
    vibrated = page.evaluate("window.__vibrated")
    assert vibrated == ["200", "[400,150,400,150,400]"]  # almost, then the call
    check_accessibility(page)
    shoot(page, "ticket-ar-called")

    on_to_the_second_agency(page, api, mine, permit)


def on_to_the_second_agency(
    page: Page, api: httpx.Client, mine: dict[str, Any], permit: dict[str, Any]
) -> None:
    """Finished at the first agency: waiting for the second, the itinerary moves on."""
    steps = page.locator("#itinerary .step")
    assert api.post(f"/api/v1/tickets/{mine['id']}/finish").status_code == 200
    expect(page.locator("#turn")).to_be_hidden()
    expect(steps.nth(0)).to_have_class("step done")
    expect(steps.nth(1)).to_have_class("step now")
    expect(page.locator("#status")).to_contain_text("التالي")
    call_next(api, permit)
    expect(page.locator("#turn-counter")).to_have_text(permit["name"])
    assert page.evaluate("window.__vibrated.length") == 3  # the second call, once
    assert api.post(f"/api/v1/tickets/{mine['id']}/finish").status_code == 200
    expect(page.locator("#status")).to_have_text("تم – شكرًا لزيارتك.")
    check_accessibility(page)
    shoot(page, "ticket-ar-done")


def _berlin_now() -> set[str]:
    """Bochum's clock now and a minute ago (the page read it a moment before)."""
    moment = datetime.now(ZoneInfo("Europe/Berlin"))
    return {(moment - timedelta(minutes=m)).strftime("%H:%M") for m in (0, 1)}


def test_leaving_the_queue_asks_first(
    server: str, phone: BrowserContext, api: httpx.Client
) -> None:
    mine = walk_in(api, "residence-registration", language="de")
    page = open_ticket(phone, server, mine)
    assert page.url.startswith(f"{server}/de/ticket/")
    leave = page.locator("#leave")
    expect(leave).to_be_visible()
    leave.click()
    dialog = page.locator("#leave-dialog")
    expect(dialog).to_be_visible()
    check_accessibility(page)
    page.click("#leave-dialog button[value=stay]")  # changed her mind
    expect(dialog).to_be_hidden()
    expect(page.locator("#status")).to_have_text("Bitte warten Sie. Wir rufen Ihre Nummer auf.")
    leave.click()
    page.click("#leave-dialog button[value=leave]")
    expect(page.locator("#status")).to_have_text("Sie haben die Warteschlange verlassen.")
    expect(leave).to_be_hidden()
    queue = api.get("/api/v1/sites/bochum/queue").json()
    assert all(t["id"] != mine["id"] for q in queue["queues"] for t in q["waiting"])
    check_accessibility(page)
    shoot(page, "ticket-left")


def test_prefix_and_old_path_and_a_bad_token(
    server: str, browser: Browser, api: httpx.Client
) -> None:
    mine = walk_in(api, "residence-registration", language="uk")
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    # A prefix is the visitor's own choice: it stays.
    page = context.new_page()
    token = mine["ticket_url"].split("#")[1]
    page.goto(f"{server}/tr/ticket/{mine['id']}#{token}")
    expect(page.locator("#number")).to_have_text(mine["number"])
    assert page.url.startswith(f"{server}/tr/ticket/")
    expect(page.locator("#status")).to_have_text("Lütfen bekleyin. Numaranızı çağıracağız.")
    # The old path: the ticket's language (Ukrainian), not the browser's (French).
    page.goto(f"{server}/ticket/{mine['id']}#{token}")
    page.wait_for_url(f"{server}/uk/ticket/{mine['id']}#{token}")
    expect(page.locator("#number")).to_have_text(mine["number"])
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    check_accessibility(page)
    shoot(page, "ticket-uk-waiting")
    # A wrong token: the page says so, in the browser's language, and shows nothing.
    page.goto(f"{server}/ticket/{mine['id']}#wrong")
    expect(page.locator("#status")).to_have_text(
        "Ce lien est incomplet ou n'est plus valable. Veuillez vous adresser à l'accueil."
    )
    expect(page.locator("#number")).to_have_text("…")
    check_accessibility(page)
    context.close()
