"""The guards of staff endpoints, by role and site."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from litestar import Litestar, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from tests.conftest import World
from tests.queue.conftest import PASSWORD, login
from wcr.accounts.public import PROVIDERS, Role, Staff, create_staff, guards
from wcr.errors import EXCEPTION_HANDLERS


@get("/sites/{site:str}/settings", guards=[guards.site_admin], dependencies=PROVIDERS)
async def site_settings(site: FromPath[str], current: NamedDependency[Staff]) -> dict[str, str]:
    return {"site": site, "by": current.username}


@get("/everything", guards=[guards.admin], dependencies=PROVIDERS)
async def everything(current: NamedDependency[Staff]) -> dict[str, str]:
    return {"by": current.username, "role": current.role}


@pytest.fixture
async def guarded(app: Litestar, world: World) -> AsyncIterator[httpx.AsyncClient]:
    """A second app with handlers behind the admin guards, on the same database."""
    await create_staff("desk", PASSWORD, "frontdesk", "bochum")
    await create_staff("chief", PASSWORD, "site_admin", "bochum")
    await create_staff("neuss-chief", PASSWORD, "site_admin", "neuss")
    await create_staff("boss", PASSWORD, "admin", None)
    inner = Litestar([site_settings, everything], exception_handlers=EXCEPTION_HANDLERS)
    # httpx types the ASGI callable with plain dicts, Litestar with TypedDict events:
    # the same protocol, but the parameter types do not line up for mypy.
    transport = httpx.ASGITransport(app=inner)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def bearer(client: httpx.AsyncClient, name: str) -> dict[str, str]:
    response = await login(client, name)
    assert response.status_code == 200, response.text
    client.cookies.clear()
    return {"Authorization": f"Bearer {response.json()['token']}"}


@pytest.mark.parametrize(
    ("who", "bochum", "neuss", "everything_status"),
    [
        ("desk", 403, 403, 403),
        ("chief", 200, 403, 403),
        ("neuss-chief", 403, 200, 403),
        ("boss", 200, 200, 200),
    ],
)
async def test_site_admin_and_admin_guards(
    guarded: httpx.AsyncClient,
    client: httpx.AsyncClient,
    who: str,
    bochum: int,
    neuss: int,
    everything_status: int,
) -> None:
    headers = await bearer(client, who)
    assert (await guarded.get("/sites/bochum/settings", headers=headers)).status_code == bochum
    assert (await guarded.get("/sites/neuss/settings", headers=headers)).status_code == neuss
    response = await guarded.get("/everything", headers=headers)
    assert response.status_code == everything_status
    if everything_status == 200:
        assert response.json() == {"by": "boss", "role": Role.ADMIN}


async def test_guards_answer_401_without_a_session_and_404_for_an_unknown_site(
    guarded: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    assert (await guarded.get("/everything")).status_code == 401
    assert (await guarded.get("/sites/bochum/settings")).status_code == 401
    headers = await bearer(client, "boss")
    response = await guarded.get("/sites/atlantis/settings", headers=headers)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_site_admin_works_the_desk_of_their_own_site_only(
    guarded: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    headers = await bearer(client, "chief")
    assert (await client.get("/api/v1/sites/bochum/queue", headers=headers)).status_code == 200
    assert (await client.get("/api/v1/sites/neuss/queue", headers=headers)).status_code == 403


async def test_an_account_needs_a_known_role_and_a_site_unless_admin(
    app: Litestar, world: World
) -> None:
    with pytest.raises(Exception, match="role"):
        await create_staff("x", PASSWORD, "janitor", "bochum")
    with pytest.raises(Exception, match="site"):
        await create_staff("y", PASSWORD, "site_admin", None)
    await create_staff("z", PASSWORD, "admin", None)
    with pytest.raises(Exception, match="already"):
        await create_staff("z", PASSWORD, "admin", None)


async def test_an_overlong_site_in_the_path_is_bad_input_naming_the_field(
    guarded: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    headers = await bearer(client, "boss")
    response = await client.get(f"/api/v1/sites/{'x' * 65}/queue", headers=headers)
    assert response.status_code == 422
    # The English message as ever, beside it its stable code and the value it names.
    assert response.json()["errors"] == [
        {
            "field": "site",
            "message": "at most 64 characters",
            "code": "too_long",
            "params": {"n": 64},
        }
    ]
