"""The Content-Security-Policy in a real Chromium: every page works under it (its
scripts run, nothing is refused), and an inline script is refused."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.live_server import live_server
from tests.queue.test_live_events import PASSWORD, prepare
from tests.test_operations import wcr
from tests.web.conftest import needs_chromium

pytestmark = [pytest.mark.slow, needs_chromium]

# Runs before any page script, through the DevTools protocol (not subject to the policy).
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__violations.push(e.effectiveDirective + " " + e.blockedURI));
"""
SOLVED = "() => !!document.querySelector('form input[name=altcha]')?.value"


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('csp') / 'csp.sqlite3'}"
    assert wcr(url, "migrate").returncode == 0
    prepare(url)  # the demo and a front-desk clerk of Bochum
    return url


@pytest.fixture(scope="module")
def server(database: str) -> Iterator[str]:
    # With the challenge on: its widget (module scripts, a Web Worker) runs under the policy.
    with live_server(database, WCR_CHALLENGE="on") as base:
        yield base


def watched(browser: Browser, messages: list[str]) -> Page:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.add_init_script(WATCH)
    page.on("console", lambda m: messages.append(m.text) if m.type == "error" else None)
    return page


def violations(page: Page) -> list[str]:
    found: list[str] = page.evaluate("window.__violations")
    return found


def test_the_visitor_pages_run_under_the_policy(server: str, browser: Browser) -> None:
    errors: list[str] = []
    page = watched(browser, errors)
    page.goto(f"{server}/en/")
    page.locator("a.choice", has_text="Bochum").click()
    page.locator("label.check", has=page.locator("input[value=residence-registration]")).click()
    page.locator("form button.primary").click()
    page.locator("label.slot").first.click()
    page.locator("#continue").click()  # the details step carries the challenge
    page.wait_for_function(SOLVED)  # altcha.min.js, challenge.js and the worker ran
    page.fill("#name", "Amira Haddad")
    page.locator("#book").click()  # no contact: the form comes back
    expect(page.locator("#errors")).to_be_focused()  # times.js ran
    page.wait_for_function(SOLVED)
    page.fill("#email", "amira@example.org")
    page.locator("#book").click()
    expect(page.locator("#reference")).to_have_count(1)
    assert violations(page) == []
    page.locator("#manage").click()
    expect(page.locator("#appointments li.stop")).to_have_count(1)  # manage.js read the page data
    assert violations(page) == []
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_the_staff_and_public_screens_run_under_the_policy(server: str, browser: Browser) -> None:
    errors: list[str] = []
    desk = watched(browser, errors)
    desk.goto(f"{server}/desk")
    desk.fill("input[name=username]", "clerk")
    desk.fill("input[name=password]", PASSWORD)
    desk.click("#login-form button")
    expect(desk.locator("#live")).to_have_class("live on")  # desk.js, its stream
    desk.check("#walkin-services input[value=residence-registration]")
    # A write with the session cookie: JSON, same origin; the number issued shows.
    desk.click("#walkin-form button[type=submit]")
    expect(desk.locator("#result-number")).to_have_text(re.compile(r"^[A-Z]\d{3}$"))
    expect(desk.locator("#message")).to_be_empty()
    assert violations(desk) == []

    display = watched(browser, errors)
    display.goto(f"{server}/display/bochum")
    expect(display.locator("#connection")).to_have_text("", timeout=5000)  # display.js
    assert violations(display) == []

    agency = watched(browser, errors)
    agency.goto(f"{server}/agency")
    agency.fill("#key", "wcr_ak_wrong")
    agency.locator("#signin-form button").click()
    expect(agency.locator("#message")).not_to_be_empty()  # agency.js read its page data
    assert violations(agency) == []

    ticket = watched(browser, errors)
    ticket.goto(f"{server}/ticket/999999#not-a-token")
    expect(ticket.locator("#status")).to_contain_text("no longer valid")  # ticket.js ran
    assert violations(ticket) == []
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_an_inline_script_is_refused(server: str, browser: Browser) -> None:
    page = watched(browser, [])
    page.goto(f"{server}/en/")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__ran = true'; document.body.append(s); }"
    )
    page.wait_for_function("() => window.__violations.length > 0")
    assert page.evaluate("window.__ran") is None
    assert violations(page) == ["script-src-elem inline"]
