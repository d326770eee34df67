"""The waitlist in headless Chromium: joining from the times step in Ukrainian where no
time is free, then the waitlist page; in Arabic on a phone, a place freed by a
cancellation is held, "Book this place" books it and leads to the booking; leaving
asks first; a wrong token or another entry's shows "not found"."""

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
SERVICE = "residence-registration"
AGENCY = "buergerbuero-bochum"
PHONE: ViewportSize = {"width": 360, "height": 740}
FRIDAY = 5
SCREENS = 2


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('waitlist') / 'waitlist.sqlite3'}"
    assert wcr(url, "migrate").returncode == 0
    assert wcr(url, "seed-demo").returncode == 0
    key = wcr(url, "agency-key", AGENCY).stdout.strip().splitlines()[-1]
    with live_server(url) as base:
        yield base, key


def joining_week() -> str:
    """The week the joining tests look at: past the days of the offer tests (far_day),
    since a form waits from the week shown for a month, and its entry would take their
    freed places."""
    return (datetime.now(BERLIN).date() + timedelta(weeks=20)).isoformat()


def far_day(weeks: int) -> date:
    """A weekday some weeks ahead: beyond the demo's 14 days of slots, and before the
    joining tests' month (joining_week), so the tests do not take each other's places."""
    day = datetime.now(BERLIN).date() + timedelta(weeks=weeks)
    while day.isoweekday() > FRIDAY:
        day += timedelta(days=1)
    return day


def full_slot(base: str, key: str, day: date, hour: int) -> dict[str, str]:
    """A slot of one place on ``day``, booked: the waitlist then waits for it."""
    published = httpx.post(
        f"{base}/api/v1/agency/slots",
        json={
            "site": "bochum",
            "service": SERVICE,
            "start": datetime(day.year, day.month, day.day, hour, tzinfo=BERLIN).isoformat(),
            "end": datetime(day.year, day.month, day.day, hour, 30, tzinfo=BERLIN).isoformat(),
            "capacity": 1,
        },
        headers={"Authorization": f"Bearer {key}"},
    )
    assert published.status_code == 201, published.text
    slot = published.json()["slots"][0]["id"]
    made = httpx.post(
        f"{base}/api/v1/bookings",
        json={"slot_id": slot, "name": "First Booker", "email": "first@example.org"},
    )
    assert made.status_code == 201, made.text
    booking: dict[str, str] = made.json()
    return booking


def join(base: str, day: date, n: int, lang: str = "ar") -> dict[str, str]:
    joined = httpx.post(
        f"{base}/api/v1/waitlist",
        json={
            "site": "bochum",
            "service": SERVICE,
            "from": day.isoformat(),
            "to": day.isoformat(),
            "name": f"Waiting {n}",
            "email": f"waiting{n}@example.org",
            "language": lang,
        },
    )
    assert joined.status_code == 201, joined.text
    entry: dict[str, str] = joined.json()
    return entry


def cancel(base: str, booking: dict[str, str]) -> None:
    cancelled = httpx.post(
        f"{base}/api/v1/bookings/{booking['reference']}/cancel",
        headers={"Authorization": f"Bearer {booking['manage_token']}"},
    )
    assert cancelled.status_code == 200, cancelled.text


def entry_path(entry: dict[str, str], lang: str) -> str:
    return f"/{lang}/waitlist/{entry['reference']}#t={entry['token']}"


def looked_at(page: Page, name: str) -> int:
    """axe-core clean, screenshots kept; the page's height."""
    check_accessibility(page)
    shoot(page, name)
    height: int = page.evaluate("document.documentElement.scrollHeight")
    return height


def test_joining_from_the_times_step_in_ukrainian(
    server: tuple[str, str], browser: Browser
) -> None:
    base, _ = server
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="uk")
    later = joining_week()
    page.goto(f"{base}/uk/sites/bochum/times?services={SERVICE}&from={later}")
    expect(page.locator("#no-times")).to_be_visible()
    form = page.locator("#waitlist-form")
    expect(form).to_be_visible()
    looked_at(page, "waitlist-times-uk")
    page.fill("#waitlist-name", "Олена Коваленко")
    page.fill("#waitlist-email", "olena@example.org")
    page.locator("#join").click()
    expect(page.locator("h1")).to_be_visible()
    reference = page.locator("#reference").inner_text()
    assert len(reference) == 8
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    expect(page.locator("#next li")).to_have_count(3)
    looked_at(page, "waitlist-joined-uk")
    link = page.locator("#entry-link").get_attribute("href") or ""
    assert link.startswith(f"/uk/waitlist/{reference}#t=")
    page.locator("#entry-link").click()
    expect(page.locator("#waiting")).to_be_visible()
    expect(page.locator("#offered")).to_be_hidden()
    expect(page.locator("#leave")).to_be_visible()
    looked_at(page, "waitlist-waiting-uk")
    # The same form again: already waiting, said by the e-mail field, fields kept.
    page.goto(f"{base}/uk/sites/bochum/times?services={SERVICE}&from={later}")
    page.fill("#waitlist-name", "Олена Коваленко")
    page.fill("#waitlist-email", "olena@example.org")
    page.locator("#join").click()
    expect(page.locator("#waitlist-email-error")).to_be_visible()
    expect(page.locator("#errors")).to_be_focused()
    expect(page.locator("#waitlist-name")).to_have_value("Олена Коваленко")
    looked_at(page, "waitlist-join-error-uk")


def test_joining_in_arabic_on_a_phone(server: tuple[str, str], browser: Browser) -> None:
    """Right to left at 360 px: the form under the empty week, then the joined page;
    the form sits below the week's strip, so the page is three screens at most."""
    base, _ = server
    page = browser.new_page(viewport=PHONE, locale="ar")
    later = joining_week()
    page.goto(f"{base}/ar/sites/bochum/times?services={SERVICE}&from={later}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("#waitlist-form")).to_be_visible()
    times_height = looked_at(page, "waitlist-times-ar")
    assert times_height <= (SCREENS + 1) * PHONE["height"], times_height
    page.fill("#waitlist-name", "أمل حداد")
    page.fill("#waitlist-phone", "0171 2345678")
    page.locator("#join").click()
    expect(page.locator("#reference")).to_have_text(re.compile(r"^[A-Z0-9]{8}$"))
    expect(page.locator("#next li").first).to_contain_text("SMS")
    joined_height = looked_at(page, "waitlist-joined-ar")
    assert joined_height <= SCREENS * PHONE["height"], joined_height
    # Another language keeps the token: the joined page's language links lead to the
    # entry's page in that language.
    page.locator(".languages a[lang=de]").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator("#waiting")).to_be_visible()
    page.locator(".languages a[lang=ar]").click()
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("#waiting")).to_be_visible()


def test_a_freed_place_is_held_and_booked_in_arabic_on_a_phone(
    server: tuple[str, str], browser: Browser
) -> None:
    base, key = server
    day = far_day(7)
    booking = full_slot(base, key, day, 9)
    entry = join(base, day, 1)
    cancel(base, booking)  # the place frees: it is held for the entry
    page = browser.new_page(viewport=PHONE, locale="ar")
    page.goto(base + entry_path(entry, "ar"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    offered = page.locator("#offered")
    expect(offered).to_be_visible()
    expect(page.locator("#offered-title")).not_to_be_empty()
    when = page.locator("#offer-when").inner_text()
    assert "،" in when  # an Arabic date, joined the Arabic way
    assert "," not in when
    expect(page.locator("#offer-where")).to_contain_text("Bochum")
    expect(page.locator("#bring li").first).to_be_visible()
    height = looked_at(page, "waitlist-offered-ar")
    assert height <= SCREENS * PHONE["height"], height
    page.locator("#claim").click()
    expect(page.locator("#booked")).to_be_visible()
    booked_reference = page.locator("#booking-reference").inner_text()
    assert len(booked_reference) == 8
    expect(page.locator("#leave-row")).to_be_hidden()
    looked_at(page, "waitlist-booked-ar")
    manage = page.locator("#manage")
    assert (manage.get_attribute("href") or "").startswith(f"/ar/manage/{booked_reference}#t=")
    manage.click()
    expect(page.locator("#appointments li")).to_have_count(1)
    # Back on the waitlist page later: booked, with the link to the booking.
    page.goto(base + entry_path(entry, "ar"))
    expect(page.locator("#booked")).to_be_visible()
    expect(page.locator("#booking-reference")).to_have_text(booked_reference)
    assert f"/ar/manage/{booked_reference}#t=" in (manage.get_attribute("href") or "")
    # A second tap (another tab) finds nothing held any more: a sentence, not JSON.
    again = httpx.post(
        f"{base}/api/v1/waitlist/{entry['reference']}/claim",
        headers={"Authorization": f"Bearer {entry['token']}"},
    )
    assert again.status_code == 409


def test_an_offer_whose_time_the_agency_withdrew_says_so_in_arabic(
    server: tuple[str, str], browser: Browser
) -> None:
    base, key = server
    day = far_day(11)
    booking = full_slot(base, key, day, 9)
    entry = join(base, day, 6)
    cancel(base, booking)
    view = httpx.get(
        f"{base}/api/v1/waitlist/{entry['reference']}",
        headers={"Authorization": f"Bearer {entry['token']}"},
    ).json()
    withdrawn = httpx.delete(
        f"{base}/api/v1/agency/slots/{view['offer']['slot_ids'][0]}",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert withdrawn.status_code == 204, withdrawn.text
    page = browser.new_page(viewport=PHONE, locale="ar")
    page.goto(base + entry_path(entry, "ar"))
    expect(page.locator("#waiting")).to_be_visible()
    expect(page.locator("#offered")).to_be_hidden()
    notice = page.locator("#offer-withdrawn")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("قائمة الانتظار")
    expect(page.locator("#leave-row")).to_be_visible()
    looked_at(page, "waitlist-offer-withdrawn-ar")


def test_the_place_held_at_1280_and_a_claim_too_late(
    server: tuple[str, str], browser: Browser
) -> None:
    base, key = server
    day = far_day(8)
    booking = full_slot(base, key, day, 10)
    entry = join(base, day, 2, lang="en")
    cancel(base, booking)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base + entry_path(entry, "en"))
    expect(page.locator("#offered-title")).to_contain_text("A place is held for you until")
    looked_at(page, "waitlist-offered-en")
    # The visitor leaves in another tab meanwhile: the tap then says so in a sentence.
    left = httpx.delete(
        f"{base}/api/v1/waitlist/{entry['reference']}",
        headers={"Authorization": f"Bearer {entry['token']}"},
    )
    assert left.status_code == 204
    page.locator("#claim").click()
    expect(page.locator("#status")).to_have_text(
        "Sorry, the place is no longer held for you. It went to the next person."
    )
    expect(page.locator("#left")).to_be_visible()
    assert "{" not in page.locator("main").inner_text()


def test_leaving_asks_first(server: tuple[str, str], browser: Browser) -> None:
    base, _ = server
    entry = join(base, far_day(9), 3)
    page = browser.new_page(viewport=PHONE, locale="ar")
    page.goto(base + entry_path(entry, "ar"))
    expect(page.locator("#waiting")).to_be_visible()
    page.locator("#leave").click()
    expect(page.locator("#confirm-leave")).to_be_visible()
    expect(page.locator("#leave-yes")).to_be_focused()
    looked_at(page, "waitlist-leave-ar")
    page.locator("#leave-no").click()
    expect(page.locator("#confirm-leave")).to_be_hidden()
    seen = httpx.get(
        f"{base}/api/v1/waitlist/{entry['reference']}",
        headers={"Authorization": f"Bearer {entry['token']}"},
    )
    assert seen.json()["status"] == "waiting"
    page.locator("#leave").click()
    page.locator("#leave-yes").click()
    expect(page.locator("#left")).to_be_visible()
    expect(page.locator("#leave-row")).to_be_hidden()
    looked_at(page, "waitlist-left-ar")
    seen = httpx.get(
        f"{base}/api/v1/waitlist/{entry['reference']}",
        headers={"Authorization": f"Bearer {entry['token']}"},
    )
    assert seen.json()["status"] == "left"


def test_a_wrong_token_or_another_entrys_shows_not_found(
    server: tuple[str, str], browser: Browser
) -> None:
    base, _ = server
    mine = join(base, far_day(10), 4)
    theirs = join(base, far_day(10), 5)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    for path in (
        f"/en/waitlist/{mine['reference']}#t={theirs['token']}",
        f"/en/waitlist/{mine['reference']}#t=wrong-token-0123456789",
        f"/en/waitlist/{mine['reference']}",
        f"/en/waitlist/ACDEFGHJ#t={mine['token']}",
    ):
        page.goto("about:blank")
        page.goto(base + path)
        expect(page.locator("#missing")).to_be_visible()
        expect(page.locator("#entry")).to_be_hidden()
        assert "Waiting 4" not in page.content()
    looked_at(page, "waitlist-not-found-en")
