"""A welcome centre set up from nothing through /admin, in Debian's Chromium at 1280 px
against a real server: an admin signs in, makes a site (after the form named a bad
time zone and overlapping hours), an agency serving it with a key shown once, two
services with texts in six languages (after the form named the missing agency), a
counter and a one-stop package; the agency publishes a slot with that key and a
visitor books it on the public pages. A site admin of another site is refused, also
for a POST crafted in its browser; disabled, it cannot sign in any more. Every admin
page passes axe-core; screenshots in German and Arabic at 360 and 1280 px."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.live_server import live_server
from tests.test_operations import wcr
from tests.web.conftest import check_accessibility, needs_chromium, shoot

pytestmark = [pytest.mark.slow, needs_chromium]

PASSWORD = "admin password of the test"
BERLIN = ZoneInfo("Europe/Berlin")
SIX = {
    "de": (
        "Führerschein umschreiben",
        "Für Menschen mit einem Führerschein aus dem Ausland.",
        "Reisepass\nFührerschein",
    ),
    "en": (
        "Driving licence exchange",
        "For people with a driving licence from abroad.",
        "Passport\nDriving licence",
    ),
    "ar": (
        "تبديل رخصة القيادة",
        "للأشخاص الذين يحملون رخصة قيادة من الخارج.",
        "جواز السفر\nرخصة القيادة",
    ),
    "fr": (
        "Échange du permis de conduire",
        "Pour les titulaires d'un permis étranger.",
        "Passeport\nPermis de conduire",
    ),
    "tr": ("Ehliyet değişimi", "Yurt dışından ehliyeti olanlar için.", "Pasaport\nEhliyet"),
    "uk": (
        "Обмін посвідчення водія",
        "Для людей із посвідченням водія з-за кордону.",
        "Паспорт\nПосвідчення водія",
    ),
}
SECOND = {
    "de": ("Übersetzung des Führerscheins", "Beglaubigte Übersetzung für das Amt.", "Führerschein"),
    "en": ("Licence translation", "A certified translation for the office.", "Driving licence"),
    "ar": ("ترجمة رخصة القيادة", "ترجمة معتمدة للمكتب.", "رخصة القيادة"),
    "fr": (
        "Traduction du permis",
        "Une traduction certifiée pour le service.",
        "Permis de conduire",
    ),
    "tr": ("Ehliyet çevirisi", "Daire için onaylı çeviri.", "Ehliyet"),
    "uk": ("Переклад посвідчення", "Засвідчений переклад для установи.", "Посвідчення водія"),
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An empty, migrated database with one admin: everything else is made in the test."""
    url = f"sqlite:///{tmp_path_factory.mktemp('admin') / 'admin.sqlite3'}"
    assert wcr(url, "migrate").returncode == 0
    made = wcr(
        url, "staff-add", "boss", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert made.returncode == 0, made.stderr
    with live_server(url) as base:
        yield base


def _context(browser: Browser, base: str) -> BrowserContext:
    return browser.new_context(
        base_url=base,
        viewport={"width": 1280, "height": 900},
        locale="de-DE",
        timezone_id="Europe/Berlin",
    )


def _sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/admin")
    expect(page).to_have_url(re.compile(r"/de/admin/login"))
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")


def _summary(page: Page) -> list[str]:
    return [item.strip() for item in page.locator("#errors li").all_inner_texts()]


def _fill_site(page: Page, *, timezone: str, wednesday: tuple[str, str, str, str]) -> None:
    for day in range(1, 6):
        page.fill(f"[name='open.{day}.0']", "08:00")
        page.fill(f"[name='close.{day}.0']", "16:00")
    opens, closes, opens2, closes2 = wednesday
    page.fill("[name='open.3.0']", opens)
    page.fill("[name='close.3.0']", closes)
    page.fill("[name='open.3.1']", opens2)
    page.fill("[name='close.3.1']", closes2)
    page.fill("#timezone", timezone)


def _fill_service(page: Page, slug: str, texts: dict[str, tuple[str, str, str]]) -> None:
    page.fill("#slug", slug)
    page.fill("#duration_minutes", "30")
    page.check("input[name=sites][value=koeln]")
    for code, (name, about, bring) in texts.items():
        page.fill(f"#names-{code}", name)
        page.fill(f"#descriptions-{code}", about)
        page.fill(f"#bring-{code}", bring)


def _next_weekday(weekday: int) -> date:
    day = datetime.now(UTC).date() + timedelta(days=7)
    while day.isoweekday() != weekday:
        day += timedelta(days=1)
    return day


def _site(page: Page) -> None:
    """A site, after the form named a bad time zone, then overlapping hours."""
    page.click("a.tile[href='/de/admin/sites']")
    page.click("text=Neuer Standort")
    page.fill("#slug", "koeln")
    page.fill("#name", "Welcome Center Köln")
    page.fill("#address", "Domkloster 4, 50667 Köln")
    _fill_site(page, timezone="Europe/Koeln", wednesday=("08:00", "12:00", "13:00", "18:00"))
    page.click("button.primary")
    assert _summary(page) == [
        "Zeitzone: Diese Zeitzone kennen wir nicht. Schreiben Sie sie wie Europe/Berlin."
    ]
    expect(page.locator("#timezone")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("[name='open.3.1']")).to_have_value("13:00")  # what was typed stays
    check_accessibility(page)
    shoot(page, "admin-site-errors-de")
    page.fill("#timezone", "Europe/Berlin")
    page.fill("[name='open.3.1']", "11:00")
    page.click("button.primary")
    assert _summary(page) == [
        (
            "Öffnungszeiten am Mittwoch: 11:00-18:00 überschneidet sich mit der Öffnungszeit, "
            "die um 12:00 endet."
        )
    ]
    page.click("#errors a")  # the summary's link takes the reader to Wednesday
    expect(page.locator("#opening_hours-3")).to_be_focused()
    page.fill("[name='open.3.1']", "13:00")
    page.click("button.primary")
    expect(page).to_have_url(re.compile(r"/de/admin/sites/koeln\?saved=1$"))
    expect(page.locator(".saved")).to_be_visible()
    check_accessibility(page)
    shoot(page, "admin-site-de")

    # A second site, for the site admin who must stay out of Köln.
    page.goto("/de/admin/sites/new")
    page.fill("#slug", "bonn")
    page.fill("#name", "Welcome Center Bonn")
    page.fill("#address", "Markt 2, 53111 Bonn")
    page.click("button.primary")
    expect(page).to_have_url(re.compile(r"/de/admin/sites/bonn\?saved=1$"))


def _agency_key(page: Page) -> str:
    """An agency serving Köln, and its key, shown once."""
    page.goto("/de/admin/agencies/new")
    page.fill("#slug", "strassenverkehrsamt")
    page.fill("#name", "Straßenverkehrsamt Köln")
    page.check("input[name=sites][value=koeln]")
    page.click("button.primary")
    expect(page).to_have_url(re.compile(r"/de/admin/agencies/strassenverkehrsamt\?saved=1$"))
    page.click("text=Neuen Schlüssel erstellen")
    key = page.locator("#minted-key").inner_text().strip()
    assert key.startswith("wcr_")
    check_accessibility(page)
    shoot(page, "admin-agency-key-de")
    page.goto("/de/admin/agencies/strassenverkehrsamt")
    assert key not in page.content()
    expect(page.locator("#minted-key")).to_have_count(0)
    return key


def _services(page: Page) -> None:
    """Two services in six languages: the first try lacks its agency."""
    page.goto("/de/admin/services/new")
    _fill_service(page, "licence", SIX)
    page.click("button.primary")
    assert _summary(page) == [
        (
            "Partnerstelle, die es anbietet: Bitte wählen Sie die Partnerstelle, die dieses "
            "Anliegen anbietet."
        )
    ]
    check_accessibility(page)
    page.select_option("#agency", "strassenverkehrsamt")
    page.click("button.primary")
    expect(page).to_have_url(re.compile(r"/de/admin/services/licence\?saved=1$"))
    check_accessibility(page)
    shoot(page, "admin-service-de")
    page.goto("/de/admin/services/new?agency=strassenverkehrsamt")
    _fill_service(page, "licence-translation", SECOND)
    page.click("button.primary")
    expect(page).to_have_url(re.compile(r"/de/admin/services/licence-translation\?saved=1$"))
    _services_list(page)


def _services_list(page: Page) -> None:
    """The list shows how many wait for each service (one joined for two months ahead,
    and gone again, so that the visits later in the test are nobody's offer)."""
    ahead = datetime.now(UTC).date() + timedelta(days=60)
    joined = page.request.post(
        "/api/v1/waitlist",
        data={
            "site": "koeln",
            "service": "licence",
            "from": ahead.isoformat(),
            "to": (ahead + timedelta(days=10)).isoformat(),
            "name": "Waiting Person",
            "email": "waiting@example.org",
        },
    )
    assert joined.status == 201, joined.text()
    page.goto("/de/admin/services")
    cell = page.locator("tr", has=page.locator("code", has_text="licence")).first
    expect(cell.locator("td.waiting")).to_have_text("1 warten, 0 davon für die nächsten 7 Tage")
    check_accessibility(page)
    shoot(page, "admin-services-de")
    page.goto("/ar/admin/services")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    check_accessibility(page)
    shoot(page, "admin-services-ar")
    entry = joined.json()
    left = page.request.delete(
        f"/api/v1/waitlist/{entry['reference']}",
        headers={"Authorization": f"Bearer {entry['token']}"},
    )
    assert left.status == 204


def _counter_and_package(page: Page) -> None:
    """A counter and a package."""
    page.goto("/de/admin/sites/koeln/counters")
    page.fill("#name", "Schalter 1")
    page.select_option("#ranks-licence", "1")
    page.select_option("#ranks-licence-translation", "2")
    page.click("button.primary")
    expect(page).to_have_url(re.compile(r"/de/admin/sites/koeln/counters/\d+\?saved=1$"))
    page.goto("/de/admin/sites/koeln/counters")
    expect(page.locator("table").first).to_contain_text("1. Führerschein umschreiben")
    check_accessibility(page)
    shoot(page, "admin-counters-de")
    page.goto("/de/admin/sites/koeln/packages/new")
    page.fill("#slug", "koeln-licence")
    page.select_option("#services", "licence")
    page.select_option("#service-2", "licence-translation")
    page.fill("#names-de", "Führerschein komplett")
    page.fill("#names-en", "Driving licence, all in one")
    page.click("button.primary")
    expect(page).to_have_url(re.compile(r"/de/admin/sites/koeln/packages/koeln-licence\?saved=1$"))
    check_accessibility(page)
    shoot(page, "admin-package-de")


def _site_admin(page: Page) -> str:
    """A site admin of Bonn, made here."""
    page.goto("/de/admin/staff/new")
    page.fill("#username", "bonn-chief")
    page.fill("#password", PASSWORD)
    page.select_option("#role", "site_admin")
    page.select_option("#site", "bonn")
    page.click("button.primary")
    expect(page).to_have_url(re.compile(r"/de/admin/staff/\d+\?saved=1$"))
    chief_page = page.url.split("?")[0]
    check_accessibility(page)
    shoot(page, "admin-staff-account-de")
    page.goto("/de/admin/staff")
    check_accessibility(page)
    return chief_page


def _visitor_books(browser: Browser, server: str, key: str) -> None:
    """The agency publishes with the key, a visitor books on the public pages."""
    day = _next_weekday(2)
    start = datetime.combine(day, time(10, 0), tzinfo=BERLIN)
    with httpx.Client(base_url=server, timeout=10) as api:
        published = api.post(
            "/api/v1/agency/slots",
            headers={"Authorization": f"Bearer {key}"},
            json={
                "site": "koeln",
                "service": "licence",
                "start": start.isoformat(),
                "end": (start + timedelta(minutes=30)).isoformat(),
                "capacity": 1,
            },
        )
        assert published.status_code == 201, published.text
        slot_id = published.json()["slots"][0]["id"]
    visitor = browser.new_context(
        base_url=server, viewport={"width": 1280, "height": 900}, locale="de-DE"
    )
    public = visitor.new_page()
    public.goto("/de/sites/koeln")
    expect(public.locator("main")).to_contain_text("Führerschein umschreiben")
    public.goto(f"/de/sites/koeln/times?services=licence&day={day.isoformat()}")
    public.check(f"input[name=choice][value='{slot_id}']")
    public.locator("form:has(input[name=choice]) button[type=submit]").click()
    public.fill("input[name=name]", "Amira Haddad")
    public.fill("input[name=email]", "amira@example.org")
    public.locator("form[action$='/book'] button[type=submit]").click()
    expect(public.locator("main")).to_contain_text("Führerschein umschreiben")
    with httpx.Client(base_url=server, timeout=10) as api:
        booked = api.get(
            "/api/v1/agency/bookings",
            headers={"Authorization": f"Bearer {key}"},
            params={"from": day.isoformat(), "to": day.isoformat()},
        )
        assert booked.status_code == 200, booked.text
        assert [(b["slot_id"], b["name"], b["status"]) for b in booked.json()] == [
            (slot_id, "Amira Haddad", "confirmed")
        ]
    visitor.close()


def _site_admin_refused(page: Page, chief: Page, server: str) -> None:
    """The site admin of Bonn: its own site yes, Köln no, not even by a crafted POST."""
    _sign_in(chief, "bonn-chief")
    expect(chief).to_have_url(re.compile(r"/de/admin$"))
    check_accessibility(chief)
    shoot(chief, "admin-home-site-admin-de")
    answer = chief.goto("/de/admin/sites/koeln")
    assert answer is not None
    assert answer.status == 403
    check_accessibility(chief)
    shoot(chief, "admin-refused-de")
    chief.goto("/de/admin/sites/bonn")
    token = chief.locator("input[name=form_token]").first.get_attribute("value") or ""
    crafted = chief.request.post(
        "/de/admin/sites/koeln",
        form={
            "form_token": token,
            "name": "Übernommen",
            "address": "x",
            "timezone": "Europe/Berlin",
        },
        headers={"Origin": server},
    )
    assert crafted.status == 403
    for path, form in (
        ("/de/admin/sites/koeln/counters", {"name": "Fremd", "ranks.licence": "1"}),
        ("/de/admin/sites/koeln/packages", {"slug": "fremd", "service.1": "licence"}),
        ("/de/admin/agencies/strassenverkehrsamt/keys", {}),
        ("/de/admin/services/licence", {"names.de": "Fremd"}),
    ):
        assert (
            chief.request.post(
                path, form={"form_token": token, **form}, headers={"Origin": server}
            ).status
            == 403
        ), path
    page.goto("/de/admin/sites/koeln")
    expect(page.locator("#name")).to_have_value("Welcome Center Köln")


def _disabled(page: Page, chief: Page, chief_page: str) -> None:
    """Disabled, the site admin is signed out and cannot sign in again."""
    page.goto(chief_page)
    page.click("text=Konto sperren")
    expect(page.locator(".state-off")).to_be_visible()
    chief.goto("/de/admin/sites/bonn")
    expect(chief).to_have_url(re.compile(r"/de/admin/login"))
    chief.fill("#username", "bonn-chief")
    chief.fill("#password", PASSWORD)
    chief.click("button[type=submit]")
    expect(chief.locator("#errors")).to_contain_text("Dieses Konto ist gesperrt.")
    check_accessibility(chief)


def _arabic(page: Page) -> None:
    """Arabic, right to left, at both widths."""
    for path, name in (
        ("/ar/admin", "admin-home-ar"),
        ("/ar/admin/sites/koeln", "admin-site-ar"),
        ("/ar/admin/services/licence", "admin-service-ar"),
        ("/ar/admin/sites/koeln/counters", "admin-counters-ar"),
        ("/ar/admin/staff", "admin-staff-ar"),
    ):
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        check_accessibility(page)
        shoot(page, name)


def test_a_centre_set_up_through_admin_takes_a_booking(server: str, browser: Browser) -> None:
    context = _context(browser, server)
    page = context.new_page()
    _sign_in(page, "boss")
    expect(page).to_have_url(re.compile(r"/de/admin$"))
    check_accessibility(page)
    shoot(page, "admin-home-de")
    _site(page)
    key = _agency_key(page)
    _services(page)
    _counter_and_package(page)
    chief_page = _site_admin(page)
    _visitor_books(browser, server, key)
    other = _context(browser, server)
    chief = other.new_page()
    _site_admin_refused(page, chief, server)
    _disabled(page, chief, chief_page)
    other.close()
    _arabic(page)
    context.close()
