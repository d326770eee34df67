"""The visitor's booking pages in headless Chromium: English, Arabic (right to left), a
one-stop visit, the manage link, and a time taken by someone else meanwhile."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.live_server import live_server
from tests.test_operations import wcr
from tests.web.conftest import check_accessibility, needs_chromium, shoot

pytestmark = [pytest.mark.slow, needs_chromium]


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('pages') / 'pages.sqlite3'}"
    assert wcr(url, "migrate").returncode == 0
    assert wcr(url, "seed-demo").returncode == 0
    return url


@pytest.fixture(scope="module")
def server(database: str) -> Iterator[str]:
    """One seeded server for the module (on SQLite): the pages only read and book."""
    with live_server(database) as base:
        yield base


def book_single(page: Page, base: str, lang: str) -> str:
    page.goto(f"{base}/{lang}/")
    check_accessibility(page)
    shoot(page, f"home-{lang}")
    page.locator("a.choice", has_text="Bochum").click()
    page.locator("label.check", has=page.locator("input[value=residence-registration]")).click()
    check_accessibility(page)
    shoot(page, f"site-{lang}")
    page.locator("form button.primary").click()
    page.locator("label.slot").first.click()
    page.fill("#name", "Amira Haddad")
    page.fill("#phone", "0171 2345678")
    check_accessibility(page)
    shoot(page, f"times-{lang}")
    page.locator("form button.primary").last.click()
    reference = page.locator("#reference").inner_text()
    assert len(reference) == 8
    check_accessibility(page)
    shoot(page, f"booked-{lang}")
    return reference


@pytest.mark.parametrize("width", [360, 1280])
def test_english_booking_flow(server: str, browser: Browser, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    reference = book_single(page, server, "en")
    expect(page.locator("h1")).to_have_text("Your appointment is booked")
    # The calendar comes by POST with the token in the form body, never in a URL.
    assert "token=" not in (
        page.locator("form[action$='calendar.ics']").get_attribute("action") or ""
    )
    with page.expect_download() as download:
        page.locator("#ics").click()
    assert download.value.suggested_filename == f"{reference}.ics"
    assert Path(download.value.path()).read_bytes().startswith(b"BEGIN:VCALENDAR")
    page.locator("#manage").click()
    expect(page.locator("#appointments li")).to_have_count(1)
    assert reference in page.content()
    with page.expect_download() as from_manage:  # fetched with the token as a header
        page.locator("#ics").click()
    assert Path(from_manage.value.path()).read_bytes().startswith(b"BEGIN:VCALENDAR")


def test_arabic_booking_flow_is_right_to_left(server: str, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 900}, locale="ar")
    page.goto(server + "/")  # Accept-Language: ar picks the language
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    book_single(page, server, "ar")
    expect(page.locator("h1")).to_have_text("تم حجز موعدك")


def test_missing_contact_is_tied_to_its_field(server: str, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 900})
    page.goto(f"{server}/en/sites/bochum/times?services=residence-registration")
    page.locator("label.slot").first.click()
    page.fill("#name", "No Contact")
    page.locator("form button.primary").last.click()
    expect(page.locator("#errors")).to_be_focused()
    expect(page.locator("#email")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#email-error")).to_contain_text("e-mail address or a mobile number")
    expect(page.locator("#name")).to_have_value("No Contact")  # nothing typed is lost
    check_accessibility(page)


def test_one_stop_visit_then_cancel_and_reschedule_through_the_manage_link(
    server: str, browser: Browser
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/en/sites/bochum")
    page.locator("a.choice", has_text="One-stop").click()
    first = page.locator("label.slot").first
    expect(first.locator(".detail")).to_contain_text("Residence registration")
    first.click()
    page.fill("#name", "Olena Kovalenko")
    page.fill("#email", "olena@example.org")
    page.locator("form button.primary").last.click()
    expect(page.locator(".itinerary li")).to_have_count(3)
    page.locator("#manage").click()
    expect(page.locator("#appointments li")).to_have_count(3)
    check_accessibility(page)
    shoot(page, "manage-en")
    page.locator("#show-times").click()
    page.locator("#choices label.slot").nth(2).click()
    page.locator("#reschedule-form button").click()
    expect(page.locator("#status")).to_have_text("Your booking has been moved.")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#cancel").click()
    expect(page.locator("#status")).to_have_text("Your booking is cancelled.")


def test_a_time_taken_meanwhile_offers_the_nearest_ones(server: str, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 900})
    page.goto(f"{server}/en/sites/bochum/times?services=residence-permit")
    slot = page.locator("label.slot input").first
    slot_id = slot.get_attribute("value")
    assert slot_id is not None
    slot.check()
    page.fill("#name", "Slow Clicker")
    page.fill("#email", "slow@example.org")
    taken = httpx.post(
        f"{server}/api/v1/bookings",
        json={"slot_id": int(slot_id), "name": "Fast Clicker", "email": "fast@example.org"},
    )
    assert taken.status_code == 201
    page.locator("form button.primary").last.click()
    expect(page.locator("#notice")).to_contain_text("someone else has just booked")
    expect(page.locator("label.slot.suggested")).to_have_count(3)
    expect(page.locator("#name")).to_have_value("Slow Clicker")
    expect(page.locator(f"input[value='{slot_id}']")).to_have_count(0)
    page.locator("label.slot.suggested").first.click()
    page.locator("form button.primary").last.click()
    expect(page.locator("#reference")).to_be_visible()
