"""Rescheduling on the manage page in headless Chromium at 360 px: a week of days as a
strip (each with its number of free times), the chosen day's times, then "move". A
one-stop package keeps its services and moves to another Wednesday, chosen from
options shown as itineraries; a single booking pages to a later week. And a phone
that gets no SMS is shown with a note instead of among the addresses written to."""

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.databases import demo_sqlite
from tests.live_server import live_server
from tests.test_operations import wcr
from tests.web.conftest import check_accessibility, needs_chromium, shoot
from wcr.i18n import Language

pytestmark = [pytest.mark.slow, needs_chromium]

BERLIN = ZoneInfo("Europe/Berlin")
PACKAGE = "bochum-one-stop"
PACKAGE_SERVICES = {
    "residence-registration": "buergerbuero-bochum",
    "recognition-advice": "ihk-mittleres-ruhrgebiet",
    "employment-agency": "agentur-fuer-arbeit-bochum",
}
WEDNESDAY = 3


def far_wednesday() -> date:
    """A Wednesday three to four weeks ahead: beyond the demo's 14 days of slots."""
    day = datetime.now(BERLIN).date() + timedelta(days=21)
    while day.isoweekday() != WEDNESDAY:
        day += timedelta(days=1)
    return day


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = demo_sqlite(tmp_path_factory.mktemp("reschedule") / "reschedule.sqlite3")
    keys = {
        agency: wcr(url, "agency-key", agency).stdout.strip().splitlines()[-1]
        for agency in PACKAGE_SERVICES.values()
    }
    with live_server(url) as base:
        # The package's services on a Wednesday a few weeks ahead, as the offices
        # publish them: the strip must page there.
        wednesday = far_wednesday().isoformat()
        for service, agency in PACKAGE_SERVICES.items():
            published = httpx.post(
                f"{base}/api/v1/agency/slots",
                json={
                    "site": "bochum",
                    "service": service,
                    "from_date": wednesday,
                    "to_date": wednesday,
                    "weekdays": [WEDNESDAY],
                    "start_time": "08:00",
                    "end_time": "12:00",
                    "slot_minutes": 30,
                    "capacity": 1,
                },
                headers={"Authorization": f"Bearer {keys[agency]}"},
            )
            assert published.status_code == 201, published.text
        yield base


def book(base: str, body: dict[str, object]) -> dict[str, object]:
    body = {"name": "Amira Haddad", "email": "amira@example.org", "language": "ar"} | body
    created = httpx.post(f"{base}/api/v1/bookings", json=body)
    assert created.status_code == 201, created.text
    answer: dict[str, object] = created.json()
    return answer


def manage_path(created: dict[str, object]) -> str:
    return f"/manage/{created['reference']}#t={created['manage_token']}"


def booking_of(base: str, created: dict[str, object]) -> dict[str, object]:
    seen = httpx.get(
        f"{base}/api/v1/bookings/{created['reference']}",
        headers={"Authorization": f"Bearer {created['manage_token']}"},
    )
    assert seen.status_code == 200
    found: dict[str, object] = seen.json()
    return found


def local_day(iso: str) -> date:
    return datetime.fromisoformat(iso).astimezone(BERLIN).date()


def strip_dates(page: Page) -> list[str]:
    dates: list[str] = page.locator(".date-strip li").evaluate_all(
        "items => items.map(item => item.dataset.date)"
    )
    return dates


def page_to(page: Page, day: date) -> int:
    """Click "later" until the strip shows ``day``; how many weeks it paged."""
    expect(page.locator(".date-strip li")).to_have_count(7)  # the first week is there
    weeks = 0
    while day.isoformat() not in strip_dates(page):
        first = strip_dates(page)[0]
        page.locator("#later").click()
        expect(page.locator(".date-strip li").first).not_to_have_attribute("data-date", first)
        weeks += 1
        assert weeks < 8, "the strip never reached the day"
    return weeks


def normal(text: str) -> str:
    """Babel and Chromium's ICU agree on the patterns; they differ in thin spaces."""
    return re.sub(r"[\s\u2009\u202f\u200f]+", " ", text).strip()


def assert_itinerary_of_first_option(page: Page, server: str, target: date) -> None:
    """The day's first option: its three stops with their Arabic names, and its span as
    Babel writes it on the times step (12-hour in Arabic, Latin digits)."""
    option = page.locator("#choices .option").first
    expect(option.locator("ol.itinerary li.stop")).to_have_count(3)
    expect(option.locator("ol.itinerary li.wait").first).to_contain_text("دقيقة")
    names = httpx.get(f"{server}/api/v1/services", params={"site": "bochum", "lang": "ar"}).json()
    arabic = {s["slug"]: s["name"] for s in names}
    shown = option.locator("li.stop .service").all_inner_texts()
    assert sorted(shown) == sorted(arabic[slug] for slug in PACKAGE_SERVICES)
    first = httpx.get(
        f"{server}/api/v1/visits/options",
        params={"package": PACKAGE, "from": target.isoformat(), "to": target.isoformat()},
    ).json()["options"][0]
    start, end = (datetime.fromisoformat(first[key]) for key in ("start", "end"))
    expect(option.locator(".when")).to_have_text(
        normal(Language("ar").time_span(start, end, BERLIN))
    )
    expect(option.locator("input")).to_have_value(",".join(map(str, first["slot_ids"])))


def test_a_package_moves_to_another_wednesday_chosen_as_an_itinerary(
    server: str, browser: Browser
) -> None:
    options = httpx.get(
        f"{server}/api/v1/visits/options", params={"package": PACKAGE, "limit": "1"}
    ).json()["options"]
    created = book(server, {"slot_ids": options[0]["slot_ids"], "package": PACKAGE})
    booked_day = local_day(options[0]["start"])
    target = far_wednesday()

    page = browser.new_page(viewport={"width": 360, "height": 800}, locale="ar")
    page.goto(f"{server}/ar{manage_path(created)}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    # The booking itself, as an itinerary: three stops, the waits between in words.
    current = page.locator("#appointments")
    expect(current.locator("li.stop")).to_have_count(3)
    assert "Stadt Bochum – Bürgerbüro" in current.locator("li.stop .with").all_inner_texts()
    expect(page.locator("#visit-day")).to_have_text(normal(Language("ar").day(booked_day)))

    page.locator("#show-times").click()
    expect(page.locator(".date-strip li")).to_have_count(7)
    # Only Wednesdays have options: every other day is marked as without.
    for item in page.locator(".date-strip li").all():
        day = date.fromisoformat(item.get_attribute("data-date") or "")
        if day.isoweekday() != WEDNESDAY:
            expect(item).to_have_class("none")
            expect(item.locator("button")).to_have_count(0)
    assert page_to(page, target) >= 1
    target_day = page.locator(f".date-strip li[data-date='{target.isoformat()}'] button")
    expect(target_day.locator(".count")).to_contain_text(re.compile(r"[1-9]"))
    target_day.click()
    expect(target_day).to_have_attribute("aria-current", "date")
    expect(page.locator("#day-label")).to_have_text(Language("ar").day(target))
    option = page.locator("#choices .option").first
    assert_itinerary_of_first_option(page, server, target)
    check_accessibility(page)
    shoot(page, "reschedule-package-ar")

    chosen = [int(i) for i in (option.locator("input").get_attribute("value") or "").split(",")]
    option.locator("input").check()
    expect(page.locator("#picked")).to_contain_text(Language("ar").day(target))
    page.locator("#move").click()
    expect(page.locator("#status")).to_have_text("تم نقل حجزك.")
    expect(page.locator("#reschedule")).to_be_hidden()
    expect(page.locator("#visit-day")).to_have_text(normal(Language("ar").day(target)))
    check_accessibility(page)
    shoot(page, "reschedule-package-moved-ar")

    moved = booking_of(server, created)
    appointments = moved["appointments"]
    assert isinstance(appointments, list)
    assert {local_day(a["start"]) for a in appointments} == {target} != {booked_day}
    assert sorted(a["service"] for a in appointments) == sorted(PACKAGE_SERVICES)
    assert sorted(a["slot_id"] for a in appointments) == sorted(chosen)
    assert moved["package"] == PACKAGE

    # The same dialog in German, for the screenshots at both widths.
    page.goto(f"{server}/de{manage_path(created)}")
    page.locator("#show-times").click()
    page_to(page, target)
    expect(page.locator("#choices .option").first).to_be_visible()
    expect(page.locator("#week")).not_to_be_empty()
    check_accessibility(page)
    shoot(page, "reschedule-package-de")


def test_a_single_booking_pages_to_a_later_week(server: str, browser: Browser) -> None:
    slots = httpx.get(
        f"{server}/api/v1/availability",
        params={"site": "bochum", "service": "residence-permit"},
    ).json()["slots"]
    created = book(server, {"slot_id": slots[0]["id"], "language": "de"})
    page = browser.new_page(viewport={"width": 360, "height": 800}, locale="de")
    page.goto(f"{server}/de{manage_path(created)}")
    expect(page.locator("#appointments li.stop")).to_have_count(1)
    page.locator("#show-times").click()
    expect(page.locator(".date-strip li")).to_have_count(7)
    first_week = strip_dates(page)
    expect(page.locator("#earlier")).to_be_disabled()  # today's week: nothing earlier
    page.locator("#later").click()
    expect(page.locator(".date-strip li").first).not_to_have_attribute("data-date", first_week[0])
    later_week = strip_dates(page)
    assert later_week[0] == (date.fromisoformat(first_week[0]) + timedelta(days=7)).isoformat()
    expect(page.locator("#earlier")).to_be_enabled()
    # The first day with free times is chosen; another one is picked.
    free_days = page.locator(".date-strip li:not(.none) button")
    expect(free_days.first).to_have_attribute("aria-current", "date")
    chosen = free_days.nth(1)
    chosen_date = chosen.locator("xpath=..").get_attribute("data-date") or ""
    chosen.click()
    expect(chosen).to_have_attribute("aria-current", "date")
    expect(free_days.first).not_to_have_attribute("aria-current", "date")
    count = int(chosen.locator(".count").inner_text().split()[-1])
    slot = page.locator("#choices label.slot")
    expect(slot).to_have_count(count)
    check_accessibility(page)
    shoot(page, "reschedule-single-de")

    # A time as Babel writes it (24-hour in German).
    day_slots = httpx.get(
        f"{server}/api/v1/availability",
        params={
            "site": "bochum",
            "service": "residence-permit",
            "from": chosen_date,
            "to": chosen_date,
        },
    ).json()["slots"]
    first_start = datetime.fromisoformat(day_slots[0]["start"])
    expect(slot.first.locator(".when")).to_have_text(Language("de").time(first_start, BERLIN))
    slot.first.click()
    page.locator("#move").click()
    expect(page.locator("#status")).to_have_text("Ihre Buchung wurde verschoben.")
    moved = booking_of(server, created)
    appointments = moved["appointments"]
    assert isinstance(appointments, list)
    [appointment] = appointments
    assert appointment["slot_id"] == day_slots[0]["id"]
    assert appointment["service"] == "residence-permit"
    assert local_day(appointment["start"]).isoformat() == chosen_date
    assert local_day(appointment["start"]) >= date.fromisoformat(later_week[0])


def test_a_booking_made_in_german_reads_in_arabic(server: str, browser: Browser) -> None:
    """What to bring in the page's language (the API gives the booking's), right to
    left, and the reschedule step likewise."""
    slots = httpx.get(
        f"{server}/api/v1/availability",
        params={"site": "bochum", "service": "residence-permit"},
    ).json()["slots"]
    created = book(server, {"slot_id": slots[-1]["id"], "language": "de"})
    page = browser.new_page(viewport={"width": 360, "height": 800}, locale="ar")
    page.goto(f"{server}/ar{manage_path(created)}")
    services = httpx.get(f"{server}/api/v1/services", params={"site": "bochum", "lang": "ar"})
    [permit] = [s for s in services.json() if s["slug"] == "residence-permit"]
    bring = page.locator("#bring-lists ul.bring")
    expect(bring.locator("li")).to_have_text(permit["bring"])
    assert bring.get_attribute("lang") is None  # the page's own language
    page.locator("#show-times").click()
    expect(page.locator(".date-strip li")).to_have_count(7)
    page.locator("#later").click()
    expect(page.locator("#choices label.slot").first).to_be_visible()
    check_accessibility(page)
    shoot(page, "reschedule-single-ar")


def test_a_phone_without_sms_is_shown_with_a_note(server: str, browser: Browser) -> None:
    slots = httpx.get(
        f"{server}/api/v1/availability",
        params={"site": "bochum", "service": "residence-registration"},
    ).json()["slots"]
    # A mobile number of the United States: outside the regions that get SMS.
    created = book(server, {"slot_id": slots[0]["id"], "phone": "+1 202 555 0143"})
    assert created["sms"] is False
    page = browser.new_page(viewport={"width": 360, "height": 800}, locale="ar")
    page.goto(f"{server}/ar{manage_path(created)}")
    sent = page.locator("#sent-to")
    expect(sent.locator("bdi")).to_have_count(1)  # the e-mail address only
    expect(sent.locator("bdi")).to_have_text("a•••@example.org")
    note = page.locator("#no-sms")
    expect(note).to_be_visible()
    expect(note.locator("bdi")).to_have_text("+1 202 •••• 143")  # masked by phonenumbers
    expect(note).to_contain_text("لا نرسل رسائل نصية")
    assert "555 0143" not in page.content()
    check_accessibility(page)
    shoot(page, "manage-no-sms-ar")

    # Without any address that gets a message, the page says to note the reference.
    phone_only = book(
        server, {"slot_id": slots[1]["id"], "email": None, "phone": "+1 202 555 0144"}
    )
    page.goto(f"{server}/en{manage_path(phone_only)}")
    expect(page.locator("#no-sms")).to_be_visible()
    expect(page.locator("#sent-to")).to_be_empty()
    expect(page.locator("#qr figcaption")).to_contain_text("we cannot send you a confirmation")


def test_the_sms_free_mobile_is_listed_masked_as_on_the_confirmation(
    server: str, browser: Browser
) -> None:
    slots = httpx.get(
        f"{server}/api/v1/availability",
        params={"site": "bochum", "service": "residence-registration"},
    ).json()["slots"]
    created = book(server, {"slot_id": slots[2]["id"], "phone": "+49 151 23456789"})
    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="ar")
    page.goto(f"{server}/ar{manage_path(created)}")
    expect(page.locator("#sent-to bdi").nth(1)).to_have_text("+49 151 •••• 789")
    expect(page.locator("#no-sms")).to_be_hidden()
