"""Debian's Chromium, driven by Playwright (its own browser download is not used)."""

import os
import shutil

import pytest
from playwright.sync_api import sync_playwright

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
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
