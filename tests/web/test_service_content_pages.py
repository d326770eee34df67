"""Service content on the booking pages, in headless Chromium at 360 px in Arabic:
what a service is and what to bring on the service choice, the times step, the
confirmation and the manage page; `lang` on a text that fell back to German; advice
in Arabic; the Bochum package only on Wednesdays. axe-core on every page."""

import json
import sqlite3
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.databases import demo_sqlite
from tests.live_server import live_server
from tests.web.conftest import check_accessibility, needs_chromium, shoot

pytestmark = [pytest.mark.slow, needs_chromium]

GERMAN_ONLY = "Beratung zu Arbeit und Stellensuche, nur auf Deutsch beschrieben."


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = tmp_path_factory.mktemp("content") / "content.sqlite3"
    url = demo_sqlite(path)
    # One service described in German only: its text must fall back with lang="de".
    with sqlite3.connect(path) as db:
        db.execute(
            "UPDATE service SET descriptions = ? WHERE slug = 'employment-agency'",
            (json.dumps({"de": GERMAN_ONLY}),),
        )
    with live_server(url) as base:
        yield base


def arabic_page(browser: Browser) -> Page:
    return browser.new_page(viewport={"width": 360, "height": 800}, locale="ar")


def is_arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


def test_service_choice_says_what_each_service_is_in_arabic(server: str, browser: Browser) -> None:
    page = arabic_page(browser)
    page.goto(f"{server}/ar/sites/bochum")
    about = page.locator("#about-residence-registration")
    expect(about).to_be_visible()
    assert is_arabic(about.inner_text())
    expect(about).not_to_have_attribute("lang", "de")
    # The checkbox is described by it.
    box = page.locator("input[value=residence-registration]")
    expect(box).to_have_attribute("aria-describedby", "about-residence-registration")
    fallback = page.locator("#about-employment-agency")
    expect(fallback).to_have_text(GERMAN_ONLY)
    expect(fallback).to_have_attribute("lang", "de")
    # Names of the package and its services are Arabic too.
    expect(page.locator("a.choice strong").first).to_contain_text("زيارة شاملة")
    page.locator("details.bring").first.locator("summary").click()
    expect(page.locator("details.bring ul").first).to_be_visible()
    check_accessibility(page)
    shoot(page, "content-site-ar")


def test_times_step_shows_description_and_what_to_bring_then_advice_in_arabic(
    server: str, browser: Browser
) -> None:
    page = arabic_page(browser)
    page.goto(f"{server}/ar/sites/bochum/times?services=residence-registration")
    info = page.locator(".service-info")
    expect(info.locator(".about")).to_be_visible()
    assert is_arabic(info.locator(".about").inner_text())
    items = info.locator("ul.bring li")
    assert items.count() >= 3
    for n in range(items.count()):
        expect(items.nth(n)).to_be_visible()
    assert is_arabic(items.first.inner_text())
    expect(info.locator("ul.bring")).not_to_have_attribute("lang", "de")
    advice = page.locator("nav.advice a[hreflang=ar]")
    expect(advice).to_have_text("العربية")
    check_accessibility(page)
    shoot(page, "content-times-ar")

    advice.click()
    expect(page.locator("nav.advice a[aria-current=true]")).to_have_text("العربية")
    values = "l => l.map(i => i.value)"
    offered = set(page.locator("input[name=choice]").evaluate_all(values))
    assert offered
    day = page.locator("input[name=day]").input_value()
    # The same day without the language: more times; with it, only the Arabic ones.
    every = arabic_page(browser)
    every.goto(f"{server}/ar/sites/bochum/times?services=residence-registration&day={day}")
    assert offered < set(every.locator("input[name=choice]").evaluate_all(values))
    every.close()
    from_api = httpx.get(
        f"{server}/api/v1/availability",
        params={
            "site": "bochum",
            "service": "residence-registration",
            "advice_language": "ar",
            "from": day,
            "to": day,
        },
    ).json()["slots"]
    assert offered == {str(s["id"]) for s in from_api}
    assert all("ar" in s["languages"] for s in from_api)
    check_accessibility(page)
    shoot(page, "content-times-advice-ar")

    page.locator("label.slot").first.click()
    page.locator("#continue").click()
    expect(page.locator("#advice-language")).to_contain_text("العربية")  # on the details step
    page.fill("#name", "Amira Haddad")
    page.fill("#email", "amira@example.org")
    page.locator("#book").click()
    expect(page.locator("#advice-language")).to_contain_text("العربية")
    bring = page.locator(".bring-lists ul.bring li")
    assert bring.count() >= 3
    expect(bring.first).to_be_visible()
    assert is_arabic(bring.first.inner_text())
    check_accessibility(page)
    shoot(page, "content-booked-ar")

    page.locator("#manage").click()
    expect(page.locator("#bring-lists ul.bring li").first).to_be_visible()
    assert is_arabic(page.locator("#bring-lists ul.bring li").first.inner_text())
    expect(page.locator("#advice-language")).to_contain_text("العربية")
    check_accessibility(page)
    shoot(page, "content-manage-ar")


def test_a_german_only_description_carries_lang_de(server: str, browser: Browser) -> None:
    page = arabic_page(browser)
    page.goto(f"{server}/ar/sites/bochum/times?services=employment-agency")
    about = page.locator(".service-info .about")
    expect(about).to_have_text(GERMAN_ONLY)
    expect(about).to_have_attribute("lang", "de")
    expect(page.locator(".service-info ul.bring")).not_to_have_attribute("lang", "de")
    check_accessibility(page)
    shoot(page, "content-times-fallback-ar")


def test_the_bochum_package_offers_only_wednesdays(server: str, browser: Browser) -> None:
    page = arabic_page(browser)
    page.goto(f"{server}/ar/sites/bochum/times?package=bochum-one-stop")
    assert_only_wednesdays(page)
    # One part per service of the package, each with what to bring.
    parts = page.locator(".service-info details")
    expect(parts).to_have_count(3)
    parts.first.locator("summary").click()
    expect(parts.first.locator("ul.bring")).to_be_visible()
    check_accessibility(page)
    shoot(page, "content-package-ar")
    page.locator("#later").click()  # the next week: still Wednesdays only
    assert_only_wednesdays(page)


def assert_only_wednesdays(page: Page) -> None:
    """The strip's days with free times, and the chosen day, are Wednesdays."""
    offered = page.locator(".date-strip li:not(.none)")
    assert offered.count() >= 1
    for n in range(offered.count()):
        expect(offered.nth(n).locator(".weekday")).to_have_text("أربعاء")  # Wednesday
    expect(page.locator(".time-grid legend")).to_contain_text("الأربعاء")
    assert page.locator(".time-grid label.slot").count() >= 1
