"""The visitor's booking pages in headless Chromium: English, Arabic (right to left) on
a phone in at most two screens per step, a one-stop visit as an itinerary, the manage
link, an error on the details step, and a time taken by someone else meanwhile.

The phone is 360 x 740 CSS pixels (a common Android size): every step's page, from
the choice of place to the confirmation, must be at most two of its screens tall."""

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect

from tests.databases import demo_sqlite
from tests.live_server import live_server
from tests.web.conftest import check_accessibility, needs_chromium, shoot

pytestmark = [pytest.mark.slow, needs_chromium]

PHONE: ViewportSize = {"width": 360, "height": 740}
SCREENS = 2
WEDNESDAY = 3


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_sqlite(tmp_path_factory.mktemp("pages") / "pages.sqlite3")


@pytest.fixture(scope="module")
def server(database: str) -> Iterator[str]:
    """One seeded server for the module (on SQLite): the pages only read and book."""
    with live_server(database) as base:
        yield base


def step(page: Page, name: str, heights: dict[str, int]) -> None:
    """One step, looked at: axe-core clean, its height noted, screenshots kept."""
    page.wait_for_load_state("load")
    check_accessibility(page)
    heights[name] = page.evaluate("document.documentElement.scrollHeight")
    shoot(page, name)


def choose_first_time(page: Page) -> None:
    page.locator(".time-grid label.slot").first.click()
    page.locator("#continue").click()
    expect(page.locator("#book")).to_be_visible()


def book_single(page: Page, base: str, lang: str) -> tuple[str, dict[str, int]]:
    heights: dict[str, int] = {}
    page.goto(f"{base}/{lang}/")
    step(page, f"home-{lang}", heights)
    page.locator("a.choice", has_text="Bochum").click()
    page.locator("label.check", has=page.locator("input[value=residence-registration]")).click()
    step(page, f"site-{lang}", heights)
    page.locator("form button.primary").click()
    expect(page.locator(".date-strip [aria-current=date]")).to_have_count(1)
    step(page, f"times-{lang}", heights)
    choose_first_time(page)
    page.fill("#name", "Amira Haddad")
    page.fill("#phone", "0171 2345678")
    step(page, f"details-{lang}", heights)
    page.locator("#book").click()
    reference = page.locator("#reference").inner_text()
    assert len(reference) == 8
    step(page, f"booked-{lang}", heights)
    return reference, heights


def assert_fits_two_screens(heights: dict[str, int]) -> None:
    tall = {name: h for name, h in heights.items() if h > SCREENS * PHONE["height"]}
    assert not tall, f"taller than {SCREENS} screens of {PHONE}: {tall}"


@pytest.mark.parametrize("width", [360, 1280])
def test_english_booking_flow(server: str, browser: Browser, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    reference, _ = book_single(page, server, "en")
    expect(page.locator("h1")).to_have_text("Your appointment is booked")
    expect(page.locator(".steps [aria-current=step]")).to_have_text("Done")
    expect(page.locator(".steps li")).to_have_count(5)
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


def test_arabic_booking_on_a_phone_takes_at_most_two_screens_per_step(
    server: str, browser: Browser
) -> None:
    page = browser.new_page(viewport=PHONE, locale="ar")
    page.goto(server + "/")  # Accept-Language: ar picks the language
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    _, heights = book_single(page, server, "ar")
    expect(page.locator("h1")).to_have_text("تم حجز موعدك")
    assert len(heights) == 5
    assert_fits_two_screens(heights)
    # The date and time in the locale's own form: no Latin comma in an Arabic date.
    day = page.locator("#day").inner_text()
    assert "،" in day
    assert "," not in day


def x_of(locator: Locator) -> float:
    box = locator.bounding_box()
    assert box is not None
    return box["x"]


def test_the_strip_and_the_arrows_follow_the_reading_direction(
    server: str, browser: Browser
) -> None:
    boxes: dict[str, dict[str, float]] = {}
    arrows: dict[str, str] = {}
    for lang in ("de", "ar"):
        page = browser.new_page(viewport=PHONE, locale=lang)
        page.goto(f"{server}/{lang}/sites/bochum/times?services=residence-registration")
        page.locator("#later").click()  # a later week has an earlier link as well
        expect(page.locator("#earlier")).to_be_visible()
        first, last = page.locator(".date-strip li").first, page.locator(".date-strip li").last
        earlier, later = page.locator("#earlier"), page.locator("#later")
        boxes[lang] = {
            "first_day_x": x_of(first),
            "last_day_x": x_of(last),
            "earlier_x": x_of(earlier),
            "later_x": x_of(later),
        }
        arrows[lang] = earlier.locator(".arrow").evaluate("a => getComputedStyle(a).transform")
        check_accessibility(page)
        shoot(page, f"times-later-week-{lang}")
        page.close()
    german, arabic = boxes["de"], boxes["ar"]
    assert german["first_day_x"] < german["last_day_x"]  # left to right
    assert arabic["first_day_x"] > arabic["last_day_x"]  # right to left
    assert german["earlier_x"] < german["later_x"]
    assert arabic["earlier_x"] > arabic["later_x"]  # earlier lies to the right
    assert arrows["de"] == "none"
    # Mirrored: "←" then points right, away from the page, towards earlier days.
    assert arrows["ar"] == "matrix(-1, 0, 0, 1, 0, 0)"


def test_days_without_free_times_are_no_links_and_a_day_shows_only_its_times(
    server: str, browser: Browser
) -> None:
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{server}/en/sites/bochum/times?services=residence-registration")
    days = page.locator(".date-strip li")
    expect(days).to_have_count(7)
    for n in range(7):
        item = days.nth(n)
        weekday = date.fromisoformat(item.get_attribute("data-date") or "").isoweekday()
        if weekday > 5:  # the demo has no weekend slots
            expect(item).to_have_class("none")
            expect(item.locator("a")).to_have_count(0)
    chosen = page.locator(".date-strip a[aria-current=date]")
    count = int(chosen.locator(".count").inner_text().split(":")[-1].strip())
    expect(page.locator(".time-grid label.slot")).to_have_count(count)
    other = page.locator(".date-strip li:not(.none) a:not([aria-current])").first
    other_day = other.evaluate("a => a.parentElement.dataset.date")
    other.click()
    expect(page.locator(f".date-strip li[data-date='{other_day}'] a")).to_have_attribute(
        "aria-current", "date"
    )
    expect(page.locator("input[name=day]")).to_have_value(other_day)
    # Three or four times in a row on a phone.
    tops = page.locator(".time-grid label.slot").evaluate_all(
        "ls => ls.slice(0, 8).map(l => l.getBoundingClientRect().top)"
    )
    assert 3 <= tops.count(tops[0]) <= 4


def test_continue_without_a_time_asks_for_one(server: str, browser: Browser) -> None:
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{server}/en/sites/bochum/times?services=residence-registration")
    day = page.locator("input[name=day]").input_value()
    page.locator("#continue").click()
    expect(page.locator("#choice-error")).to_have_text("Please choose a time.")
    expect(page.locator("input[name=day]")).to_have_value(day)
    check_accessibility(page)


def test_an_error_on_the_details_step_shows_within_the_first_screen(
    server: str, browser: Browser
) -> None:
    page = browser.new_page(viewport=PHONE, locale="ar")
    page.goto(f"{server}/ar/sites/bochum/times?services=residence-registration")
    choose_first_time(page)
    page.fill("#name", "No Contact")
    page.locator("#book").click()
    expect(page.locator("#errors")).to_be_focused()
    summary = page.locator("#errors").bounding_box()
    assert summary is not None
    assert summary["y"] + summary["height"] <= PHONE["height"]
    expect(page.locator("#email")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#email-error")).to_be_visible()
    expect(page.locator("#name")).to_have_value("No Contact")  # nothing typed is lost
    expect(page.locator(".itinerary li.stop")).to_have_count(1)  # still the chosen time
    check_accessibility(page)
    shoot(page, "details-error-ar")


def test_the_change_link_goes_back_to_the_same_day_with_the_time_chosen(
    server: str, browser: Browser
) -> None:
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{server}/en/sites/bochum/times?services=residence-registration")
    later_day = page.locator(".date-strip li:not(.none) a").nth(1)
    later_day.click()
    day = page.locator("input[name=day]").input_value()
    slot = page.locator(".time-grid input").nth(2)
    value = slot.get_attribute("value")
    slot.check()
    page.locator("#continue").click()
    page.locator("#change").click()
    expect(page.locator(".date-strip a[aria-current=date]")).to_have_count(1)
    expect(page.locator("input[name=day]")).to_have_value(day)
    expect(page.locator(f".time-grid input[value='{value}']")).to_be_checked()


def test_a_one_stop_visit_is_an_itinerary_then_cancel(server: str, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/en/sites/bochum")
    page.locator("a.choice", has_text="One-stop").click()
    first = page.locator(".time-grid label.slot").first
    expect(first.locator(".when")).to_contain_text("–")  # start and end of the visit
    expect(first.locator(".detail")).to_contain_text("waiting")
    choose_first_time(page)
    stops = page.locator("#itinerary li.stop")
    expect(stops).to_have_count(3)
    expect(stops.first.locator(".service")).not_to_be_empty()
    expect(stops.first.locator(".with")).not_to_be_empty()
    for wait in page.locator("#itinerary li.wait").all_inner_texts():
        assert wait.endswith("min wait")
    check_accessibility(page)
    shoot(page, "details-package-en")
    page.fill("#name", "Olena Kovalenko")
    page.fill("#email", "olena@example.org")
    page.locator("#book").click()
    expect(page.locator("#itinerary li.stop")).to_have_count(3)
    page.locator("#manage").click()
    expect(page.locator("#appointments li.stop")).to_have_count(3)
    check_accessibility(page)
    shoot(page, "manage-en")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#cancel").click()
    expect(page.locator("#status")).to_have_text("Your booking is cancelled.")


def test_a_package_on_a_phone_in_arabic_offers_only_wednesdays_in_two_screens_a_step(
    server: str, browser: Browser
) -> None:
    page = browser.new_page(viewport=PHONE, locale="ar")
    heights: dict[str, int] = {}
    page.goto(f"{server}/ar/")
    step(page, "package-home-ar", heights)
    page.locator("a.choice", has_text="Bochum").click()
    step(page, "package-site-ar", heights)
    page.locator("a.choice[href*='package=bochum-one-stop']").click()
    for week in range(2):
        offered = page.locator(".date-strip li:not(.none)")
        assert offered.count() >= 1, f"week {week}: no day with free times"
        for day in offered.evaluate_all("ls => ls.map(l => l.dataset.date)"):
            assert date.fromisoformat(day).isoweekday() == WEDNESDAY, day
        if week == 0:
            step(page, "package-times-ar", heights)
            page.locator("#later").click()
    page.locator("#earlier").click()
    choose_first_time(page)
    expect(page.locator("#itinerary li.stop")).to_have_count(3)
    page.fill("#name", "أميرة حداد")
    page.fill("#email", "amira.package@example.org")
    step(page, "package-details-ar", heights)
    page.locator("#book").click()
    expect(page.locator("#reference")).to_be_visible()
    step(page, "package-booked-ar", heights)
    assert len(heights) == 5
    assert_fits_two_screens(heights)


def test_a_time_taken_meanwhile_offers_the_nearest_ones(server: str, browser: Browser) -> None:
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{server}/en/sites/bochum/times?services=residence-permit")
    # A whole day's times (today's may be nearly over): the second day with some.
    page.locator(".date-strip li:not(.none) a").nth(1).click()
    day = page.locator("input[name=day]").input_value()
    slot = page.locator("label.slot input").first
    slot_id = slot.get_attribute("value")
    assert slot_id is not None
    slot.check()
    page.locator("#continue").click()
    page.fill("#name", "Slow Clicker")
    page.fill("#email", "slow@example.org")
    taken = httpx.post(
        f"{server}/api/v1/bookings",
        json={"slot_id": int(slot_id), "name": "Fast Clicker", "email": "fast@example.org"},
    )
    assert taken.status_code == 201
    page.locator("#book").click()
    expect(page.locator("#notice")).to_contain_text("someone else has just booked")
    expect(page.locator("label.slot.suggested")).to_have_count(3)
    expect(page.locator("input[name=day]")).to_have_value(day)  # the nearest: that day's
    expect(page.locator(f"input[value='{slot_id}']")).to_have_count(0)
    check_accessibility(page)
    page.locator("label.slot.suggested").first.click()
    page.locator("#continue").click()
    expect(page.locator("#name")).to_have_value("Slow Clicker")  # nothing typed is lost
    expect(page.locator("#email")).to_have_value("slow@example.org")
    assert "slow" not in page.url  # and it travelled in a body, not the address
    page.locator("#book").click()
    expect(page.locator("#reference")).to_be_visible()


def test_without_javascript_the_steps_are_links_and_forms(server: str, browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(f"{server}/en/sites/bochum/times?services=residence-registration")
    page.locator(".date-strip li:not(.none) a").nth(1).click()
    choose_first_time(page)
    page.fill("#name", "No Script")
    page.fill("#email", "noscript@example.org")
    page.locator("#book").click()
    expect(page.locator("#reference")).to_be_visible()
    context.close()
