"""bench/purge.py keeps measuring what it says: a small year on both engines purges
to nothing, with the statistics unchanged (the bench's own checks)."""

import asyncio
import os

import pytest

from bench import purge
from tests.databases import postgres_admin_url, postgres_available


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
def test_a_small_year_purges_clean(engine: str) -> None:
    # Not a coroutine: the bench runs its own event loops.
    if engine == "postgres" and not asyncio.run(postgres_available()):
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL must be reachable on CI (WCR_TEST_POSTGRES_URL)")
        pytest.skip("PostgreSQL not reachable; set WCR_TEST_POSTGRES_URL")
    options = purge.Options((engine,), 300, 400, postgres_admin_url(), json=False)
    figures = purge.measure(engine, options, 300, 400)
    assert figures.problems == []
    assert figures.purge.counts["booking"] == 300
    assert figures.dry_run.counts == figures.purge.counts
    assert figures.purge.peak_rss_mib > 0
