"""Schemathesis drives the running server from its own OpenAPI schema: never a 5xx."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.live_server import live_server
from tests.test_operations import wcr

pytestmark = pytest.mark.slow

ST = str(Path(sys.executable).with_name("st"))


def test_no_server_errors_anywhere_in_the_schema(database_url: str, tmp_path: Path) -> None:
    assert wcr(database_url, "seed-demo").returncode == 0
    key = wcr(database_url, "agency-key", "buergerbuero-bochum").stdout.strip().splitlines()[-1]
    with live_server(database_url) as base:
        result = subprocess.run(
            [
                ST,
                "run",
                f"{base}/schema/openapi.json",
                "--checks",
                "not_a_server_error",
                # An event stream never ends by design; tests/queue/test_live_events.py
                # covers it against real servers.
                "--exclude-operation-id",
                "siteEvents",
                "--max-examples",
                "40",
                "--seed",
                "20261122",
                "--header",
                f"Authorization: Bearer {key}",
                "--generation-database",
                "none",
                "--request-timeout",
                "20",
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
            cwd=tmp_path,
        )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    checked = re.search(r"(\d+) generated, \d+ passed", result.stdout)
    assert checked, result.stdout[-3000:]
    assert int(checked.group(1)) > 500, result.stdout[-3000:]  # it really sent requests
