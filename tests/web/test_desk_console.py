"""The front-desk console in a real headless Chromium against a real server, signed in
with a real staff account: live updates that keep the worker's choices, the result in
view at 1280×800, shortcuts, scanner input, park and back, a paused counter, the
printable slip with a QR code that decodes to the ticket page, and Arabic."""

from __future__ import annotations

import io
import re
import shutil
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.live_server import live_server
from tests.queue.test_live_events import PASSWORD, prepare
from tests.test_operations import wcr
from tests.web.conftest import check_accessibility, needs_chromium, shoot
from wcr.i18n import Language

pytestmark = [pytest.mark.slow, needs_chromium]

SITE = "bochum"
REGISTRATION = "residence-registration"
PERMIT = "residence-permit"
EMPLOYMENT = "employment-agency"
# The console counts window.print() instead of opening the print dialog.
COUNT_PRINTS = "window.print = function () { window.printed = (window.printed || 0) + 1; };"


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated database with the demo's sites, services and counters and the clerk
    of Bochum, copied for each test (migrating and seeding take a while)."""
    path = tmp_path_factory.mktemp("desk") / "prepared.sqlite3"
    url = f"sqlite:///{path}"
    assert wcr(url, "migrate").returncode == 0
    prepare(url)
    with sqlite3.connect(path) as connection:  # everything in the one file
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def database(prepared: Path, tmp_path: Path) -> str:
    path = tmp_path / "desk.sqlite3"
    shutil.copyfile(prepared, path)
    return f"sqlite:///{path}"


@pytest.fixture
def server(database: str) -> Iterator[str]:
    with live_server(database) as base:
        yield base


def login(client: httpx.Client, username: str = "clerk", password: str = PASSWORD) -> None:
    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    client.headers["Authorization"] = f"Bearer {response.json()['token']}"


@pytest.fixture
def api(server: str) -> Iterator[httpx.Client]:
    """The desk's API as another counter's worker (or a script) uses it."""
    with httpx.Client(base_url=server, timeout=10) as client:
        login(client)
        yield client


def counter_for(api: httpx.Client, service: str) -> dict[str, Any]:
    counters: list[dict[str, Any]] = api.get(f"/api/v1/sites/{SITE}/counters").json()
    return next(c for c in counters if service in c["services"])


def walk_in(api: httpx.Client, *services: str, **more: Any) -> dict[str, Any]:
    response = api.post(f"/api/v1/sites/{SITE}/tickets", json={"services": list(services), **more})
    assert response.status_code == 201, response.text
    ticket: dict[str, Any] = response.json()["ticket"]
    return ticket


def booking_now(database: str, base: str) -> str:
    """A booking at Bochum five minutes from now (the agency publishes the slot)."""
    made = wcr(database, "agency-key", "buergerbuero-bochum")
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip().splitlines()[-1]
    start = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=5)
    end = start + timedelta(minutes=20)
    with httpx.Client(base_url=base, timeout=10) as client:
        # The demo's own slots of that time make way (their bookings are cancelled).
        agency = {"Authorization": f"Bearer {key}"}
        days = {"from": (start - timedelta(days=1)).date().isoformat()}
        days["to"] = (end + timedelta(days=1)).date().isoformat()
        listed = client.get("/api/v1/agency/slots", params=days, headers=agency)
        assert listed.status_code == 200, listed.text
        for old in listed.json():
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
        booked = client.post(
            "/api/v1/bookings",
            json={
                "slot_id": slot.json()["slots"][0]["id"],
                "name": "Olena Kovalenko",
                "email": "olena@example.org",
                "language": "uk",
            },
        )
        assert booked.status_code == 201, booked.text
        reference: str = booked.json()["reference"]
        return reference


@pytest.fixture
def browser_context(browser: Browser, server: str) -> Iterator[BrowserContext]:
    """The test's pages, closed before the server stops (their event streams with them)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script(COUNT_PRINTS)
    yield context
    context.close()


def open_desk(
    context: BrowserContext, base: str, lang: str = "en", width: int = 1280, height: int = 800
) -> Page:
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{base}/{lang}/desk")
    page.wait_for_selector("#console:not([hidden]), #login:not([hidden])")
    if page.locator("#login").is_visible():  # the context's first desk signs in
        page.fill("input[name=username]", "clerk")
        page.fill("input[name=password]", PASSWORD)
        page.click("#login-form button")
    expect(page.locator("#console")).to_be_visible()
    expect(page.locator("#live")).to_have_class(re.compile(r"\bon\b"))
    return page


def choose_counter(page: Page, api: httpx.Client, service: str) -> dict[str, Any]:
    counter = counter_for(api, service)
    page.select_option("#counter", str(counter["id"]))
    return counter


def in_view(page: Page, selector: str) -> None:
    """The element lies wholly inside the viewport (no scrolling needed)."""
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    assert box is not None, selector
    assert size is not None
    assert box["x"] >= 0, (selector, box)
    assert box["y"] >= 0, (selector, box)
    assert box["x"] + box["width"] <= size["width"], (selector, box, size)
    assert box["y"] + box["height"] <= size["height"], (selector, box, size)


def text(lang: str, message: str) -> str:
    """A text as the catalogs translate it (what the page must show)."""
    return Language(lang).gettext(message)


# --- live updates keep what the worker chose -------------------------------------------


def kept(page: Page) -> None:
    """What the worker ticked, chose and typed in the live-update test is still there."""
    assert page.is_checked(f"#walkin-services input[value={PERMIT}]")
    assert page.is_checked(f"#walkin-services input[value={REGISTRATION}]")
    assert not page.is_checked(f"#walkin-services input[value={EMPLOYMENT}]")
    expect(page.locator("#transfer-to")).to_have_value(EMPLOYMENT)
    expect(page.locator("#walkin-form input[name=name]")).to_have_value("Yusuf Demir")
    expect(page.locator("#note")).to_have_value("brings the rental contract")
    # Ticked in that order: the permit first, then the registration.
    order = page.locator(f"#walkin-services label:has(input[value={PERMIT}]) .order")
    expect(order).to_have_text("1")


def test_a_live_event_keeps_ticked_services_transfer_target_and_typing(
    server: str, browser_context: BrowserContext, api: httpx.Client
) -> None:
    page = open_desk(browser_context, server)
    mine = choose_counter(page, api, REGISTRATION)
    walk_in(api, REGISTRATION, name="Amira Haddad")
    page.keyboard.press("F2")  # call next: Amira is at my counter
    expect(page.locator("#serving")).to_have_text("A001")

    page.check(f"#walkin-services input[value={PERMIT}]")
    page.check(f"#walkin-services input[value={REGISTRATION}]")
    page.fill("#walkin-form input[name=name]", "Yusuf Demir")
    page.select_option("#transfer-to", EMPLOYMENT)
    page.fill("#note", "brings the rental contract")

    # Meanwhile a ticket is issued and another counter calls it: two live events.
    other = counter_for(api, PERMIT)
    assert other["id"] != mine["id"]
    issued = walk_in(api, PERMIT)
    expect(page.locator(f"#queues li[data-ticket='{issued['id']}']")).to_have_count(1)
    kept(page)
    called = api.post(f"/api/v1/sites/{SITE}/counters/{other['id']}/call-next")
    assert called.status_code == 200, called.text
    expect(page.locator(f"#queues li[data-ticket='{issued['id']}']")).to_have_count(0)
    time.sleep(0.3)  # any late re-render too
    kept(page)
    check_accessibility(page)

    page.click("#transfer")  # goes where the worker chose, not to the first queue
    expect(page.locator("#message")).to_have_text("")
    expect(page.locator("#result-text")).to_have_text(
        "A001 transferred to Employment agency advice"
    )
    queue = api.get(f"/api/v1/sites/{SITE}/queue").json()
    employment = next(q for q in queue["queues"] if q["service"] == EMPLOYMENT)
    assert [t["number"] for t in employment["waiting"]] == ["A001"]

    page.click("#walkin-form button[type=submit]")
    expect(page.locator("#result-number")).to_have_text(re.compile(r"^B\d{3}$"))
    ticket = next(
        t
        for q in api.get(f"/api/v1/sites/{SITE}/queue").json()["queues"]
        for t in q["waiting"]
        if t["name"] == "Yusuf Demir"
    )
    assert ticket["next_services"] == [REGISTRATION]  # the order ticked


# --- the result in view, the scanner, the lines -----------------------------------------


def test_scanner_input_checks_in_and_the_number_is_in_view_at_1280x800(
    server: str, database: str, browser_context: BrowserContext, api: httpx.Client
) -> None:
    reference = booking_now(database, server)
    page = open_desk(browser_context, server)
    expect(page.locator("#scan")).to_be_focused()  # ready for the scanner
    for selector in ("#serving-panel h2", "#call-next", "#queue-panel h2#queue-title", "#scan"):
        in_view(page, selector)
    check_accessibility(page)
    shoot(page, "desk-start")

    # A scanner types the QR code's manage link like a keyboard, then Enter.
    page.keyboard.type(f"{server}/en/manage/{reference}#token-of-the-visitor\n")
    expect(page.locator("#result-number")).to_have_text("A001")
    expect(page.locator("#result-text")).to_contain_text("A001")
    expect(page.locator("#scan")).to_have_value("")
    expect(page.locator("#scan")).to_be_focused()  # ready for the next visitor
    in_view(page, "#result-number")
    in_view(page, "#queues li[data-ticket]")
    line = page.locator("#queues li[data-ticket]").first
    expect(line).to_contain_text("UK")  # the visitor's language, from the booking
    expect(line).to_contain_text(re.compile(r"booked \d\d:\d\d"))
    expect(line.get_by_role("button", name="Call A001")).to_be_visible()

    # A walk-in of two services: its line shows what comes next, its own language.
    page.check(f"#walkin-services input[value={REGISTRATION}]")
    page.check(f"#walkin-services input[value={EMPLOYMENT}]")
    page.select_option("#walkin-form select[name=language]", "ar")
    page.fill("#walkin-form input[name=phone]", "+49 151 23456789")
    page.click("#walkin-form button[type=submit]")
    expect(page.locator("#result-number")).to_have_text("A002")
    in_view(page, "#result-number")
    # The walk-in is ahead of the booking: it came before the booked time.
    second = page.locator("#queues li[data-ticket]", has_text="A002")
    expect(second).to_contain_text("AR")
    expect(second).to_contain_text("Employment agency advice")
    expect(second).to_contain_text(re.compile(r"waited \d+ min"))
    # Nothing ticked is left over for the next visitor; the scanner is ready again.
    assert not page.is_checked(f"#walkin-services input[value={REGISTRATION}]")
    check_accessibility(page)
    shoot(page, "desk-issued")

    # A bad mobile number: the field named in the desk's language, not the API's English.
    page.check(f"#walkin-services input[value={REGISTRATION}]")
    page.fill("#walkin-form input[name=phone]", "not a number")
    page.click("#walkin-form button[type=submit]")
    expect(page.locator("#message")).to_have_text(
        text("en", "Please check: {field}").replace("{field}", text("en", "Mobile number"))
    )
    expect(page.locator("#walkin-form input[name=phone]")).to_have_value("not a number")

    wrong = page.locator("#scan")
    wrong.focus()
    page.keyboard.type("NOSUCHREF\n")
    expect(page.locator("#message")).to_have_text(text("en", "No booking with this reference."))


# --- shortcuts, park and back, no-show with undo, note, a typed number ------------------


def test_shortcuts_a_note_and_park_and_back(
    server: str, browser_context: BrowserContext, api: httpx.Client
) -> None:
    page = open_desk(browser_context, server)
    choose_counter(page, api, REGISTRATION)
    first = walk_in(api, REGISTRATION, name="Amira Haddad")
    walk_in(api, REGISTRATION)
    expect(page.locator("#queues li[data-ticket]")).to_have_count(2)
    shortcuts = (("F2", "call-next"), ("F3", "recall"), ("F4", "finish"), ("F8", "no-show"))
    for key, button in (*shortcuts, ("F9", "park")):
        expect(page.locator(f"#{button}")).to_have_attribute("aria-keyshortcuts", key)
        expect(page.locator(f"#{button} kbd")).to_have_text(key)

    # Typing in a field is typing, not a shortcut.
    page.fill("#walkin-form input[name=name]", "x")
    page.focus("#walkin-form input[name=name]")
    page.keyboard.press("F2")
    time.sleep(0.3)
    expect(page.locator("#serving")).to_have_text("")

    page.focus("#scan")  # the empty scanner field is not typing
    page.keyboard.press("F2")
    expect(page.locator("#serving")).to_have_text(first["number"])
    expect(page.locator("#result-number")).to_have_text(first["number"])
    expect(page.locator("#timer")).to_have_text(re.compile(r"0:0\d"))
    page.keyboard.press("F3")
    expect(page.locator("#result-text")).to_have_text(f"{first['number']} called again")

    page.fill("#note", "gets a passport photo")
    page.click("#note-form button")
    expect(page.locator("#result-text")).to_contain_text(first["number"])

    page.keyboard.press("F9")  # park: fetching a document
    expect(page.locator("#parked li")).to_have_count(1)
    expect(page.locator("#parked li")).to_contain_text("gets a passport photo")
    expect(page.locator("#serving")).to_have_text("")
    check_accessibility(page)
    shoot(page, "desk-parked")
    page.get_by_role("button", name=f"Back to the line: {first['number']}").click()
    expect(page.locator("#parked li")).to_have_count(0)
    expect(page.locator(f"#queues li[data-ticket='{first['id']}']")).to_have_count(1)


def test_a_typed_number_finish_and_a_no_show_undone_within_the_minute(
    server: str, browser_context: BrowserContext, api: httpx.Client
) -> None:
    page = open_desk(browser_context, server)
    choose_counter(page, api, REGISTRATION)
    first = walk_in(api, REGISTRATION, name="Amira Haddad")
    second = walk_in(api, REGISTRATION)
    third = walk_in(api, REGISTRATION)
    expect(page.locator("#queues li[data-ticket]")).to_have_count(3)
    # Call a typed number out of order.
    page.fill("#call-number", third["number"].lower())
    page.keyboard.press("Enter")
    expect(page.locator("#serving")).to_have_text(third["number"])
    page.keyboard.press("F4")
    expect(page.locator("#result-text")).to_have_text(f"{third['number']} finished")
    expect(page.locator("#today-served")).to_have_text("1")

    page.keyboard.press("F2")
    expect(page.locator("#serving")).to_have_text(first["number"])
    page.keyboard.press("F8")  # no-show, at once, with an undo for a minute
    expect(page.locator("#result-text")).to_have_text(f"{first['number']} marked as not come")
    expect(page.locator("#undo")).to_be_visible()
    expect(page.locator("#today-no-shows")).to_have_text("1")
    check_accessibility(page)
    shoot(page, "desk-no-show")
    page.click("#undo")
    expect(page.locator("#undo")).to_be_hidden()
    expect(page.locator("#today-no-shows")).to_have_text("0")
    status = api.get(f"/api/v1/sites/{SITE}/queue").json()
    back = [t["id"] for q in status["queues"] for t in q["waiting"]]
    back += [t["id"] for t in status["called"]]
    assert first["id"] in back
    assert second["id"] in back


# --- counter state, translated refusals -------------------------------------------------


def test_a_paused_counter_refuses_call_next_with_a_translated_message(
    server: str, browser_context: BrowserContext, api: httpx.Client
) -> None:
    page = open_desk(browser_context, server, lang="de")
    choose_counter(page, api, REGISTRATION)
    walk_in(api, REGISTRATION)
    page.check("#counter-state input[value=paused]")
    expect(page.locator("#counter-closed")).to_have_text(
        text("de", "This counter is paused: call next is off.")
    )
    page.keyboard.press("F2")
    expect(page.locator("#message")).to_have_text(
        text("de", "This counter is not open. Open it first, then call.")
    )
    assert text("de", "This counter is not open. Open it first, then call.") != (
        "This counter is not open. Open it first, then call."
    )
    expect(page.locator("#serving")).to_have_text("")
    check_accessibility(page)
    shoot(page, "desk-paused")
    page.check("#counter-state input[value=open]")
    expect(page.locator("#counter-closed")).to_be_hidden()
    page.keyboard.press("F2")
    expect(page.locator("#serving")).to_have_text("A001")


# --- the printable slip -------------------------------------------------------------------


def decode_qr(page: Page, selector: str) -> list[str]:
    """What a phone's camera reads: the QR code as rendered, decoded by zxing-cpp."""
    png = page.locator(selector).screenshot()
    return [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_the_slip_prints_on_walk_in_and_its_qr_code_opens_the_ticket_page(
    server: str, browser_context: BrowserContext, api: httpx.Client
) -> None:
    page = open_desk(browser_context, server)
    page.check("#auto-print")
    page.check(f"#walkin-services input[value={REGISTRATION}]")
    page.check(f"#walkin-services input[value={EMPLOYMENT}]")
    page.select_option("#walkin-form select[name=language]", "ar")
    page.click("#walkin-form button[type=submit]")
    expect(page.locator("#result-number")).to_have_text("A001")
    page.wait_for_function("() => window.printed === 1")
    slip = page.locator("#print-area .slip")
    expect(slip).to_have_attribute("dir", "rtl")  # in the visitor's language
    expect(slip.locator(".slip-number")).to_have_text("A001")
    ticket = api.get(f"/api/v1/sites/{SITE}/queue").json()["queues"][0]["waiting"][0]
    # What the printer gets: the slip alone, 80 mm wide.
    page.emulate_media(media="print")
    expect(page.locator("#console")).to_be_hidden()
    expect(slip).to_be_visible()
    assert decode_qr(page, "#print-area .slip-qr svg") == [ticket["ticket_url"]]
    page.emulate_media(media="screen")

    # Reprint from the counter: the serving ticket's slip, in the same context.
    choose_counter(page, api, REGISTRATION)
    page.keyboard.press("F2")
    expect(page.locator("#serving")).to_have_text("A001")
    page.click("#reprint")
    page.wait_for_function("() => window.printed === 2")

    # The slip page itself (what "Print slip" prints), signed in by the session cookie.
    slip_page = page.context.new_page()
    response = slip_page.goto(f"{server}/en/ticket/{ticket['id']}/slip")
    assert response is not None
    assert response.status == 200
    assert response.headers["cache-control"] == "no-store"
    expect(slip_page.locator(".slip-number")).to_have_text("A001")
    expect(slip_page.locator(".slip-site")).to_have_text("Welcome Office Bochum")
    expect(slip_page.locator(".slip-queue")).to_have_text("Residence registration")
    expect(slip_page.locator(".slip-then")).to_contain_text("Employment agency advice")
    url = decode_qr(slip_page, ".slip-qr svg")
    assert url == [ticket["ticket_url"]]
    assert "#" in url[0]  # the token in the fragment,
    assert "?" not in url[0]  # never in a query string
    check_accessibility(slip_page)
    shoot(slip_page, "slip")
    pdf = slip_page.pdf(prefer_css_page_size=True)
    width = float(re.search(rb"/MediaBox \[0 0 ([\d.]+) ", pdf).group(1))  # type: ignore[union-attr]
    assert abs(width - 80 / 25.4 * 72) < 1.5, width  # 80 mm in points
    arabic = page.context.new_page()
    arabic.goto(f"{server}/ticket/{ticket['id']}/slip")  # the visitor's language
    expect(arabic.locator("html")).to_have_attribute("dir", "rtl")
    shoot(arabic, "slip-ar")

    # The visitor follows the QR code to a live ticket page.
    visitor = browser_context.new_page()
    visitor.set_viewport_size({"width": 390, "height": 800})
    visitor.goto(url[0])
    expect(visitor.locator("#number")).to_have_text("A001")


def test_the_slip_page_is_for_the_tickets_own_desk_only(
    server: str, database: str, api: httpx.Client
) -> None:
    ticket = walk_in(api, REGISTRATION)
    path = f"/ticket/{ticket['id']}/slip"
    with httpx.Client(base_url=server, timeout=10) as anonymous:
        nobody = anonymous.get(path)
        assert nobody.status_code == 401
        assert ticket["ticket_url"].split("#")[1] not in nobody.text
    made = wcr(
        database,
        "staff-add",
        "neuss-clerk",
        "--site",
        "wcr-neuss",
        "--role",
        "frontdesk",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert made.returncode == 0, made.stderr
    with httpx.Client(base_url=server, timeout=10) as other:
        login(other, "neuss-clerk")
        elsewhere = other.get(path)
        assert elsewhere.status_code == 403
        assert ticket["ticket_url"].split("#")[1] not in elsewhere.text
    mine = api.get(path)
    assert mine.status_code == 200
    assert ticket["number"] in mine.text
    assert api.get("/ticket/999999/slip").status_code == 404
    assert api.get("/ticket/0/slip").status_code in {400, 404}
    assert api.get(f"/xx/ticket/{ticket['id']}/slip").status_code == 404
    assert api.get(f"/ar/ticket/{ticket['id']}/slip").status_code == 200


# --- Arabic, right to left, and the phone width ---------------------------------------------


def test_the_desk_in_arabic_is_right_to_left_and_translated(
    server: str, browser_context: BrowserContext, api: httpx.Client
) -> None:
    page = open_desk(browser_context, server, lang="ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#call-next")).to_contain_text(text("ar", "Call next"))
    choose_counter(page, api, REGISTRATION)
    walk_in(api, REGISTRATION, name="Amira Haddad", language="ar")
    expect(page.locator("#queues li[data-ticket]")).to_have_count(1)
    expect(page.locator("#queues li button")).to_have_attribute(
        "aria-label", text("ar", "Call {number}").replace("{number}", "A001")
    )
    page.keyboard.press("F2")
    expect(page.locator("#serving")).to_have_text("A001")
    check_accessibility(page)
    shoot(page, "desk-ar")
    phone = open_desk(browser_context, server, lang="en", width=360, height=740)
    check_accessibility(phone)
    shoot(phone, "desk-phone")
