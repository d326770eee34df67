"""One month played through the API per engine and test process (it takes a while);
the tests only read it, each through an app of its own on that database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest_asyncio

from tests.conftest import TEST_SECRET_KEY, running
from tests.databases import DatabaseFactory
from wcr.app import create_app
from wcr.config import Settings

from .seeding import Centre, Plan, seed_month, set_up_centre


@dataclass(frozen=True)
class Seeded:
    database_url: str
    tokens: dict[str, str]
    plan: Plan


def app_settings(settings: Settings, database_url: str) -> Settings:
    return Settings(**{**settings.__dict__, "database_url": database_url, "pool_size": 5})


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def seeded(databases: DatabaseFactory) -> AsyncIterator[Seeded]:
    url = await databases.new()
    settings = Settings(
        database_url=url,
        rate_limit_per_minute=0,
        staff_rate_limit_per_minute=0,
        public_url="http://testserver",
        dispatch_in_process=False,
        max_active_bookings_per_contact=0,
        max_active_bookings_per_company=0,
        challenge=False,
        secret_key=TEST_SECRET_KEY,
        pool_size=5,
    )
    application = create_app(settings)
    async with running(application):
        transport = httpx.ASGITransport(app=application)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            centre = await set_up_centre(application, c)
            plan = await seed_month(centre)
    yield Seeded(database_url=url, tokens=centre.tokens, plan=plan)
    await databases.drop(url)


@pytest_asyncio.fixture
async def centre(seeded: Seeded, settings: Settings) -> AsyncIterator[Centre]:
    """An app of its own on the seeded month, and the seed's staff tokens."""
    application = create_app(app_settings(settings, seeded.database_url))
    async with running(application):
        transport = httpx.ASGITransport(app=application)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield Centre(client=c, tokens=seeded.tokens, keys={}, counters={})
