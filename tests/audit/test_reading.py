"""``GET /api/v1/audit``: admins read every site, a site admin its own, nobody else;
bad input is refused naming the field."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.accounts.test_guards import bearer
from tests.audit.helpers import audited
from tests.queue.conftest import PASSWORD, Desk
from wcr.accounts.public import create_staff
from wcr.audit.public import SYSTEM_PURGE, ActorKind, record
from wcr.catalogue.public import site_by_slug

AUDIT = "/api/v1/audit"


@pytest.fixture
async def chiefs(desk: Desk) -> Desk:
    """Bochum's and Neuss's site admins besides the desk's clerk and the admin "boss";
    one action at each site."""
    await create_staff("chief", PASSWORD, "site_admin", "bochum")
    await create_staff("neuss-chief", PASSWORD, "site_admin", "neuss")
    await desk.walk_in("registration")
    neuss = await site_by_slug("neuss")
    await record(SYSTEM_PURGE, "purge", "booking", "NEUSSREF", site_id=neuss.id)
    return desk


async def read(client: httpx.AsyncClient, who: str, **params: Any) -> httpx.Response:
    return await client.get(AUDIT, params=params, headers=await bearer(client, who))


async def test_an_admin_reads_every_site_and_filters(
    chiefs: Desk, client: httpx.AsyncClient
) -> None:
    response = await read(client, "boss")
    assert response.status_code == 200, response.text
    actions = [entry["action"] for entry in response.json()["entries"]]
    assert "walkIn" in actions
    assert "purge" in actions
    only = await read(client, "boss", target_kind="booking", target_id="NEUSSREF")
    assert [e["actor_kind"] for e in only.json()["entries"]] == ["system"]
    assert only.json()["entries"][0]["actor_id"] == "purge"
    neuss = await read(client, "boss", site="neuss")
    assert [e["action"] for e in neuss.json()["entries"]] == ["purge"]


async def test_a_site_admin_reads_only_its_own_site(
    chiefs: Desk, client: httpx.AsyncClient
) -> None:
    bochum = await read(client, "chief")
    assert bochum.status_code == 200, bochum.text
    actions = {entry["action"] for entry in bochum.json()["entries"]}
    assert "walkIn" in actions
    assert "purge" not in actions
    neuss = await read(client, "neuss-chief")
    assert [e["target_id"] for e in neuss.json()["entries"]] == ["NEUSSREF"]
    asked = await read(client, "neuss-chief", site="bochum")
    assert asked.status_code == 403
    assert "walkIn" not in {e["action"] for e in neuss.json()["entries"]}


async def test_the_front_desk_and_strangers_cannot_read(
    chiefs: Desk, client: httpx.AsyncClient
) -> None:
    assert (await read(client, "clerk")).status_code == 403
    client.cookies.clear()
    anonymous = await client.get(AUDIT)
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"].startswith("application/problem+json")
    wrong = await client.get(AUDIT, headers={"Authorization": "Bearer not-a-session"})
    assert wrong.status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "201"}, "limit"),
        ({"before": "abc"}, "before"),
        ({"before": str(2**31)}, "before"),
        ({"actor_kind": "wizard"}, "actor_kind"),
        ({"target_id": "x" * 129}, "target_id"),
        ({"target_kind": "k" * 33}, "target_kind"),
        ({"site": "atlantis"}, "site"),
    ],
)
async def test_bad_input_names_the_field(
    chiefs: Desk, client: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    response = await read(client, "boss", **params)
    assert 400 <= response.status_code < 500, response.text
    assert field in [error["field"] for error in response.json()["errors"]], response.text


async def test_pages_go_back_with_before(chiefs: Desk, client: httpx.AsyncClient) -> None:
    for n in range(5):
        await record(SYSTEM_PURGE, "purge", "booking", f"OLD{n}")
    first = (await read(client, "boss", target_kind="booking", limit=2)).json()
    assert [e["target_id"] for e in first["entries"]] == ["OLD4", "OLD3"]
    second = (
        await read(client, "boss", target_kind="booking", limit=2, before=first["next_before"])
    ).json()
    assert [e["target_id"] for e in second["entries"]] == ["OLD2", "OLD1"]
    last = (
        await read(client, "boss", target_kind="booking", limit=3, before=second["next_before"])
    ).json()
    assert [e["target_id"] for e in last["entries"]] == ["OLD0", "NEUSSREF"]
    assert last["next_before"] is None
    await audited(actor_kind=ActorKind.SYSTEM, target_id="OLD0")
