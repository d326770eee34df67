"""One-stop waiting in headless Chromium, on the demo's Bochum package (Wednesdays):
joining from its times step where no visit is free (days without a Wednesday said by
the first day, in Arabic on a phone), the "on the waitlist" page naming the package
and its services; a place freed by a cancellation holds the whole visit, the waitlist
page lists every appointment with what to bring, "Book this place" books it."""

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.live_server import live_server
from tests.test_operations import wcr
from tests.web.conftest import check_accessibility, needs_chromium, shoot

pytestmark = [pytest.mark.slow, needs_chromium]

BERLIN = ZoneInfo("Europe/Berlin")
PACKAGE = "bochum-one-stop"
# The package's services, their agencies and the held visit's times (hour, minute, length).
STOPS = [
    ("residence-registration", "buergerbuero-bochum", (9, 0, 20)),
    ("recognition-advice", "ihk-mittleres-ruhrgebiet", (9, 30, 30)),
    ("employment-agency", "agentur-fuer-arbeit-bochum", (10, 10, 30)),
]
PHONE: ViewportSize = {"width": 360, "height": 740}
WIDE: ViewportSize = {"width": 1280, "height": 900}
WEDNESDAY, THURSDAY = 3, 4
SCREENS = 3


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('one-stop') / 'one-stop.sqlite3'}"
    assert wcr(url, "migrate").returncode == 0
    assert wcr(url, "seed-demo").returncode == 0
    keys = {
        agency: wcr(url, "agency-key", agency).stdout.strip().splitlines()[-1]
        for _, agency, _ in STOPS
    }
    with live_server(url) as base:
        yield base, keys


def weekday_ahead(weekday: int, weeks: int) -> date:
    day = datetime.now(BERLIN).date() + timedelta(weeks=weeks)
    while day.isoweekday() != weekday:
        day += timedelta(days=1)
    return day


def publish(base: str, key: str, service: str, day: date, at: tuple[int, int, int]) -> int:
    hour, minute, length = at
    start = datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)
    published = httpx.post(
        f"{base}/api/v1/agency/slots",
        json={
            "site": "bochum",
            "service": service,
            "start": start.isoformat(),
            "end": (start + timedelta(minutes=length)).isoformat(),
            "capacity": 1,
        },
        headers={"Authorization": f"Bearer {key}"},
    )
    assert published.status_code == 201, published.text
    slot: int = published.json()["slots"][0]["id"]
    return slot


def looked_at(page: Page, name: str) -> int:
    """axe-core clean, screenshots kept; the page's height."""
    check_accessibility(page)
    shoot(page, name)
    height: int = page.evaluate("document.documentElement.scrollHeight")
    return height


def test_joining_the_package_from_its_times_step_in_arabic_on_a_phone(
    server: tuple[str, dict[str, str]], browser: Browser
) -> None:
    base, _ = server
    page = browser.new_page(viewport=PHONE, locale="ar")
    later = (datetime.now(BERLIN).date() + timedelta(days=60)).isoformat()
    page.goto(f"{base}/ar/sites/bochum/times?package={PACKAGE}&from={later}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#no-times")).to_be_visible()
    expect(page.locator("#waitlist-form input[name=package]")).to_have_value(PACKAGE)
    expect(page.locator("#waitlist-days-hint")).to_contain_text("الأربعاء")  # Wednesday
    first = page.locator("#waitlist-from").input_value()
    assert date.fromisoformat(first).isoweekday() == WEDNESDAY
    # A Thursday and a Friday only: said by the first day, the form kept.
    thursday = weekday_ahead(THURSDAY, 2)
    page.fill("#waitlist-from", thursday.isoformat())
    page.fill("#waitlist-to", (thursday + timedelta(days=1)).isoformat())
    page.fill("#waitlist-name", "أمل حداد")
    page.fill("#waitlist-phone", "0171 2345678")
    page.locator("#join").click()
    expect(page.locator("#waitlist-from-error")).to_contain_text("الأربعاء")
    expect(page.locator("#errors")).to_be_focused()
    expect(page.locator("#waitlist-name")).to_have_value("أمل حداد")
    expect(page.locator("#wanted")).to_contain_text("Welcome Office Bochum")
    expect(page.locator("#wanted-services li")).to_have_count(3)
    looked_at(page, "waitlist-one-stop-error-ar")
    page.fill("#waitlist-to", (thursday + timedelta(days=6)).isoformat())
    page.locator("#join").click()
    expect(page.locator("#reference")).to_have_text(re.compile(r"^[A-Z0-9]{8}$"))
    expect(page.locator("#service strong")).not_to_be_empty()
    expect(page.locator("#service li")).to_have_count(3)
    height = looked_at(page, "waitlist-one-stop-joined-ar")
    assert height <= SCREENS * PHONE["height"], height
    page.locator("#entry-link").click()
    expect(page.locator("#waiting")).to_be_visible()
    expect(page.locator("#service li")).to_have_count(3)
    expect(page.locator("#service-label")).not_to_have_text("")
    looked_at(page, "waitlist-one-stop-waiting-ar")


def test_joining_the_package_at_1280_and_again(
    server: tuple[str, dict[str, str]], browser: Browser
) -> None:
    base, _ = server
    page = browser.new_page(viewport=WIDE)
    later = (datetime.now(BERLIN).date() + timedelta(days=60)).isoformat()
    page.goto(f"{base}/en/sites/bochum/times?package={PACKAGE}&from={later}")
    expect(page.locator("#waitlist-days-hint")).to_have_text(
        "This offer is only on these days: Wednesday."
    )
    looked_at(page, "waitlist-one-stop-times-en")
    for _ in range(2):
        page.goto(f"{base}/en/sites/bochum/times?package={PACKAGE}&from={later}")
        page.fill("#waitlist-name", "Olena Kovalenko")
        page.fill("#waitlist-email", "olena@example.org")
        page.locator("#join").click()
    expect(page.locator("#waitlist-email-error")).to_have_text(
        "You are already on the waitlist for these services."
    )


def test_a_held_visit_shows_every_appointment_and_is_booked(
    server: tuple[str, dict[str, str]], browser: Browser
) -> None:
    base, keys = server
    day = weekday_ahead(WEDNESDAY, 7)  # beyond the demo's slots
    slots = [publish(base, keys[agency], service, day, at) for service, agency, at in STOPS]
    taken = httpx.post(
        f"{base}/api/v1/bookings",
        json={"slot_id": slots[0], "name": "First Booker", "email": "first@example.org"},
    )
    assert taken.status_code == 201, taken.text
    joined = httpx.post(
        f"{base}/api/v1/waitlist",
        json={
            "site": "bochum",
            "package": PACKAGE,
            "from": day.isoformat(),
            "to": day.isoformat(),
            "name": "Waiting Visitor",
            "email": "waiting@example.org",
            "language": "ar",
        },
    )
    assert joined.status_code == 201, joined.text
    entry = joined.json()
    made = taken.json()
    cancelled = httpx.post(
        f"{base}/api/v1/bookings/{made['reference']}/cancel",
        headers={"Authorization": f"Bearer {made['manage_token']}"},
    )
    assert cancelled.status_code == 200, cancelled.text
    page = browser.new_page(viewport=PHONE, locale="ar")
    page.goto(f"{base}/ar/waitlist/{entry['reference']}#t={entry['token']}")
    expect(page.locator("#offered")).to_be_visible()
    stops = page.locator("#offer-itinerary li.stop")
    expect(stops).to_have_count(3)
    expect(page.locator("#offer-itinerary li.wait")).to_have_count(2)  # 10 min, 10 min
    expect(stops.first.locator(".time")).to_have_text(re.compile(r"^9:00"))
    expect(stops.nth(2).locator(".with")).to_contain_text("Agentur für Arbeit")
    expect(page.locator("#bring-each ul.bring").first).to_be_visible()
    assert page.locator("#bring-each p.bring-of").count() >= 2
    expect(page.locator("#bring")).to_be_hidden()
    height = looked_at(page, "waitlist-one-stop-offered-ar")
    assert height <= SCREENS * PHONE["height"], height
    page.set_viewport_size(WIDE)
    page.locator(".languages a[lang=en]").click()
    expect(page.locator("#offer-itinerary li.stop")).to_have_count(3)
    expect(page.locator("#service-label")).to_have_text("Services")
    expect(page.locator("#offer-itinerary li.stop").nth(1)).to_contain_text("Recognition advice")
    looked_at(page, "waitlist-one-stop-offered-en")
    page.locator("#claim").click()
    expect(page.locator("#booked")).to_be_visible()
    expect(page.locator("#booked-itinerary li.stop")).to_have_count(3)
    looked_at(page, "waitlist-one-stop-booked-en")
    page.locator("#manage").click()
    expect(page.locator("#appointments li.stop")).to_have_count(3)
