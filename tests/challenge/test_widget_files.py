"""The widget files served from src/challenge/static/ are the npm package's (the version
in package.json), with its licence on top: `make widget` copies them, this checks them."""

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "node_modules" / "altcha"
STATIC = ROOT / "src" / "challenge" / "static"
# Where each served file comes from in the package (the Makefile's WIDGET_FILES).
FILES = {
    "altcha.min.js": "external/altcha.min.js",
    "altcha.css": "external/altcha.css",
    "altcha-sha.js": "workers/sha.js",
}


def test_the_served_widget_is_the_pinned_npm_package_with_its_licence() -> None:
    if not PACKAGE.exists():
        if os.environ.get("CI"):
            pytest.fail("node_modules/altcha is missing: npm install")
        pytest.skip("npm install brings node_modules/altcha")
    version = json.loads((PACKAGE / "package.json").read_text())["version"]
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]["altcha"]
    assert version == pinned
    licence = (PACKAGE / "LICENSE.txt").read_text()
    for served, source in FILES.items():
        header = (
            f'/*! ALTCHA {version} (npm "altcha", dist/{source}), copied by `make widget`.\n\n'
            f"{licence}\n*/\n"
        )
        expected = header + (PACKAGE / "dist" / source).read_text()
        assert (STATIC / served).read_text() == expected, f"make widget: {served} is stale"


def test_the_page_script_starts_the_widget_with_our_own_worker() -> None:
    script = (STATIC / "challenge.js").read_text()
    assert 'new Worker("/static/altcha-sha.js")' in script
    assert "http" not in script  # nothing from another host
