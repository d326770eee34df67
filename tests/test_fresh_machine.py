"""A fresh machine: no venv module, PostgreSQL with password (scram) authentication, or
no PostgreSQL at all; each is met with a clear word, not a cryptic error (issue 13)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.databases import with_database
from wcr.database import postgres_config

ROOT = Path(__file__).resolve().parents[1]

# Debian's python3 without the python3-venv package: `-m venv` leaves a half-made folder.
NO_VENV = f"""#!/bin/sh
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then
  mkdir -p "$3"
  echo "The virtual environment was not created successfully: no ensurepip." >&2
  exit 1
fi
exec {sys.executable} "$@"
"""


@pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")
def test_make_says_what_to_install_where_venv_is_missing(tmp_path: Path) -> None:
    python = tmp_path / "python3"
    python.write_text(NO_VENV)
    python.chmod(0o755)
    venv = tmp_path / "venv"
    result = subprocess.run(
        ["make", "-C", str(ROOT), f"PYTHON={python}", f"VENV={venv}", "install"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    minor = sys.version_info[1]
    assert f"apt-get install python3-venv python3.{minor}-venv" in result.stderr, result.stderr
    assert not venv.exists()  # no half-made .venv for the next run to trip over


def test_a_password_in_the_test_url_reaches_every_database_it_makes() -> None:
    url = "postgresql://wcr_ci:p%40ss%2Fw%3Ard@127.0.0.1:5433/postgres"
    made = with_database(url, "wcr_test_1")
    assert made == "postgresql://wcr_ci:p%40ss%2Fw%3Ard@127.0.0.1:5433/wcr_test_1"
    config = postgres_config(made)
    assert (config["user"], config["password"], config["port"]) == ("wcr_ci", "p@ss/w:rd", 5433)
    assert config["database"] == "wcr_test_1"


@pytest.mark.slow
def test_a_run_without_postgresql_says_so_in_its_summary() -> None:
    env = {k: v for k, v in os.environ.items() if k != "CI"}  # CI would fail instead
    env["WCR_TEST_POSTGRES_URL"] = "postgresql://postgres:secret@127.0.0.1:1/postgres"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:randomly",
            "tests/test_smoke.py::test_health",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    out = result.stdout
    assert "PostgreSQL: 1 test SKIPPED (the PostgreSQL half of the database tests)" in out, out
    assert "ConnectionRefusedError" in out
    assert "export WCR_TEST_POSTGRES_URL=" in out
    assert "secret" not in out  # the password is masked
