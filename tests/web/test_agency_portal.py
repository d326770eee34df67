"""The agency portal in headless Chromium, on the demo data, as a clerk of the Bochum
citizens' office uses it: the week grid (desk) and the list of days (phone), a slot
edited in its dialog, a pattern previewed and published past an overlap, a day
closed, the printable day list; German and Arabic (right to left); axe-core clean."""

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import BERLIN
from tests.databases import demo_sqlite
from tests.live_server import live_server
from tests.test_operations import wcr
from tests.web.conftest import SHOTS, check_accessibility, needs_chromium, shoot

pytestmark = [pytest.mark.slow, needs_chromium]
AGENCY = "buergerbuero-bochum"
REFERENCE = re.compile(r"^[A-Z0-9]{8}$")


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_sqlite(tmp_path_factory.mktemp("agency") / "agency.sqlite3")


@pytest.fixture(scope="module")
def server(database: str) -> Iterator[str]:
    with live_server(database) as base:
        yield base


@pytest.fixture(scope="module")
def key(database: str) -> str:
    return wcr(database, "agency-key", AGENCY).stdout.strip().splitlines()[-1]


def sign_in(page: Page, base: str, key: str, lang: str = "de", *, cards: bool = True) -> None:
    """Signed in with the week drawn: its summary written, and (``cards``) a week with
    slots, this one or the next."""
    page.goto(f"{base}/{lang}/agency")
    page.fill("#key", key)
    page.locator("#signin-form button").click()
    expect(page.locator("#portal")).to_be_visible()
    expect(page.locator("#week-summary")).not_to_be_empty()
    if cards and page.locator(".slot-card").count() == 0:
        # Late in the week, after the closure test, this week may have none left.
        page.locator("#next").click()
    if cards:
        expect(page.locator(".slot-card").first).to_be_attached()


def weekday_ahead(weekday: int, weeks: int) -> str:
    day = datetime.now(BERLIN).date() + timedelta(weeks=weeks)
    while day.isoweekday() != weekday:
        day += timedelta(days=1)
    return day.isoformat()


def test_week_grid_slot_dialog_and_names(server: str, browser: Browser, key: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="de")
    page.goto(f"{server}/agency")
    expect(page.locator("h1")).to_have_text("Portal für Partnerstellen")
    page.fill("#key", "wcr_ak_wrong")
    page.locator("#signin-form button").click()
    expect(page.locator("#message")).to_have_text("Dieser Schlüssel ist ungültig.")
    sign_in(page, server, key)
    expect(page.locator("#agency-name")).to_have_text("Stadt Bochum – Bürgerbüro")
    # Names, never ids: the services by name, the sites it serves, no other.
    expect(page.locator("#service option")).to_have_count(1)
    expect(page.locator("#site option")).to_have_count(1)
    expect(page.locator("#site")).to_have_value("bochum")
    grid = page.locator("#week-grid table.week-table")
    expect(grid).to_be_visible()
    expect(page.locator("#week-days")).to_be_hidden()
    # Bookings are in the grid: who, reference, language.
    person = grid.locator(".people li").first
    expect(person.locator(".ref")).to_have_text(REFERENCE)
    assert person.locator(".name").inner_text().strip()
    assert person.locator(".lang").inner_text().strip()
    check_accessibility(page)
    shoot(page, "agency-week-de")
    # A slot with room: its dialog, the capacity raised, the result beside the button.
    page.locator(".slot-button:not(.full)").first.click()
    dialog = page.locator("#slot-dialog")
    expect(dialog).to_be_visible()
    capacity = int(page.locator("#slot-capacity").input_value())
    page.fill("#slot-capacity", str(capacity + 1))
    page.locator("#slot-save").click()
    expect(page.locator("#slot-result")).to_contain_text("Gespeichert.")
    expect(page.locator("#slot-result")).to_contain_text(f"von {capacity + 1} Plätzen")
    check_accessibility(page)
    page.screenshot(path=str(SHOTS / "agency-slot-dialog-de-1280.png"))
    page.locator("#slot-close").click()
    # Paging by week, and back to this one (sign_in may have shown the next already).
    page.locator("#this-week").click()
    this_week = page.locator("#week").inner_text()
    today = datetime.now(BERLIN).date()
    monday = today - timedelta(days=today.weekday())
    assert re.match(rf"\w+\., {monday.day}\. ", this_week), this_week  # "Mo., 30. Nov. ..."
    page.locator("#next").click()
    expect(page.locator("#week")).not_to_have_text(this_week)
    page.locator("#this-week").click()
    expect(page.locator("#week")).to_have_text(this_week)


# Between them, at any hour one of these has another date than Berlin (UTC-11, UTC+14).
@pytest.mark.parametrize("zone", ["Pacific/Pago_Pago", "Pacific/Kiritimati"])
def test_the_week_is_the_sites_whatever_the_browsers_zone(
    server: str, browser: Browser, key: str, zone: str
) -> None:
    context = browser.new_context(locale="de", timezone_id=zone)
    page = context.new_page()
    sign_in(page, server, key, cards=False)
    today = datetime.now(BERLIN).date()
    monday = today - timedelta(days=today.weekday())
    week = rf"\w+\., {monday.day}\. "  # "Mo., 7. Dez. ..."
    opened = page.locator("#week").inner_text()
    assert re.match(week, opened), (zone, opened)
    page.locator("#next").click()
    expect(page.locator("#week")).not_to_have_text(opened)
    page.locator("#this-week").click()
    expect(page.locator("#week")).to_have_text(re.compile(week))
    expect(page.locator("#closure-date")).to_have_value(today.isoformat())
    context.close()


def test_pattern_preview_publishes_past_an_overlap(server: str, browser: Browser, key: str) -> None:
    saturday = weekday_ahead(6, 4)
    existing = httpx.post(
        f"{server}/api/v1/agency/slots",
        headers={"Authorization": f"Bearer {key}"},
        json={
            "site": "bochum",
            "service": "residence-registration",
            "start": f"{saturday}T10:30:00",
            "end": f"{saturday}T11:00:00",
        },
    )
    assert existing.status_code == 201, existing.text
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="de")
    sign_in(page, server, key)
    page.fill("input[name=from_date]", saturday)
    page.fill("input[name=to_date]", saturday)
    for day in range(1, 8):
        page.locator(f"input[name=weekdays][value='{day}']").set_checked(day == 6)
    page.fill("input[name=start_time]", "10:00")
    page.fill("input[name=end_time]", "11:30")
    preview = page.locator("#preview")
    expect(preview).to_contain_text("Das ergibt 2 Termine an einem Tag, von Sa.")
    expect(preview).to_contain_text("bis 11:30")
    expect(preview.locator("li")).to_have_count(1)
    expect(preview.locator("li")).to_contain_text("10:30")
    check_accessibility(page)
    page.locator("#publish-title").scroll_into_view_if_needed()
    shoot(page, "agency-preview-de")
    page.locator("#publish-form button[type=submit]").click()
    result = page.locator("#publish-result")
    expect(result).to_contain_text("Veröffentlicht: 2 Termine.")
    expect(result.locator("li")).to_have_count(1)
    expect(result.locator("li")).to_contain_text("zu dieser Zeit gibt es schon einen Termin")
    # The grid moved to that week and shows the three slots of the Saturday.
    expect(page.locator("#week-grid .slot-card")).to_have_count(3)


def test_a_place_only_held_for_the_waitlist_is_withdrawn_without_force(
    server: str, browser: Browser, key: str
) -> None:
    wednesday = weekday_ahead(3, 6)
    agency = {"Authorization": f"Bearer {key}"}
    published = httpx.post(
        f"{server}/api/v1/agency/slots",
        headers=agency,
        json={
            "site": "bochum",
            "service": "residence-registration",
            "start": f"{wednesday}T07:00:00",
            "end": f"{wednesday}T07:30:00",
        },
    )
    assert published.status_code == 201, published.text
    slot_id = published.json()["slots"][0]["id"]
    booked = httpx.post(
        f"{server}/api/v1/bookings",
        json={"slot_id": slot_id, "name": "First Booker", "email": "first-held@example.org"},
    ).json()
    entry = httpx.post(
        f"{server}/api/v1/waitlist",
        json={
            "site": "bochum",
            "service": "residence-registration",
            "from": wednesday,
            "to": wednesday,
            "name": "Waiting Person",
            "email": "waiting-held@example.org",
            "language": "de",
        },
    ).json()
    cancelled = httpx.post(
        f"{server}/api/v1/bookings/{booked['reference']}/cancel",
        headers={"Authorization": f"Bearer {booked['manage_token']}"},
    )
    assert cancelled.status_code == 200, cancelled.text
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="de")
    sign_in(page, server, key, cards=False)
    monday = (date.fromisoformat(wednesday) - timedelta(days=2)).isoformat()
    for _ in range(8):  # the week asked for is in the export's "from" at once
        if page.locator("#export-from").input_value() >= monday:
            break
        page.locator("#next").click()
    expect(page.locator("#export-from")).to_have_value(monday)
    expect(page.locator(f"#week-grid thead th a[href$='{wednesday}']")).to_be_attached()
    card = page.locator("#week-grid .slot-button", has_text="07:00")
    expect(card).to_contain_text("1/1")  # the place counts, held for the entry
    card.click()
    expect(page.locator("#slot-dialog")).to_be_visible()
    # Nobody booked it: no force box, no "people are told"; the offer is named.
    expect(page.locator("#slot-people li")).to_have_count(2)
    expect(page.locator("#slot-people li.held")).to_contain_text("Warteliste")
    expect(page.locator("#slot-force-label")).to_be_hidden()
    check_accessibility(page)
    page.screenshot(path=str(SHOTS / "agency-held-slot-de-1280.png"))
    page.locator("#slot-withdraw").click()
    expect(page.locator("#slot-result")).to_contain_text("zurückgezogen")
    view = httpx.get(
        f"{server}/api/v1/waitlist/{entry['reference']}",
        headers={"Authorization": f"Bearer {entry['token']}"},
    ).json()
    assert (view["status"], view["offer_withdrawn"]) == ("waiting", True)


def test_closing_a_day_with_bookings_asks_first(server: str, browser: Browser, key: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="de")
    sign_in(page, server, key)
    # The first day ahead whose grid shows bookings.
    day = page.evaluate(
        "() => { const c = Array.from(document.querySelectorAll('.slot-card'))"
        ".find(n => n.querySelector('.people li') && n.closest('td'));"
        " const col = c.closest('td').cellIndex;"
        " const link = document.querySelectorAll('thead th')[col].querySelector('a');"
        " return link.getAttribute('href').slice(-10); }"
    )
    page.fill("#closure-date", day)
    page.locator("#closure-check").click()
    expect(page.locator("#closure-plan")).to_be_visible()
    expect(page.locator("#closure-summary")).to_contain_text("Personen sind gebucht")
    people = page.locator("#closure-people li").count()
    assert people > 0
    check_accessibility(page)
    page.locator("#closure-title").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "agency-closure-plan-de-1280.png"), full_page=False)
    page.locator("#closure-choice input[value=cancel]").check()
    page.locator("#closure-confirm").click()
    result = page.locator("#closure-result")
    expect(result).to_contain_text("Der Tag ist geschlossen")
    expect(result.locator("li")).to_have_count(people)
    expect(result.locator("li").first).to_contain_text("abgesagt, benachrichtigt")
    expect(page.locator("#closed-days li button")).to_have_count(1)
    page.screenshot(path=str(SHOTS / "agency-closure-done-de-1280.png"), full_page=False)


def test_day_list_prints(server: str, browser: Browser, key: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="de")
    # This week may have nothing left (late in the week, after the closure test
    # emptied its first day with bookings): then no slot card to wait for.
    sign_in(page, server, key, cards=False)
    # The last day of the week with people booked; with none left in this one, the
    # next week's.
    if page.locator("#week-grid td .people li").count() == 0:
        page.locator("#next").click()
    expect(page.locator("#week-grid td .people li").first).to_be_attached()
    column = page.evaluate(
        "() => Math.max(...Array.from(document.querySelectorAll('#week-grid td'))"
        ".filter(td => td.querySelector('.people li')).map(td => td.cellIndex))"
    )
    page.locator("#week-grid thead th").nth(column).locator("a.day-list").click()
    expect(page.locator("h1")).to_contain_text("Tagesliste")
    table = page.locator("#sheet table").first
    expect(table.locator("th")).to_have_text(
        ["Zeit", "Name", "Anliegen", "Buchungsnummer", "Sprache der Person"]
    )
    check_accessibility(page)
    shoot(page, "agency-day-de")
    page.emulate_media(media="print")
    expect(page.locator("#print")).to_be_hidden()
    expect(page.locator(".site-header")).to_be_hidden()
    page.screenshot(path=str(SHOTS / "agency-day-print-de-1280.png"), full_page=True)


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_phone_shows_days_as_a_list(server: str, browser: Browser, key: str, lang: str) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 800}, locale=lang)
    sign_in(page, server, key, lang)
    expect(page.locator("#week-grid")).to_be_hidden()
    days = page.locator("#week-days section.day")
    expect(days.first).to_be_visible()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, width  # nothing wider than the phone
    if lang == "ar":
        assert page.locator("html").get_attribute("dir") == "rtl"
        expect(page.locator("h1")).not_to_have_text("Partner agency portal")
    check_accessibility(page)
    shoot(page, f"agency-week-{lang}")
    page.locator("#week-days .slot-button").first.click()
    expect(page.locator("#slot-dialog")).to_be_visible()
    check_accessibility(page)
    page.screenshot(path=str(SHOTS / f"agency-slot-dialog-{lang}-360.png"))


def test_arabic_week_grid_on_a_desk(server: str, browser: Browser, key: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="ar")
    sign_in(page, server, key, "ar")
    expect(page.locator("#week-grid table")).to_be_visible()
    check_accessibility(page)
    page.screenshot(path=str(SHOTS / "agency-week-ar-1280.png"), full_page=True)
    page.goto(f"{server}/ar/agency/day/{weekday_ahead(3, 0)}")
    expect(page.locator("#sheet")).not_to_be_empty()
    check_accessibility(page)
    shoot(page, "agency-day-ar")
