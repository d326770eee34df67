"""Debian's Chromium, driven by Playwright (its own browser download is not used)."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# On CI, .ci/run installs Chromium, so a missing browser fails there instead.
needs_chromium = pytest.mark.skipif(
    not shutil.which("chromium") and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (apt-get install chromium)",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


# CI keeps this folder (see .ci/run): screenshots of every page at phone and desk width.
SHOTS = Path(os.environ.get("WCR_SCREENSHOTS", "var/screenshots"))
AXE = Path("node_modules/axe-core/axe.min.js")
WIDTHS = (360, 1280)


def shoot(page: Page, name: str) -> None:
    """Full-page screenshots at 360 px and 1280 px; the page keeps its own size after."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size or {"width": 1280, "height": 900}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": size["height"]})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(size)


def check_accessibility(page: Page) -> None:
    """axe-core (npm) in the page: no WCAG 2.1 A/AA violations."""
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail("axe-core is missing: npm install axe-core")
        return
    # Evaluated through the DevTools protocol: the pages' Content-Security-Policy admits
    # no inline script, which add_script_tag would be.
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a',"
        " 'wcag21aa']})).violations.map(v => v.id + ': ' + v.nodes.map(n => n.target).join(' '))"
    )
    assert result == [], result
