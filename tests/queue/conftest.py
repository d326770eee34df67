from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from litestar import Litestar

from tests.conftest import World
from tests.day_clock import Base, DayClock, installed, machine_now
from wcr.accounts.public import create_staff
from wcr.catalogue.tables import Site
from wcr.queue.setup import add_counter

PASSWORD = "correct horse battery"


@dataclass
class Desk:
    client: httpx.AsyncClient
    token: str
    counters: dict[str, int]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def post(self, path: str, json: Mapping[str, object] | None = None) -> httpx.Response:
        return await self.client.post(f"/api/v1{path}", json=json, headers=self.headers)

    async def walk_in(self, *services: str, **extra: object) -> dict[str, Any]:
        body: dict[str, object] = {"services": list(services), **extra}
        response = await self.post("/sites/bochum/tickets", body)
        assert response.status_code == 201, response.text
        ticket: dict[str, Any] = response.json()["ticket"]
        return ticket

    async def call_next(self, counter: str) -> httpx.Response:
        return await self.post(f"/sites/bochum/counters/{self.counters[counter]}/call-next")


async def login(
    client: httpx.AsyncClient, username: str, password: str = PASSWORD
) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/login", json={"username": username, "password": password}
    )


@pytest.fixture
def machine_clock() -> Base:
    """The machine's clock the simulated day is chosen from (a test module overrides
    it to run as if the machine's clock said another time)."""
    return machine_now()


@pytest.fixture
def day_clock(machine_clock: Base) -> Iterator[DayClock]:
    """``wcr.clock.now`` at 10:00 Berlin time on a weekday ahead (tests/day_clock.py),
    for the test's whole run. A module whose tests need one local day puts it first:
    ``pytestmark = pytest.mark.usefixtures("day_clock")``, so that it is installed
    before the app, the world and the desk are set up."""
    with installed(DayClock(machine_clock)) as simulated:
        yield simulated


@pytest.fixture
async def desk(world: World, client: httpx.AsyncClient, app: Litestar) -> Desk:
    """Bochum with two counters (registration first / recognition first) and a clerk."""
    engine = app.state.engine
    counters = {
        "one": await add_counter(engine, "bochum", "Schalter 1", ["registration", "recognition"]),
        "two": await add_counter(engine, "bochum", "Schalter 2", ["recognition"]),
    }
    await add_counter(engine, "neuss", "Desk A", ["registration"])
    await create_staff("clerk", PASSWORD, "frontdesk", "bochum")
    await create_staff("neuss-clerk", PASSWORD, "frontdesk", "neuss")
    await create_staff("boss", PASSWORD, "admin", None)
    await Site.update({Site.max_recalls: 2}).where(Site.slug == "bochum")
    response = await login(client, "clerk")
    assert response.status_code == 200, response.text
    return Desk(client=client, token=response.json()["token"], counters=counters)
