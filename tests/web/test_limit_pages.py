"""The booking limits as a visitor and a firm's HR person meet them on the page: in
Ukrainian on a phone, the refusal names the booking they have; a company key from
`wcr company-key` books for employees."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.databases import demo_sqlite
from tests.live_server import live_server
from tests.test_operations import wcr
from tests.web.conftest import check_accessibility, needs_chromium, shoot

pytestmark = [pytest.mark.slow, needs_chromium]


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    return demo_sqlite(tmp_path_factory.mktemp("limits") / "limits.sqlite3")


@pytest.fixture(scope="module")
def company_key(database: str) -> str:
    minted = wcr(database, "company-key", "Muster Maschinenbau GmbH")
    assert minted.returncode == 0, minted.stderr
    return minted.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def server(database: str) -> Iterator[str]:
    with live_server(
        database,
        WCR_MAX_ACTIVE_BOOKINGS_PER_CONTACT="3",
        WCR_MAX_ACTIVE_BOOKINGS_PER_COMPANY="20",
    ) as base:
        yield base


def book_first_time(page: Page, base: str, name: str, email: str, key: str = "") -> None:
    page.goto(f"{base}/uk/sites/bochum/times?services=residence-registration")
    page.locator("label.slot").first.click()
    page.locator("#continue").click()  # the details step
    page.fill("#name", name)
    page.fill("#email", email)
    if key:
        page.locator("details.company summary").click()
        page.fill("#company_key", key)
    page.locator("form button.primary").last.click()


def test_a_second_booking_of_the_day_names_the_first(server: str, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 800}, locale="uk")
    book_first_time(page, server, "Олена Коваленко", "olena.kowal@example.org")
    reference = page.locator("#reference").inner_text()
    book_first_time(page, server, "Олена Коваленко", "Olena.Kowal@Example.org")
    notice = page.locator("#notice")
    expect(notice).to_contain_text(reference)
    expect(notice).to_contain_text("У вас уже є запис")
    check_accessibility(page)
    shoot(page, "times-limit-uk")
    # The time stays chosen and what was typed comes along to the details step.
    expect(page.locator(".time-grid input:checked")).to_have_count(1)
    page.locator("#continue").click()
    expect(page.locator("#name")).to_have_value("Олена Коваленко")


def test_a_firm_books_for_its_employees_with_its_key(
    server: str, browser: Browser, company_key: str
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="de")
    hr = "personal@muster.example"
    for employee in ("Amir Haddad", "Olena Petrenko", "Mehmet Yılmaz", "Ana Souza"):
        book_first_time(page, server, employee, hr, key=company_key)
        expect(page.locator("#reference")).to_be_visible()
    # Without the key, the HR person's own address is held to the contact's limit.
    book_first_time(page, server, "Ana Souza", hr)
    expect(page.locator("#reference")).to_be_visible()


def test_a_wrong_company_key_is_tied_to_its_field(server: str, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 800}, locale="ar")
    page.goto(f"{server}/ar/sites/bochum/times?services=residence-registration")
    page.locator("label.slot").first.click()
    page.locator("#continue").click()  # the details step
    page.fill("#name", "Amira Haddad")
    page.fill("#email", "amira@example.org")
    page.locator("details.company summary").click()
    page.fill("#company_key", "wcr_ck_not-a-key")
    page.locator("form button.primary").last.click()
    expect(page.locator("#company_key")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#company_key-error")).to_have_text("يرجى التحقق من مفتاح الشركة.")
    expect(page.locator("details.company")).to_have_attribute("open", "")
    check_accessibility(page)
    shoot(page, "times-company-key-ar")
