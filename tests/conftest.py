from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import httpx
import pytest
import pytest_asyncio
from litestar import Litestar

from tests.databases import (
    DatabaseFactory,
    postgres_admin_url,
    postgres_available,
    postgres_problem,
)
from tests.scheduling import HeaviestFileFirst
from wcr import server_secret
from wcr.app import create_app
from wcr.catalogue.public import create_agency_key, serve_site
from wcr.catalogue.tables import Agency, Service, Site
from wcr.config import Settings

if TYPE_CHECKING:
    from xdist.remote import Producer
    from xdist.scheduler.protocol import Scheduling

BERLIN = ZoneInfo("Europe/Berlin")
TEST_SECRET_KEY = "server-secret-of-the-test-suite-0123456789"
ENGINES = ["sqlite", "postgres"]


# One factory (one migrated template) per engine and process. pytest sets a session
# fixture of another parameter up anew whenever the engine changes, and with
# `--dist loadfile` a worker changes engine in every file (its SQLite tests, then its
# PostgreSQL ones): the template is migrated once, not once per file and engine.
FACTORIES: dict[str, DatabaseFactory] = {}


@pytest_asyncio.fixture(scope="session", loop_scope="session", params=ENGINES)
async def databases(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> DatabaseFactory:
    kind = request.param
    if kind in FACTORIES:
        return FACTORIES[kind]
    if kind == "postgres" and not await postgres_available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL must be reachable on CI (WCR_TEST_POSTGRES_URL)")
        pytest.skip("PostgreSQL not reachable; set WCR_TEST_POSTGRES_URL")
    factory = DatabaseFactory(kind, Path(tmp_path_factory.mktemp(kind)))
    try:
        await factory.prepare()
    except BaseException:
        await factory.close()
        raise
    FACTORIES[kind] = factory
    return factory


def pytest_sessionfinish() -> None:
    """The templates (and any database a test left) go at the end of the run."""
    for factory in FACTORIES.values():
        asyncio.run(factory.close())
    FACTORIES.clear()


@pytest.fixture
def settings() -> Settings:
    return Settings(
        database_url="",
        rate_limit_per_minute=0,
        public_url="http://testserver",
        dispatch_in_process=False,
        # Most tests book many places with one test contact; tests/booking/test_limits.py
        # turns the limits on.
        max_active_bookings_per_contact=0,
        max_active_bookings_per_company=0,
        # No proof of work to solve per booking; tests/challenge/ turns it on.
        challenge=False,
        # A server secret of the tests' own (no var/secret_key is written);
        # tests/test_secrets_at_rest.py uses the generated file and rotates it.
        secret_key=TEST_SECRET_KEY,
    )


@pytest.fixture(autouse=True)
def test_secret() -> None:
    """Links and ticket tokens made outside an app (a rendering test) use it too."""
    server_secret.use(Settings(secret_key=TEST_SECRET_KEY))


@pytest_asyncio.fixture
async def database_url(databases: DatabaseFactory) -> AsyncIterator[str]:
    url = await databases.new()
    yield url
    await databases.drop(url)


@pytest_asyncio.fixture
async def app(database_url: str, settings: Settings) -> AsyncIterator[Litestar]:
    application = create_app(
        Settings(**{**settings.__dict__, "database_url": database_url, "pool_size": 20})
    )
    async with running(application):
        yield application


@asynccontextmanager
async def running(application: Litestar) -> AsyncIterator[None]:
    """Start-up and shut-down of the app in one task of its own.

    ``Litestar.lifespan()`` holds an anyio task group, which must be left in the task
    that entered it; fixture set-up and tear-down run in different tasks.
    """
    started, stop = asyncio.Event(), asyncio.Event()

    async def lifespan() -> None:
        async with application.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(lifespan())
    waiter = asyncio.create_task(started.wait())
    await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        waiter.cancel()
        task.result()  # start-up failed: raise its error here
    try:
        yield
    finally:
        stop.set()
        await task


@pytest_asyncio.fixture
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    # Same event loop as the test (not AsyncTestClient's thread), so races are real
    # concurrency against one app and one connection pool.
    # httpx types the ASGI callable with plain dicts, Litestar with TypedDict events:
    # the same protocol, but the parameter types do not line up for mypy.
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@dataclass
class World:
    """A small, known catalogue: one site, two agencies with a service each."""

    site: str
    other_site: str
    citizens_key: str
    ihk_key: str
    registration: str
    recognition: str
    client: httpx.AsyncClient

    def headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}

    async def slot(
        self,
        start: datetime,
        minutes: int = 30,
        capacity: int = 1,
        *,
        service: str | None = None,
        site: str | None = None,
    ) -> int:
        """Publish one slot through the agency API; returns its id."""
        service = service or self.registration
        key = self.citizens_key if service == self.registration else self.ihk_key
        response = await self.client.post(
            "/api/v1/agency/slots",
            json={
                "site": site or self.site,
                "service": service,
                "start": start.isoformat(),
                "end": after(start, minutes).isoformat(),
                "capacity": capacity,
            },
            headers=self.headers(key),
        )
        assert response.status_code == 201, response.text
        return int(response.json()["slots"][0]["id"])

    async def book(self, *slot_ids: int, **contact: str | None) -> httpx.Response:
        body: dict[str, object] = {"name": "Test Person", "email": "test@example.org"}
        body |= contact
        body |= {"slot_id": slot_ids[0]} if len(slot_ids) == 1 else {"slot_ids": list(slot_ids)}
        return await self.client.post("/api/v1/bookings", json=body)


def after(start: datetime, minutes: int) -> datetime:
    """Real elapsed time, shown in the site's zone (aware + timedelta is wall-clock)."""
    return (start.astimezone(UTC) + timedelta(minutes=minutes)).astimezone(BERLIN)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def next_weekday(weekday: int, weeks_ahead: int = 1) -> date:
    """A date at least a week away with the given ISO weekday."""
    day = datetime.now(UTC).date() + timedelta(days=7 * weeks_ahead)
    while day.isoweekday() != weekday:
        day += timedelta(days=1)
    return day


@pytest_asyncio.fixture
async def world(app: Litestar, client: httpx.AsyncClient) -> World:
    sites = await Site.insert(
        Site(slug="bochum", name="Welcome Office Bochum", address="Universitätsstraße 43, Bochum"),
        Site(slug="neuss", name="WCR Neuss", address="Friedrichstraße 40, Neuss"),
    ).returning(Site.id)
    assert len(sites) == 2
    agencies = await Agency.insert(
        Agency(slug="citizens-office", name="Bürgerbüro"), Agency(slug="ihk", name="IHK")
    ).returning(Agency.id)
    await Service.insert(
        Service(
            slug="registration",
            agency=agencies[0]["id"],
            duration_minutes=20,
            names='{"de": "Wohnsitzanmeldung", "en": "Residence registration"}',
        ),
        Service(
            slug="recognition",
            agency=agencies[1]["id"],
            duration_minutes=30,
            names='{"de": "Anerkennungsberatung", "en": "Recognition advice"}',
        ),
    )
    for agency in ("citizens-office", "ihk"):
        for site in ("bochum", "neuss"):
            assert await serve_site(agency, site)
    return World(
        site="bochum",
        other_site="neuss",
        citizens_key=await create_agency_key("citizens-office"),
        ihk_key=await create_agency_key("ihk"),
        registration="registration",
        recognition="recognition",
        client=client,
    )


# The reason the ``databases`` fixture skips with (pytest prefixes "Skipped: ").
POSTGRES_SKIP = "PostgreSQL not reachable"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Says loudly, at the end, that the PostgreSQL half did not run, why, and how to
    make it run: a line among the skips is easily missed."""
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if POSTGRES_SKIP in str(getattr(report, "longrepr", ""))
    ]
    if not skipped:
        return
    url = postgres_admin_url()
    write = terminalreporter.write_line
    terminalreporter.write_sep(
        "!",
        f"PostgreSQL: {len(skipped)} {'test' if len(skipped) == 1 else 'tests'} SKIPPED "
        "(the PostgreSQL half of the database tests)",
        red=True,
        bold=True,
    )
    write(f"No PostgreSQL at {masked(url)}: {asyncio.run(postgres_problem())}", red=True)
    write("Every database test runs on SQLite and on PostgreSQL. To run the PostgreSQL half,")
    write("start PostgreSQL and give a role that may create databases, e.g.")
    write("  export WCR_TEST_POSTGRES_URL=postgresql://USER:PASSWORD@127.0.0.1:5432/postgres")
    write("(password auth, scram-sha-256, is fine; quote special characters as %XX);")
    write("or run .ci/run, which starts a cluster and sets the role's password up.")


def masked(url: str) -> str:
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Producer) -> Scheduling | None:
    """`--dist loadfile` with the longest files first (tests/scheduling.py)."""
    if config.getvalue("dist") != "loadfile":
        return None
    return HeaviestFileFirst(config, log)
