"""The visitor's side: the public ticket view in their language, leaving the queue, and
joining a walk-in line (or checking in) from their phone."""

import asyncio
import json
from dataclasses import replace
from typing import Any

import httpx
import pytest

from tests.challenge.test_challenge import MAX_NUMBER, solved
from tests.conftest import World
from tests.queue.conftest import Desk
from tests.queue.test_tickets import booked_visit
from tests.test_operations import wcr
from wcr.booking.tables import Booking
from wcr.catalogue.tables import Site
from wcr.config import Settings
from wcr.queue import repository
from wcr.queue.tables import Ticket
from wcr.tokens import digest

# Tickets are numbered per local day: on the simulated day (tests/day_clock.py).
pytestmark = pytest.mark.usefixtures("day_clock")

ALWAYS_OPEN = {str(day): [["00:00", "23:59"]] for day in range(1, 8)}
JOIN = "/api/v1/sites/bochum/remote-tickets"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # The proof of work on, as the public gets it (small, so that tests solve it fast).
    return replace(settings, challenge=True, challenge_max_number=MAX_NUMBER)


async def open_for_remote(hours: dict[str, list[list[str]]] | None = None) -> None:
    await Site.update(
        {Site.opening_hours: json.dumps(ALWAYS_OPEN if hours is None else hours)}
    ).where(Site.slug == "bochum")
    site = await Site.select(Site.id).where(Site.slug == "bochum").first()
    assert site is not None
    await repository.set_remote_queue(site["id"], allowed=True)  # what `wcr site-remote-queue` does


async def join(client: httpx.AsyncClient, **body: Any) -> httpx.Response:
    payload: dict[str, Any] = {"service": "registration", "name": "Amira Haddad"}
    payload |= {"altcha": await solved(client)} | body
    return await client.post(JOIN, json=payload)


def bearer(ticket_url: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {ticket_url.split('#', 1)[1]}"}


async def public(client: httpx.AsyncClient, ticket: dict[str, Any], **params: str) -> Any:
    response = await client.get(
        f"/api/v1/tickets/{ticket['id']}/public",
        headers=bearer(ticket["ticket_url"]),
        params=params,
    )
    assert response.status_code == 200, response.text
    return response.json()


# --- the public view ---------------------------------------------------------------------


async def test_the_public_view_speaks_the_visitors_language_and_shows_the_itinerary(
    desk: Desk, client: httpx.AsyncClient
) -> None:
    await desk.walk_in("registration")
    ticket = await desk.walk_in("registration", "recognition", language="en", name="Olena K")
    view = await public(client, ticket)
    assert view["language"] == "en"
    assert (view["position"], view["ahead"]) == (2, 1)
    assert view["estimated_wait_minutes"] >= 2
    assert view["site"] == {
        "slug": "bochum",
        "name": "Welcome Office Bochum",
        "timezone": "Europe/Berlin",
    }
    assert view["steps"] == [
        {"service": "registration", "name": "Residence registration", "state": "now"},
        {"service": "recognition", "name": "Recognition advice", "state": "next"},
    ]
    assert view["can_leave"] is True
    assert (view["counter"], view["called_at"]) == (None, None)
    assert "Olena" not in json.dumps(view)
    german = await public(client, ticket, lang="de")
    assert german["steps"][0]["name"] == "Wohnsitzanmeldung"

    await desk.call_next("one")
    assert (await desk.call_next("one")).json()["ticket"]["id"] == ticket["id"]
    called = await public(client, ticket)
    assert called["status"] == "called"
    assert called["counter"] == "Schalter 1"
    assert called["called_at"].endswith(("+01:00", "+02:00"))
    await desk.post(f"/tickets/{ticket['id']}/finish")
    onward = await public(client, ticket)
    assert [s["state"] for s in onward["steps"]] == ["done", "now"]


async def test_a_checked_in_booking_keeps_its_language(desk: Desk, world: World) -> None:
    reference = await booked_visit(world, (5, "registration"))
    await Booking.update({Booking.language: "ar"}).where(Booking.reference == reference)
    ticket = (await desk.post("/sites/bochum/checkins", {"reference": reference})).json()["ticket"]
    assert ticket["language"] == "ar"
    view = await public(desk.client, ticket)
    assert view["language"] == "ar"


# --- leaving -------------------------------------------------------------------------------


async def test_a_visitor_leaves_the_queue_with_the_ticket_token(
    desk: Desk, client: httpx.AsyncClient
) -> None:
    ticket = await desk.walk_in("registration")
    behind = await desk.walk_in("registration")
    path = f"/api/v1/tickets/{ticket['id']}/leave"
    for headers in ({"Authorization": "Bearer wrong"}, {}, bearer(behind["ticket_url"])):
        refused = await client.post(path, headers=headers)
        assert refused.status_code == 404
        assert refused.json()["code"] == "ticket_not_found"
    unknown = await client.post(
        f"/api/v1/tickets/{ticket['id'] + 999}/leave", headers=bearer(ticket["ticket_url"])
    )
    assert unknown.status_code == 404
    left = await client.post(path, headers=bearer(ticket["ticket_url"]))
    assert left.status_code == 200, left.text
    assert (left.json()["status"], left.json()["can_leave"]) == ("left", False)
    again = await client.post(path, headers=bearer(ticket["ticket_url"]))
    assert again.status_code == 200
    assert again.json()["status"] == "left"
    assert (await public(client, behind))["position"] == 1
    # A finished visit cannot be left.
    await desk.call_next("one")
    await desk.post(f"/tickets/{behind['id']}/finish")
    done = await client.post(
        f"/api/v1/tickets/{behind['id']}/leave", headers=bearer(behind["ticket_url"])
    )
    assert done.status_code == 409
    assert done.json()["code"] == "ticket_wrong_state"


# --- joining from afar ----------------------------------------------------------------------


async def test_remote_join_needs_the_sites_consent_and_its_opening_hours(
    desk: Desk, client: httpx.AsyncClient
) -> None:
    off = await join(client, phone="0171 2345678")
    assert off.status_code == 403
    assert off.json()["code"] == "remote_queue_off"
    await open_for_remote(hours={})
    closed = await join(client, phone="0171 2345678")
    assert closed.status_code == 409
    assert closed.json()["code"] == "site_closed"
    await open_for_remote()
    made = await join(client, phone="0171 2345678", language="ar")
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["ticket"]["number"] == "A001"
    assert body["ticket"]["language"] == "ar"
    assert body["ticket"]["site"]["slug"] == "bochum"
    assert "name" not in body["ticket"]
    assert body["ticket_url"].startswith(f"http://testserver/ticket/{body['ticket']['id']}#")
    view = await public(client, {"id": body["ticket"]["id"], "ticket_url": body["ticket_url"]})
    assert view["status"] == "waiting"
    # The desk sees it, marked as remote.
    line = (await client.get("/api/v1/sites/bochum/queue", headers=desk.headers)).json()
    [registration] = [q for q in line["queues"] if q["service"] == "registration"]
    assert registration["waiting"][0]["remote"] is True
    assert registration["waiting"][0]["name"] == "Amira Haddad"
    unknown_site = await client.post(
        "/api/v1/sites/nowhere/remote-tickets", json={"service": "registration"}
    )
    assert unknown_site.status_code == 404


async def test_remote_join_checks_its_input_and_the_challenge(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    await open_for_remote()
    no_contact = await join(client)
    assert no_contact.status_code == 422
    assert {e["field"] for e in no_contact.json()["errors"]} == {"phone", "email"}
    for body, field in (
        ({"phone": "12"}, "phone"),
        ({"email": "not-an-address"}, "email"),
        ({"phone": "0171 2345678", "language": "xx"}, "language"),
        ({"phone": "0171 2345678", "service": "juggling"}, "services"),
        ({"phone": "0171 2345678", "name": ""}, "name"),
    ):
        bad = await join(client, **body)
        assert bad.status_code == 422, body
        assert bad.json()["errors"][0]["field"] == field
        assert bad.json()["code"] == "invalid_input"
    unsolved = await client.post(
        JOIN, json={"service": "registration", "name": "A", "phone": "0171 2345678"}
    )
    assert unsolved.status_code == 422
    assert unsolved.json()["errors"][0]["field"] == "altcha"
    unknown_field = await client.post(JOIN, json={"service": "registration", "colour": "red"})
    assert unknown_field.status_code == 400
    assert unknown_field.json()["errors"][0]["field"] == "colour"


async def test_one_active_remote_ticket_per_contact_site_and_day(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    await open_for_remote()
    first = await join(client, phone="0171 2345678", email="Amira.Haddad+x@gmail.com")
    assert first.status_code == 201, first.text
    for contact in ({"phone": "+49 171 2345678"}, {"email": "amirahaddad@googlemail.com"}):
        twice = await join(client, **contact)
        assert twice.status_code == 409, contact
        assert twice.json()["code"] == "remote_ticket_exists"
    # Leaving frees the contact again.
    body = first.json()
    await client.post(
        f"/api/v1/tickets/{body['ticket']['id']}/leave", headers=bearer(body["ticket_url"])
    )
    assert (await join(client, phone="0171 2345678")).status_code == 201
    # Only digests of the contact are kept for the limit.
    rows = await Ticket.select(Ticket.phone_key, Ticket.email_key).where(Ticket.remote.eq(True))
    assert rows[0]["email_key"] == digest("email:amirahaddad@gmail.com")
    assert "gmail" not in json.dumps(rows)


@pytest.mark.slow
async def test_many_joins_of_one_contact_at_once_make_one_ticket(
    client: httpx.AsyncClient, desk: Desk
) -> None:
    await open_for_remote()
    solutions = [await solved(client) for _ in range(12)]
    answers = await asyncio.gather(
        *(
            client.post(
                JOIN,
                json={
                    "service": "registration",
                    "name": "Same Person",
                    "phone": "0171 2345678",
                    "altcha": solution,
                },
            )
            for solution in solutions
        )
    )
    assert sorted(a.status_code for a in answers) == [201] + [409] * 11
    assert len(await Ticket.select(Ticket.id)) == 1


async def test_a_booked_visitor_checks_in_from_the_phone_with_the_manage_token(
    client: httpx.AsyncClient, desk: Desk, world: World
) -> None:
    await open_for_remote()
    reference = await booked_visit(world, (5, "registration"))  # its manage token is "t"
    wrong = await client.post(
        JOIN, json={"reference": reference}, headers={"Authorization": "Bearer x"}
    )
    assert wrong.status_code == 404
    missing = await client.post(JOIN, json={"reference": reference})
    assert missing.status_code == 404
    made = await client.post(
        JOIN, json={"reference": reference}, headers={"Authorization": "Bearer t"}
    )
    assert made.status_code == 201, made.text
    assert made.json()["ticket"]["status"] == "waiting"
    again = await client.post(
        JOIN, json={"reference": reference}, headers={"Authorization": "Bearer t"}
    )
    assert again.status_code == 409
    assert again.json()["code"] == "checked_in_already"


def test_the_operator_switches_remote_check_in(database_url: str) -> None:
    assert wcr(database_url, "seed-demo").returncode == 0
    switched = wcr(database_url, "site-remote-queue", "bochum", "on")
    assert switched.returncode == 0, switched.stderr
    assert "on" in switched.stdout
    assert wcr(database_url, "site-remote-queue", "bochum", "off").returncode == 0
    assert wcr(database_url, "site-remote-queue", "bochum", "maybe").returncode != 0
    assert wcr(database_url, "site-remote-queue", "atlantis", "on").returncode != 0
