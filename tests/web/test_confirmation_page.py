"""The confirmation and the manage page in headless Chromium, 360 px, Arabic: where the
confirmation went (masked), the reminders, the check-in window, the map link; and a
cancelled booking's page, which shows only that and a way to book again."""

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.databases import demo_sqlite
from tests.live_server import live_server
from tests.web.conftest import check_accessibility, needs_chromium, shoot

pytestmark = [pytest.mark.slow, needs_chromium]

ADDRESS_PART = "Bochum"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = demo_sqlite(tmp_path_factory.mktemp("confirm") / "confirm.sqlite3")
    with live_server(url) as base:
        yield base


def book_in_arabic(page: Page, base: str) -> None:
    page.goto(f"{base}/ar/sites/bochum/times?services=residence-registration")
    page.locator("label.slot").first.click()
    page.locator("#continue").click()  # the details step
    page.fill("#name", "أميرة حداد")
    page.fill("#email", "amira@example.org")
    page.fill("#phone", "+49 151 23456789")
    page.locator("form button.primary").last.click()
    expect(page.locator("#reference")).to_have_count(1)


def assert_map_link(page: Page) -> None:
    link = page.locator("a.map").first
    href = link.get_attribute("href") or ""
    parts = urlsplit(href)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.openstreetmap.org", "/search")
    assert ADDRESS_PART in parse_qs(parts.query)["query"][0]
    expect(link).to_contain_text("OpenStreetMap")


def test_confirmation_says_where_it_went_when_reminders_come_and_how_to_check_in(
    server: str, browser: Browser
) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 900}, locale="ar")
    book_in_arabic(page, server)
    sent = page.locator("#sent-to")
    expect(sent).to_contain_text("أرسلنا التأكيد إلى")
    expect(sent.locator("bdi").nth(0)).to_have_text("a•••@example.org")
    expect(sent.locator("bdi").nth(1)).to_have_text("+49 151 •••• 789")
    assert "amira@" not in page.content()
    assert "23456789" not in page.content()
    # Reminders from the settings (24 h and 2 h), in Arabic.
    expect(page.locator("#reminders")).to_have_text("سنذكّرك قبل الموعد بـ 24 ساعة وساعتين.")
    # The site's check-in window (catalogue: 30 minutes early, 15 late).
    expect(page.locator(".check-in-window")).to_contain_text("30 دقيقة")
    expect(page.locator(".check-in-window")).to_contain_text("15 دقيقة")
    assert_map_link(page)
    check_accessibility(page)
    shoot(page, "confirm-booked-ar")

    # The manage page says the same, from the API.
    page.locator("#manage").click()
    expect(page.locator("#appointments li")).to_have_count(1)
    expect(page.locator("#qr")).to_be_visible()
    expect(page.locator("#sent-to bdi").nth(0)).to_have_text("a•••@example.org")
    expect(page.locator("#sent-to bdi").nth(1)).to_have_text("+49 151 •••• 789")
    expect(page.locator("#reminders")).to_have_text("سنذكّرك قبل الموعد بـ 24 ساعة وساعتين.")
    expect(page.locator(".check-in-window")).to_contain_text("30 دقيقة")
    assert_map_link(page)
    check_accessibility(page)
    shoot(page, "confirm-manage-ar")


def test_a_cancelled_booking_shows_only_that_and_a_way_to_book_again(
    server: str, browser: Browser
) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 900}, locale="ar")
    book_in_arabic(page, server)
    page.locator("#manage").click()
    expect(page.locator("#appointments li")).to_have_count(1)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#cancel").click()
    expect(page.locator("#cancelled")).to_be_visible()
    expect(page.locator("#cancelled h2")).to_have_text("هذا الحجز ملغى.")
    for gone in ("#qr", "#ics", "#show-times", "#cancel", "#booking", "#reschedule"):
        expect(page.locator(gone)).to_be_hidden()
    check_accessibility(page)
    shoot(page, "confirm-cancelled-ar")

    # Opened afresh (as from the link), it is the same.
    page.reload()
    expect(page.locator("#cancelled")).to_be_visible()
    expect(page.locator("#qr")).to_be_hidden()
    expect(page.locator("#booking")).to_be_hidden()

    # "Book again": the site page with the same service chosen.
    page.locator("#book-again").click()
    expect(page).to_have_url(f"{server}/ar/sites/bochum?services=residence-registration")
    checked = page.locator("input[name=services]:checked")
    expect(checked).to_have_count(1)
    expect(checked).to_have_value("residence-registration")
    check_accessibility(page)
    shoot(page, "confirm-book-again-ar")
