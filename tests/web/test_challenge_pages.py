"""The proof of work on the real pages in Chromium, with WCR_CHALLENGE on: the booking
form and the manage page solve it by themselves (the visitor does nothing extra), each
solution is spent on the server, and without JavaScript the form says what it needs."""

import re
import sqlite3
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.databases import demo_sqlite
from tests.live_server import live_server
from tests.web.conftest import check_accessibility, needs_chromium, shoot
from wcr.database import sqlite_path

pytestmark = [pytest.mark.slow, needs_chromium]

TIMES = "/{lang}/sites/bochum/times?services=residence-registration"
SOLVED = "() => !!document.querySelector('form input[name=altcha]')?.value"


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_sqlite(tmp_path_factory.mktemp("challenge") / "pages.sqlite3")


@pytest.fixture(scope="module")
def server(database: str) -> Iterator[str]:
    with live_server(database, WCR_CHALLENGE="on") as base:
        yield base


def spent(database: str) -> int:
    """Solutions the server has accepted (and will never accept again)."""
    with sqlite3.connect(sqlite_path(database)) as db:
        (count,) = db.execute("SELECT count(*) FROM spent_challenge").fetchone()
    return int(count)


def fill(page: Page, base: str, lang: str, email: str) -> None:
    page.goto(base + TIMES.format(lang=lang))
    page.locator("label.slot").first.click()
    page.locator("#continue").click()  # the details step
    page.fill("#name", "Amira Haddad")
    page.fill("#email", email)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_booking_form_solves_the_challenge_by_itself(
    server: str, database: str, browser: Browser, lang: str
) -> None:
    before = spent(database)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    fill(page, server, lang, f"amira-{lang}@example.org")
    page.wait_for_function(SOLVED)
    expect(page.locator("altcha-widget")).to_be_hidden()  # nothing to see, nothing to click
    check_accessibility(page)
    shoot(page, f"times-challenge-{lang}")
    page.locator("form button.primary").last.click()
    expect(page.locator("#reference")).to_have_text(re.compile(r"^[A-Z0-9]{8}$"))
    assert spent(database) == before + 1


def test_a_form_sent_before_the_solution_is_ready_waits_for_it(
    server: str, database: str, browser: Browser
) -> None:
    before = spent(database)
    page = browser.new_page(viewport={"width": 360, "height": 900})
    # The challenge is held back until the form has been sent.
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    page.route("**/api/v1/challenge", hold)
    fill(page, server, "en", "early@example.org")
    page.locator("form button.primary").last.click()
    expect(page.locator("form button.primary").last).to_have_attribute("aria-busy", "true")
    assert not page.evaluate(SOLVED)
    assert held, "the page asked for its challenge"
    for route in held:
        route.continue_()
    expect(page.locator("#reference")).to_have_text(re.compile(r"^[A-Z0-9]{8}$"))
    assert spent(database) == before + 1


def test_a_challenge_that_fails_to_load_while_the_form_waits_is_fetched_again(
    server: str, database: str, browser: Browser
) -> None:
    before = spent(database)
    page = browser.new_page(viewport={"width": 360, "height": 900})
    # Every challenge is held until the form has been sent; then those fetches fail,
    # and the ones after them go through.
    held: list[Route] = []
    holding = [True]

    def hold(route: Route) -> None:
        if holding[0]:
            held.append(route)
        else:
            route.continue_()

    page.route("**/api/v1/challenge", hold)
    fill(page, server, "en", "retry@example.org")
    page.locator("form button.primary").last.click()
    expect(page.locator("form button.primary").last).to_have_attribute("aria-busy", "true")
    assert held, "the page asked for its challenge"
    holding[0] = False
    for route in held:
        route.abort("connectionreset")
    expect(page.locator("#reference")).to_have_text(re.compile(r"^[A-Z0-9]{8}$"))
    assert spent(database) == before + 1


def test_rescheduling_on_the_manage_page_solves_a_fresh_challenge_each_time(
    server: str, database: str, browser: Browser
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    fill(page, server, "en", "olena@example.org")
    page.locator("form button.primary").last.click()
    expect(page.locator("#reference")).to_be_visible()
    before = spent(database)
    page.locator("#manage").click()
    for choice in (2, 4):
        page.locator("#show-times").click()
        # A whole day's times (today's may be nearly over): the second day with some.
        page.locator(".date-strip li:not(.none) button").nth(1).click()
        slot = page.locator("#choices label.slot").nth(choice)
        when = slot.locator(".when").inner_text().strip()  # "9:40 AM"
        slot.click()
        page.locator("#reschedule-form button").click()
        # The stop shows its span ("9:40 - 10:00 AM", an en dash), which begins at that hour.
        expect(page.locator("#appointments li.stop .time")).to_contain_text(when.split()[0])
        expect(page.locator("#status")).to_have_text("Your booking has been moved.")
    assert spent(database) == before + 2
    check_accessibility(page)


def test_without_javascript_the_form_says_what_it_needs(
    server: str, database: str, browser: Browser
) -> None:
    before = spent(database)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 900})
    page = context.new_page()
    fill(page, server, "de", "ohne-js@example.org")
    note = page.locator("#altcha noscript p")  # Playwright's text search skips <noscript>
    expect(note).to_be_visible()
    expect(note).to_contain_text("Zum Buchen schalten Sie bitte JavaScript ein.")
    shoot(page, "times-challenge-no-javascript")
    page.locator("form button.primary").last.click()
    expect(page.locator("#errors")).to_contain_text("automatische Prüfung gegen Missbrauch")
    expect(page.locator("#email")).to_have_value("ohne-js@example.org")  # nothing typed is lost
    assert spent(database) == before
    context.close()
