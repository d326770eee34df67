"""The chart library served from src/stats/static/ is the npm package's (the version in
package.json), with its licence on top: `make charts` copies it, this checks it."""

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "node_modules" / "uplot"
STATIC = ROOT / "src" / "stats" / "static"
# Where each served file comes from in the package (the Makefile's UPLOT_FILES).
FILES = {"uplot.min.js": "uPlot.iife.min.js", "uplot.min.css": "uPlot.min.css"}


def test_the_served_charts_are_the_pinned_npm_package_with_its_licence() -> None:
    if not PACKAGE.exists():
        if os.environ.get("CI"):
            pytest.fail("node_modules/uplot is missing: npm install")
        pytest.skip("npm install brings node_modules/uplot")
    version = json.loads((PACKAGE / "package.json").read_text())["version"]
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]["uplot"]
    assert version == pinned
    licence = (PACKAGE / "LICENSE").read_text()
    for served, source in FILES.items():
        header = (
            f'/*! uPlot {version} (npm "uplot", dist/{source}), copied by `make charts`.\n\n'
            f"{licence}\n*/\n"
        )
        expected = header + (PACKAGE / "dist" / source).read_text()
        assert (STATIC / served).read_text() == expected, f"make charts: {served} is stale"


def test_the_page_script_loads_nothing_from_elsewhere() -> None:
    script = (STATIC / "stats.js").read_text()
    assert "http" not in script
    assert "eval(" not in script
    assert "innerHTML" not in script
