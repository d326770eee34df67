"""The waitlist's counts in the agency portal, in headless Chromium on the demo data:
under the week, how many wait for each of the agency's services and how many of them
for a day of the week shown; German at desk width and on a phone, Arabic right to
left; axe-core clean. A database of its own: entries waiting would be offered the
places the other portal tests free."""

from collections.abc import Iterator
from datetime import datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.conftest import BERLIN
from tests.live_server import live_server
from tests.test_operations import wcr
from tests.web.conftest import check_accessibility, needs_chromium, shoot
from tests.web.test_agency_portal import AGENCY, sign_in

pytestmark = [pytest.mark.slow, needs_chromium]
SERVICE = "residence-registration"


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('agency-waitlist') / 'agency.sqlite3'}"
    assert wcr(url, "migrate").returncode == 0
    assert wcr(url, "seed-demo").returncode == 0
    return url


@pytest.fixture(scope="module")
def server(database: str) -> Iterator[str]:
    with live_server(database) as base:
        yield base


@pytest.fixture(scope="module")
def key(database: str) -> str:
    return wcr(database, "agency-key", AGENCY).stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def waiting(server: str) -> None:
    """Two wait for a residence registration: one from today (so within the week the
    portal opens on), one from in a month; one waits for another agency's service."""
    today = datetime.now(BERLIN).date()
    for n, (service, first, last) in enumerate(
        ((SERVICE, 0, 1), (SERVICE, 30, 40), ("residence-permit", 0, 3))
    ):
        joined = httpx.post(
            f"{server}/api/v1/waitlist",
            json={
                "site": "bochum",
                "service": service,
                "from": (today + timedelta(days=first)).isoformat(),
                "to": (today + timedelta(days=last)).isoformat(),
                "name": f"Waiting Person {n}",
                "email": f"waiting{n}@example.org",
                "language": "en",
            },
            timeout=30,
        )
        assert joined.status_code == 201, joined.text


@pytest.mark.usefixtures("waiting")
@pytest.mark.parametrize(
    ("lang", "width", "text"),
    [
        ("de", 1280, "2 warten, {} davon für einen Tag in der gezeigten Woche"),
        ("de", 360, "2 warten, {} davon für einen Tag in der gezeigten Woche"),
        ("ar", 1280, "2 في الانتظار، منهم {} ليوم في الأسبوع المعروض"),
    ],
)
def test_the_week_shows_who_waits_for_the_agencys_services(
    server: str, browser: Browser, key: str, lang: str, width: int, text: str
) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900}, locale=lang)
    # This week, whether or not slots are left in it: the counts are for the week shown.
    sign_in(page, server, key, lang, cards=False)
    counts = page.locator("#week-waitlist-list li")
    expect(page.locator("#week-waitlist")).to_be_visible()
    # Its own service only (not the foreigners' office's residence permit).
    expect(counts).to_have_count(1)
    item = counts.first
    assert item.get_attribute("data-service") == SERVICE
    expect(item).to_contain_text(text.format(1))
    # Two weeks ahead both are still on the list, neither for a day of that week; five
    # weeks ahead the one from in a month is.
    for clicks, these_days in ((2, 0), (3, 1), (-5, 1)):
        for _ in range(abs(clicks)):
            page.locator("#next" if clicks > 0 else "#previous").click()
        expect(counts.first).to_contain_text(text.format(these_days))
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    if lang == "ar":
        assert page.locator("html").get_attribute("dir") == "rtl"
    check_accessibility(page)
    shoot(page, f"agency-waitlist-{lang}-{width}")
