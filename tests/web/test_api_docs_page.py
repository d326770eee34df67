"""The API docs (/schema, /schema/swagger) in Debian's Chromium with no network but
the app's own: Swagger UI, served by the app, shows the operations with their problems
and security, under the pages' Content-Security-Policy without a violation."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Route, expect

from tests.live_server import live_server
from tests.test_operations import wcr
from tests.web.conftest import needs_chromium, shoot
from wcr.web.security import CONTENT_SECURITY_POLICY

pytestmark = [pytest.mark.slow, needs_chromium]


@pytest.fixture(scope="module")
def docs_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('docs') / 'docs.sqlite3'}"
    assert wcr(url, "migrate").returncode == 0
    with live_server(url) as base:
        yield base


# Runs before any page script, through the DevTools protocol (not subject to the policy).
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__violations.push(e.effectiveDirective + " " + e.blockedURI));
"""


@pytest.mark.parametrize("path", ["/schema", "/schema/swagger"])
def test_the_docs_page_works_offline_under_the_policy(
    docs_server: str, browser: Browser, path: str
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.add_init_script(WATCH)
    elsewhere: list[str] = []
    errors: list[str] = []

    def only_here(route: Route) -> None:
        if route.request.url.startswith(docs_server + "/"):
            route.continue_()
        else:  # no internet here, as on a welcome centre's closed network
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_here)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    answer = page.goto(docs_server + path)
    assert answer is not None
    assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    create = page.locator("#operations-booking-createBooking")
    expect(create).to_be_visible(timeout=20_000)
    create.locator(".opblock-summary").click()
    expect(page.locator(".opblock-body .response-col_status", has_text="409").first).to_be_visible()
    expect(page.locator("button.authorize")).to_be_visible()  # the security schemes
    assert page.evaluate("window.__violations") == []
    assert elsewhere == []
    assert errors == []
    if path == "/schema":
        shoot(page, "api-docs")
    page.close()
