"""The HTTP trail: staff, agencies and visitors leave entries by id and reference, from
their address, with the outcome; refused attempts too, bounded; never a secret."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from litestar import Litestar

from tests.audit.helpers import audited, not_audited, table_text
from tests.conftest import World, local, next_weekday
from tests.queue.conftest import PASSWORD, Desk, login
from tests.test_operations import wcr
from wcr.audit.public import Actor, ActorKind, entries
from wcr.audit.trail import Entry, RefusalBudget, entry_of
from wcr.catalogue.public import agency_by_slug, site_by_slug

SLOTS = "/api/v1/agency/slots"


async def test_a_staff_action_names_the_account_site_address_and_outcome(desk: Desk) -> None:
    ticket = await desk.walk_in("registration")
    bochum = await site_by_slug("bochum")
    entry = await audited(action="walkIn", actor_kind=ActorKind.STAFF)
    me = (await desk.client.get("/api/v1/auth/me", headers=desk.headers)).json()
    assert me["username"] == "clerk"
    assert entry.target_kind == "site"
    assert entry.target_id == "bochum"
    assert entry.site_id == bochum.id
    assert entry.status == 201
    assert entry.address == "127.0.0.1"
    called = await desk.call_next("one")
    assert called.status_code == 200, called.text
    finished = await desk.post(f"/tickets/{ticket['id']}/finish")
    assert finished.status_code == 200, finished.text
    done = await audited(action="finish", target_kind="ticket", target_id=ticket["id"])
    assert done.actor == entry.actor  # the same clerk, by account id
    assert done.actor.id.isdigit()
    assert done.site_id == bochum.id
    counter = await audited(action="callNext", target_kind="counter")
    assert counter.target_id == str(desk.counters["one"])
    assert counter.details == {"site": "bochum"}


async def test_a_staff_refusal_is_kept_with_who_tried(desk: Desk) -> None:
    response = await desk.post("/sites/neuss/tickets", {"services": ["registration"]})
    assert response.status_code == 403
    entry = await audited(action="walkIn", target_id="neuss", status=403)
    assert entry.actor.kind == ActorKind.STAFF


async def test_an_agency_action_names_the_agency_never_its_key(
    world: World, client: httpx.AsyncClient
) -> None:
    start = local(next_weekday(2), 9)
    slot_id = await world.slot(start)
    agency = await agency_by_slug("citizens-office")
    headers = world.headers(world.citizens_key)
    edited = await client.patch(f"{SLOTS}/{slot_id}", json={"capacity": 3}, headers=headers)
    assert edited.status_code == 200, edited.text
    entry = await audited(action="editSlot", target_kind="slot", target_id=slot_id)
    assert entry.actor.kind == ActorKind.AGENCY
    assert entry.actor.id == str(agency.id)
    assert entry.status == 200
    withdrawn = await client.delete(f"{SLOTS}/{slot_id}", headers=headers)
    assert withdrawn.status_code in {200, 204}, withdrawn.text
    await audited(action="withdrawSlot", target_id=slot_id, actor_kind=ActorKind.AGENCY)
    await audited(action="publishSlots", actor_id=agency.id)
    assert world.citizens_key not in await table_text()


async def test_a_visitors_cancel_is_the_bookings_reference_and_no_token(
    world: World, client: httpx.AsyncClient
) -> None:
    slot_id = await world.slot(local(next_weekday(3), 10))
    booked = (await world.book(slot_id)).json()
    reference, token = booked["reference"], booked["manage_token"]
    first = await audited(action="booked", target_id=reference)
    assert first.actor.kind == ActorKind.VISITOR
    assert first.actor.id == reference
    assert first.details == {"slots": str(slot_id)}
    wrong = await client.post(
        f"/api/v1/bookings/{reference}/cancel", headers={"Authorization": "Bearer nope"}
    )
    assert wrong.status_code == 404
    refused = await audited(action="cancelBooking", status=404)
    assert refused.actor.kind == ActorKind.ANONYMOUS  # a guess proves nobody
    cancelled = await client.post(
        f"/api/v1/bookings/{reference}/cancel", headers={"Authorization": f"Bearer {token}"}
    )
    assert cancelled.status_code == 200, cancelled.text
    entry = await audited(action="cancelBooking", target_id=reference, status=200)
    assert entry.actor.kind == ActorKind.VISITOR
    assert entry.actor.id == reference
    text = await table_text()
    assert token not in text
    assert "Test Person" not in text
    assert "test@example.org" not in text


async def test_reading_posts_and_anonymous_public_writes_leave_nothing(
    world: World, client: httpx.AsyncClient
) -> None:
    slot_id = await world.slot(local(next_weekday(3), 11))
    booked = (await world.book(slot_id)).json()
    form = await client.post(
        f"/api/v1/bookings/{booked['reference']}/calendar.ics",
        data={"token": booked["manage_token"]},
    )
    assert form.status_code == 200, form.text
    await not_audited(action="bookingCalendarForm")
    await not_audited(action="createBooking")  # the visitor's "booked" entry stands for it
    assert [e.action for e in await entries(target_id=booked["reference"])] == ["booked"]


async def test_logout_names_the_account_whose_session_ended(
    desk: Desk, client: httpx.AsyncClient
) -> None:
    response = await client.post("/api/v1/auth/logout", headers=desk.headers)
    assert response.status_code == 204
    entry = await audited(action="logout")
    assert entry.actor.kind == ActorKind.STAFF
    assert desk.token not in await table_text()


async def test_failed_logins_and_bad_keys_are_kept_once_a_minute_per_address(
    world: World, client: httpx.AsyncClient
) -> None:
    for _ in range(20):
        bad = await client.post(
            SLOTS, json={}, headers={"Authorization": "Bearer wcr_ak_stolen-or-guessed"}
        )
        assert bad.status_code == 401
    refused = await entries(action="publishSlots", actor_kind=ActorKind.ANONYMOUS)
    assert len(refused) == 1
    assert refused[0].status == 401
    assert refused[0].address == "127.0.0.1"
    wrong = await login(client, "nobody", "wrong password!")
    assert wrong.status_code == 401
    await audited(action="login", status=401, actor_kind=ActorKind.ANONYMOUS)
    assert "wcr_ak_stolen" not in await table_text()
    assert "wrong password" not in await table_text()


def test_the_refusal_budget_is_bounded_in_all() -> None:
    budget = RefusalBudget(per_minute=3)

    def attempt(address: str) -> bool:
        return budget.allows(
            Entry(Actor(ActorKind.ANONYMOUS, ""), "login", "request", "", None, address, 401, {})
        )

    assert [attempt(f"10.0.0.{i}") for i in range(5)] == [True, True, True, False, False]
    assert not attempt("10.0.0.0")
    assert budget.dropped == 3


def test_the_refusal_minute_starts_at_the_first_refusal_not_on_the_clock() -> None:
    now = [119.5]  # half a second before the clock's minute turns
    budget = RefusalBudget(per_minute=3, clock=lambda: now[0])
    same = Entry(Actor(ActorKind.ANONYMOUS, ""), "login", "request", "", None, "10.0.0.1", 401, {})
    assert budget.allows(same)
    now[0] = 121.0
    assert not budget.allows(same)  # the same burst, though the clock's minute turned
    now[0] = 179.6
    assert budget.allows(same)  # a minute after the first one: written again


async def test_the_feed_token_in_a_path_never_reaches_the_log(
    world: World, client: httpx.AsyncClient, database_url: str
) -> None:
    minted = wcr(database_url, "agency-feed", "citizens-office")
    assert minted.returncode == 0, minted.stderr
    url = minted.stdout.strip().splitlines()[-1]
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    path = f"/api/v1/agency/feed/{token}.ics"
    assert (await client.get(path)).status_code == 200
    assert (await client.post(path)).status_code == 405
    assert (await client.get(f"/api/v1/agency/feed/{token}x.ics")).status_code == 404
    await audited(action="agency-feed", actor_kind=ActorKind.SYSTEM, target_id="citizens-office")
    assert token not in await table_text()


@pytest.mark.parametrize("command", ["agency-key", "agency-feed"])
async def test_cli_commands_are_the_systems_with_no_secret(
    world: World, app: Litestar, database_url: str, command: str
) -> None:
    result = wcr(database_url, command, "ihk")
    assert result.returncode == 0, result.stderr
    secret = result.stdout.strip().splitlines()[-1].rsplit("/", 1)[-1].removesuffix(".ics")
    entry = await audited(action=command, target_kind="agency", target_id="ihk")
    assert entry.actor.kind == ActorKind.SYSTEM
    assert entry.actor.id == "cli"
    assert entry.status is None
    assert secret not in await table_text()


async def test_staff_add_from_the_cli_keeps_no_password(world: World, database_url: str) -> None:
    result = wcr(
        database_url, "staff-add", "anna", "--site", "bochum", "--password-stdin", stdin=PASSWORD
    )
    assert result.returncode == 0, result.stderr
    entry = await audited(action="staff-add", target_id="anna")
    assert entry.details == {"role": "frontdesk", "site": "bochum"}
    assert PASSWORD not in await table_text()
    failed = wcr(
        database_url, "staff-add", "anna", "--site", "bochum", "--password-stdin", stdin=PASSWORD
    )
    assert failed.returncode != 0
    assert len(await entries(action="staff-add")) == 1  # only what was done


def test_only_the_allow_listed_path_parameters_are_written() -> None:
    token = "wcr_af_" + "s3cret" * 6
    scope: Any = {
        "type": "http",
        "method": "POST",
        "path": f"/api/v1/agency/feed/{token}.ics",
        "client": ("203.0.113.9", 5555),
        "path_params": {"feed_token": token, "lang": "de", "slot_id": 7},
        "headers": [(b"authorization", b"Bearer wcr_ak_key"), (b"cookie", b"wcr_staff=abc")],
        "query_string": b"token=abc",
        "state": {},
    }
    entry = entry_of(scope, 401)
    assert entry is not None
    assert (entry.target_kind, entry.target_id, entry.details) == ("slot", "7", {})
    assert entry.address == "203.0.113.9"
    assert token not in repr(entry)
    assert "wcr_ak_key" not in repr(entry)
    assert "abc" not in repr(entry)
    assert entry_of(scope, 200) is None  # nobody known, let through: not ours to keep


async def test_a_new_counter_is_named_by_its_id(world: World, database_url: str) -> None:
    result = wcr(database_url, "counter-add", "bochum", "Schalter 9", "--services", "registration")
    assert result.returncode == 0, result.stderr
    counter_id = result.stdout.split()[1]
    entry = await audited(action="counter-add", target_kind="counter", target_id=counter_id)
    assert entry.actor.id == "cli"
    assert entry.details == {"site": "bochum"}
