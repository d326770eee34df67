"""The purge erases names, not counted facts: it marks no cached day, and the figures
read afterwards, from the cache and counted, are the rows'. It runs last among the
statistics' tests (their seeded month keeps its counts, not its names)."""

from __future__ import annotations

from dataclasses import replace

from tests.stats import expected
from tests.stats.seeding import FIRST, LAST, READ_AT, Centre, simulated
from tests.stats.test_cache import daily
from wcr.catalogue import public as catalogue
from wcr.config import Settings
from wcr.privacy.public import purge
from wcr.stats import repository as repo


async def test_the_purge_keeps_the_cached_days(centre: Centre, settings: Settings) -> None:
    site = await catalogue.site_by_slug("bochum")
    with simulated(READ_AT):
        before = await daily(centre)  # October cached
        marks = await repo.marks(site.id, FIRST, LAST)
        cached = await repo.cached_days(site.id, site.timezone, FIRST, LAST)
        done = await purge(repo.engine(), replace(settings, retention_days=10))
        assert done.counts["booking"] > 0
        assert done.counts["ticket"] > 0
        assert await repo.marks(site.id, FIRST, LAST) == marks
        assert await repo.cached_days(site.id, site.timezone, FIRST, LAST) == cached
        assert await daily(centre) == before
        assert before == await expected.daily("bochum", FIRST, LAST, READ_AT.date())
