"""The statistics page in Debian's Chromium, on the seeded month: signed in through its
own form, German at desk width and on a phone, Arabic right to left; its tables hold
the numbers of the CSV files, its charts are drawn (by the uPlot we serve) without a
policy violation, and axe-core finds nothing."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.live_server import live_server
from tests.stats.conftest import Seeded
from tests.stats.seeding import PASSWORD
from tests.web.conftest import CHROMIUM_ARGS, check_accessibility, needs_chromium, shoot
from wcr.config import SUPPORTED_LANGUAGES

pytestmark = [pytest.mark.slow, needs_chromium]
MONTH = "site=bochum&from=2026-10-01&to=2026-10-31"
# The page's number symbols per language (Babel's): group, decimal.
SYMBOLS = {"de": (".", ","), "ar": (",", ".")}


@pytest.fixture
def browser() -> Iterator[Browser]:
    """A Chromium per test, not per module as in tests/web: the seeded month is a session
    fixture of each engine, and its async teardown cannot run while Playwright's own
    loop is open."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def server(seeded: Seeded) -> Iterator[str]:
    with live_server(seeded.database_url) as base:
        yield base


def csv_rows(base: str, token: str, path: str) -> list[dict[str, str]]:
    response = httpx.get(f"{base}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def as_csv(cells: list[str], lang: str) -> list[str]:
    """The page's numbers written as the CSV writes them."""
    group, decimal = SYMBOLS[lang]
    return [
        "" if cell.startswith("–") else cell.replace(group, "").replace(decimal, ".")
        for cell in cells
    ]


def table(page: Page, selector: str) -> dict[str, list[str]]:
    """Each body row of a table by its data key, its cells' text (the row header first)."""
    found: dict[str, list[str]] = page.evaluate(
        """(selector) => Object.fromEntries([...document.querySelectorAll(selector + ' tbody tr')]
        .map(row => [row.dataset.key || row.dataset.day || row.dataset.month,
                     [...row.children].map(cell => cell.innerText.trim())]))""",
        selector,
    )
    return found


def open_signed_in(browser: Browser, base: str, lang: str, width: int) -> tuple[Page, list[str]]:
    page = browser.new_page(viewport={"width": width, "height": 900}, locale=lang)
    problems: list[str] = []
    noisy = {"error", "warning"}
    page.on("console", lambda m: problems.append(m.text) if m.type in noisy else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{base}/{lang}/admin/stats?{MONTH}")
    # The back office's one sign-in page, which comes back to the same range.
    expect(page).to_have_url(re.compile(rf"/{lang}/admin/login\?next="))
    page.fill("#username", "boss")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.locator("form button[type=submit]").click()
    expect(page.locator("#days-table")).to_be_visible()
    assert page.url == f"{base}/{lang}/admin/stats?{MONTH}"
    return page, problems


def charts_drawn(page: Page) -> None:
    expect(page.locator(".chart canvas")).to_have_count(3)
    for chart in page.locator(".chart").all():
        assert chart.get_attribute("aria-hidden") == "true"


def test_german_at_desk_width_holds_the_csv_numbers(
    server: str, browser: Browser, seeded: Seeded
) -> None:
    page, problems = open_signed_in(browser, server, "de", 1280)
    expect(page.locator("h1")).to_have_text("Statistik")
    expect(page.locator("#overview-title")).to_contain_text("Welcome Office Bochum")
    charts_drawn(page)
    token = seeded.tokens["boss"]
    daily = csv_rows(server, token, f"/api/v1/stats/daily.csv?{MONTH}")
    detail = table(page, "#detail-table")
    assert len(detail) == len(daily)
    for row in daily:
        cells = detail[f"{row['day']} {row['site']} {row['agency']} {row['service']}"]
        assert as_csv(cells[3:], "de") == [row[c] for c in list(row)[4:]], row
    # The days' table adds up the CSV's rows of each day.
    days = table(page, "#days-table")
    assert len(days) == 31
    for day, cells in days.items():
        same_day = [r for r in daily if r["day"] == day]
        for n, column in enumerate(("booked", "cancelled", "no_shows", "walk_ins", "served")):
            assert int(as_csv([cells[1 + n]], "de")[0]) == sum(int(r[column]) for r in same_day)
    # The ESF table has the chosen month, as the year's file has it.
    months = table(page, "#months-table")
    monthly = csv_rows(server, token, "/api/v1/stats/monthly.csv?site=bochum&year=2026")
    october = next(r for r in monthly if r["month"] == "2026-10")
    assert list(months) == ["2026-10"]
    assert as_csv(months["2026-10"][1:], "de") == [october[c] for c in list(october)[2:]]
    languages = page.locator("#languages-table tbody tr")
    expect(languages).to_have_count(len(SUPPORTED_LANGUAGES))
    check_accessibility(page)
    shoot(page, "stats-de")
    assert problems == []


def test_german_on_a_phone_scrolls_tables_not_the_page(server: str, browser: Browser) -> None:
    page, problems = open_signed_in(browser, server, "de", 360)
    charts_drawn(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    # A table too wide for the phone scrolls in its own box, which a keyboard can reach.
    wrap = page.locator("#per-day .table-wrap")
    assert wrap.get_attribute("tabindex") == "0"
    assert page.evaluate("document.querySelector('#per-day .table-wrap').scrollWidth") > 360
    check_accessibility(page)
    assert problems == []


def test_arabic_right_to_left(server: str, browser: Browser, seeded: Seeded) -> None:
    page, problems = open_signed_in(browser, server, "ar", 1280)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("h1")).to_have_text("الإحصاءات")
    charts_drawn(page)
    daily = csv_rows(server, seeded.tokens["boss"], f"/api/v1/stats/daily.csv?{MONTH}")
    detail = table(page, "#detail-table")
    for row in daily:
        cells = detail[f"{row['day']} {row['site']} {row['agency']} {row['service']}"]
        assert as_csv(cells[3:], "ar") == [row[c] for c in list(row)[4:]]
    # Right to left: the first column (the day) is on the right.
    first, last = (page.locator("#days-table thead th").nth(n).bounding_box() for n in (0, -1))
    assert first is not None
    assert last is not None
    assert first["x"] > last["x"]
    check_accessibility(page)
    page.set_viewport_size({"width": 360, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    check_accessibility(page)
    shoot(page, "stats-ar")
    assert problems == []


def test_the_front_desk_is_told_it_has_no_access(server: str, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/en/admin/stats")
    page.fill("#username", "clerk")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.locator("form button[type=submit]").click()
    expect(page.locator("#denied-title")).to_have_text("No access")
    expect(page.locator("#days-table")).to_have_count(0)
    check_accessibility(page)


def test_a_wrong_range_is_explained_at_its_field(server: str, browser: Browser) -> None:
    page, _ = open_signed_in(browser, server, "de", 1280)
    page.fill("#field-from", "2026-10-31")
    page.fill("#field-to", "2026-10-01")
    with page.expect_navigation():
        page.locator(".stats-filter button").click()
    alert = page.locator(".problem[role=alert]")
    expect(alert).to_contain_text("Der letzte Tag darf nicht vor dem ersten Tag liegen.")
    expect(page.locator("#field-to")).to_have_attribute("aria-invalid", "true")
    alert.locator("a").click()
    expect(page.locator("#field-to")).to_be_focused()
    check_accessibility(page)
    shoot(page, "stats-de-invalid")


def test_a_year_shows_its_rows_per_service_and_day_as_the_csv_only(
    server: str, browser: Browser, seeded: Seeded
) -> None:
    page, problems = open_signed_in(browser, server, "de", 1280)
    year = "site=bochum&from=2026-01-01&to=2026-12-31"
    page.goto(f"{server}/de/admin/stats?{year}")
    expect(page.locator("#days-table")).to_be_visible()
    expect(page.locator("#detail-table")).to_have_count(0)
    daily = csv_rows(server, seeded.tokens["boss"], f"/api/v1/stats/daily.csv?{year}")
    note = page.locator("#detail-in-csv")
    expect(note).to_contain_text(f"die {len(daily):,} Zeilen".replace(",", "."))
    link = note.locator("a[download]")
    assert link.get_attribute("href") == f"/api/v1/stats/daily.csv?{year}"
    # A range of a month or two keeps its table (the test above: October's rows).
    check_accessibility(page)
    note.scroll_into_view_if_needed()
    shoot(page, "stats-year-de")
    assert problems == []
