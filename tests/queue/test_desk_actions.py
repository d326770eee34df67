"""What a desk does besides calling: counters open, paused and closed; park and unpark;
a note; a number typed in; a no-show undone; the serving timer's fields; today's
figures; and the machine codes of every refusal."""

import asyncio
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.conftest import World
from tests.queue.conftest import Desk, login
from tests.queue.test_tickets import booked_visit
from wcr import clock
from wcr.catalogue.tables import Site
from wcr.queue.tables import Ticket, TicketStep

# Tickets are numbered per local day: on the simulated day (tests/day_clock.py).
pytestmark = pytest.mark.usefixtures("day_clock")


async def state(desk: Desk, counter: str, value: str, site: str = "bochum") -> httpx.Response:
    return await desk.post(
        f"/sites/{site}/counters/{desk.counters[counter]}/state", {"state": value}
    )


async def queue(desk: Desk) -> dict[str, Any]:
    response = await desk.client.get("/api/v1/sites/bochum/queue", headers=desk.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def waiting_ids(body: dict[str, Any], service: str = "registration") -> list[int]:
    [line] = [q for q in body["queues"] if q["service"] == service]
    return [t["id"] for t in line["waiting"]]


# --- counter state -----------------------------------------------------------------------


async def test_a_paused_or_closed_counter_calls_nobody_and_says_so(desk: Desk) -> None:
    await desk.walk_in("registration")
    paused = await state(desk, "one", "paused")
    assert paused.status_code == 200, paused.text
    assert paused.json()["counter"]["state"] == "paused"
    refused = await desk.call_next("one")
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "counter_not_open"
    assert refused.json()["state"] == "paused"
    chosen = await desk.post(
        f"/sites/bochum/counters/{desk.counters['one']}/call", {"number": "A001"}
    )
    assert chosen.json()["code"] == "counter_not_open"

    await state(desk, "one", "closed")
    counters = (await desk.client.get("/api/v1/sites/bochum/counters", headers=desk.headers)).json()
    assert {c["name"]: c["state"] for c in counters} == {
        "Schalter 1": "closed",
        "Schalter 2": "open",
    }
    assert (await desk.call_next("one")).json()["state"] == "closed"

    assert (await state(desk, "one", "open")).status_code == 200
    assert (await desk.call_next("one")).status_code == 200


async def test_counter_state_is_scoped_and_checked(desk: Desk, client: httpx.AsyncClient) -> None:
    one = desk.counters["one"]
    assert (await state(desk, "one", "asleep")).status_code == 400
    bad = await state(desk, "one", "asleep")
    assert bad.json()["code"] == "invalid_input"
    assert bad.json()["errors"][0]["field"] == "state"
    # Neuss's counter through Bochum's path: 404, no matter whose it is.
    neuss = await client.get("/api/v1/sites/neuss/counters", headers=desk.headers)
    assert neuss.status_code == 403
    assert neuss.json()["code"] == "forbidden"
    boss = (await login(client, "boss")).json()["token"]
    neuss_counter = (
        await client.get(
            "/api/v1/sites/neuss/counters", headers={"Authorization": f"Bearer {boss}"}
        )
    ).json()[0]["id"]
    other = await desk.post(f"/sites/bochum/counters/{neuss_counter}/state", {"state": "paused"})
    assert other.status_code == 404
    assert other.json()["code"] == "counter_not_found"
    # Another site's clerk, and nobody signed in.
    neuss_clerk = (await login(client, "neuss-clerk")).json()["token"]
    foreign = await client.post(
        f"/api/v1/sites/bochum/counters/{one}/state",
        json={"state": "paused"},
        headers={"Authorization": f"Bearer {neuss_clerk}"},
    )
    assert foreign.status_code == 403
    client.cookies.clear()  # the logins above left a session cookie
    anonymous = await client.post(
        f"/api/v1/sites/bochum/counters/{one}/state", json={"state": "paused"}
    )
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "sign_in"


@pytest.mark.slow
async def test_two_counters_calling_while_one_pauses(desk: Desk) -> None:
    made = [await desk.walk_in("recognition") for _ in range(24)]

    async def calls(counter: str) -> list[httpx.Response]:
        return [await desk.call_next(counter) for _ in range(12)]

    async def pause_soon() -> httpx.Response:
        await asyncio.sleep(0.05)
        return await state(desk, "one", "paused")

    one, two, paused = await asyncio.gather(calls("one"), calls("two"), pause_soon())
    assert paused.status_code == 200
    statuses = {r.status_code for r in one + two}
    assert statuses <= {200, 204, 409}
    assert all(r.status_code in (200, 204) for r in two)
    refused = [r for r in one if r.status_code == 409]
    assert all(r.json()["code"] == "counter_not_open" for r in refused)
    # After the pause answered, counter one calls nobody.
    assert (await desk.call_next("one")).status_code == 409
    # No ticket was called twice, and counter one holds exactly its successful calls.
    called = [r.json()["ticket"]["id"] for r in one + two if r.status_code == 200]
    assert len(called) == len(set(called))
    assert set(called) <= {t["id"] for t in made}
    rows = await Ticket.select(Ticket.id).where(Ticket.counter == desk.counters["one"])
    assert len(rows) == sum(r.status_code == 200 for r in one)


# --- park and unpark ---------------------------------------------------------------------


async def test_park_takes_a_ticket_out_of_the_line_and_unpark_puts_it_back_in_place(
    desk: Desk,
) -> None:
    first = await desk.walk_in("registration")
    second = await desk.walk_in("registration")
    third = await desk.walk_in("registration")
    parked = await desk.post(f"/tickets/{first['id']}/park")
    assert parked.status_code == 200, parked.text
    assert parked.json()["ticket"]["status"] == "parked"
    assert parked.json()["ticket"]["position"] is None
    body = await queue(desk)
    assert waiting_ids(body) == [second["id"], third["id"]]
    assert [t["id"] for t in body["parked"]] == [first["id"]]
    # Call-next passes it by.
    assert (await desk.call_next("one")).json()["ticket"]["id"] == second["id"]
    again = await desk.post(f"/tickets/{first['id']}/park")
    assert again.status_code == 409
    assert again.json()["code"] == "ticket_wrong_state"
    assert again.json()["ticket_status"] == "parked"
    # Back at its old due time: ahead of the third, who came later.
    back = await desk.post(f"/tickets/{first['id']}/unpark")
    assert back.json()["ticket"]["status"] == "waiting"
    assert back.json()["ticket"]["position"] == 1
    assert waiting_ids(await queue(desk)) == [first["id"], third["id"]]
    assert (await desk.post(f"/tickets/{first['id']}/unpark")).json()[
        "code"
    ] == "ticket_wrong_state"


async def test_a_called_visitor_parked_leaves_the_counter_free(desk: Desk) -> None:
    ticket = await desk.walk_in("registration")
    await desk.call_next("one")
    parked = (await desk.post(f"/tickets/{ticket['id']}/park")).json()["ticket"]
    assert (parked["status"], parked["counter"], parked["called_at"]) == ("parked", None, None)
    counters = (await desk.client.get("/api/v1/sites/bochum/counters", headers=desk.headers)).json()
    assert next(c for c in counters if c["name"] == "Schalter 1")["serving"] is None
    steps = await TicketStep.select(TicketStep.outcome).where(TicketStep.ticket == ticket["id"])
    assert [s["outcome"] for s in steps] == ["parked"]
    # Called back by its number, straight from the parked list.
    back = await desk.post(f"/sites/bochum/counters/{desk.counters['one']}/call", {"number": "a1"})
    assert back.status_code == 200, back.text
    assert back.json()["ticket"]["status"] == "called"


async def test_two_unparks_at_once_put_it_back_once(desk: Desk) -> None:
    ticket = await desk.walk_in("registration")
    await desk.post(f"/tickets/{ticket['id']}/park")
    answers = await asyncio.gather(
        *(desk.post(f"/tickets/{ticket['id']}/unpark") for _ in range(6))
    )
    assert sorted(a.status_code for a in answers) == [200] + [409] * 5
    assert waiting_ids(await queue(desk)) == [ticket["id"]]


async def test_park_and_unpark_are_scoped(desk: Desk, client: httpx.AsyncClient) -> None:
    ticket = await desk.walk_in("registration")
    neuss = (await login(client, "neuss-clerk")).json()["token"]
    for action in ("park", "unpark", "note", "undo-no-show"):
        body = {"note": "x"} if action == "note" else None
        foreign = await client.post(
            f"/api/v1/tickets/{ticket['id']}/{action}",
            json=body,
            headers={"Authorization": f"Bearer {neuss}"},
        )
        assert foreign.status_code == 403, action
        assert foreign.json()["code"] == "other_site"
        client.cookies.clear()  # the login above left a session cookie
        anonymous = await client.post(f"/api/v1/tickets/{ticket['id']}/{action}", json=body)
        assert anonymous.status_code == 401, action
        unknown = await desk.post(f"/tickets/{ticket['id'] + 999}/{action}", body)
        assert unknown.status_code == 404, action
        assert unknown.json()["code"] == "ticket_not_found"


# --- note, number, undo --------------------------------------------------------------------


async def test_a_note_is_for_staff_only(desk: Desk) -> None:
    ticket = await desk.walk_in("registration")
    noted = await desk.post(
        f"/tickets/{ticket['id']}/note", {"note": "  brings the lease tomorrow  "}
    )
    assert noted.json()["ticket"]["note"] == "brings the lease tomorrow"
    assert waiting_ids(await queue(desk)) == [ticket["id"]]
    [line] = [q for q in (await queue(desk))["queues"] if q["service"] == "registration"]
    assert line["waiting"][0]["note"] == "brings the lease tomorrow"
    token = ticket["ticket_url"].split("#", 1)[1]
    public = await desk.client.get(
        f"/api/v1/tickets/{ticket['id']}/public", headers={"Authorization": f"Bearer {token}"}
    )
    assert "note" not in public.json()
    assert "lease" not in public.text
    too_long = await desk.post(f"/tickets/{ticket['id']}/note", {"note": "x" * 501})
    assert too_long.status_code == 400
    assert too_long.json()["errors"][0]["field"] == "note"
    control = await desk.post(f"/tickets/{ticket['id']}/note", {"note": "a\x00b"})
    assert control.status_code == 422
    assert control.json()["errors"][0]["field"] == "note"
    cleared = await desk.post(f"/tickets/{ticket['id']}/note", {"note": ""})
    assert cleared.json()["ticket"]["note"] is None


async def test_call_a_number_typed_in(desk: Desk) -> None:
    await desk.walk_in("registration")
    second = await desk.walk_in("registration")
    path = f"/sites/bochum/counters/{desk.counters['one']}/call"
    called = await desk.post(path, {"number": " a002 "})
    assert called.status_code == 200, called.text
    assert called.json()["ticket"]["id"] == second["id"]
    for number in ("A002", "A999", "B001"):  # at a counter already; nobody; no such line
        missing = await desk.post(path, {"number": number})
        assert missing.status_code == 404, number
        assert missing.json()["code"] == "number_not_found"
        assert missing.json()["errors"][0]["field"] == "number"
    odd = await desk.post(path, {"number": "12A"})
    assert odd.status_code == 422
    assert odd.json()["errors"][0]["field"] == "number"
    both = await desk.post(path, {"number": "A001", "ticket_id": second["id"]})
    assert both.status_code == 422
    neither = await desk.post(path, {})
    assert neither.status_code == 422


async def test_a_number_of_another_site_is_not_found(desk: Desk, client: httpx.AsyncClient) -> None:
    neuss = (await login(client, "neuss-clerk")).json()["token"]
    made = await client.post(
        "/api/v1/sites/neuss/tickets",
        json={"service": "registration"},
        headers={"Authorization": f"Bearer {neuss}"},
    )
    assert made.json()["ticket"]["number"] == "A001"
    path = f"/sites/bochum/counters/{desk.counters['one']}/call"
    assert (await desk.post(path, {"number": "A001"})).status_code == 404
    by_id = await desk.post(path, {"ticket_id": made.json()["ticket"]["id"]})
    assert by_id.status_code == 404
    assert by_id.json()["code"] == "ticket_not_found"


async def test_a_no_show_can_be_undone_within_a_minute(desk: Desk) -> None:
    first = await desk.walk_in("registration")
    second = await desk.walk_in("registration")
    await desk.walk_in("registration")
    await desk.call_next("one")
    gone = await desk.post(f"/tickets/{first['id']}/no-show")
    assert gone.json()["ticket"]["status"] == "no_show"
    back = await desk.post(f"/tickets/{first['id']}/undo-no-show")
    assert back.status_code == 200, back.text
    assert back.json()["ticket"]["status"] == "waiting"
    assert back.json()["ticket"]["position"] == 1  # its old place, ahead of later ones
    assert waiting_ids(await queue(desk))[:2] == [first["id"], second["id"]]
    steps = await TicketStep.select().where(TicketStep.ticket == first["id"])
    assert steps == []  # the no-show is not counted in the figures
    again = await desk.post(f"/tickets/{first['id']}/undo-no-show")
    assert again.status_code == 409
    assert again.json()["code"] == "ticket_wrong_state"
    # Over a minute later, no.
    await desk.post(f"/tickets/{second['id']}/no-show")
    await Ticket.update({Ticket.finished_at: clock.now() - timedelta(seconds=61)}).where(
        Ticket.id == second["id"]
    )
    late = await desk.post(f"/tickets/{second['id']}/undo-no-show")
    assert late.status_code == 409
    assert late.json()["code"] == "undo_too_late"


# --- what the console shows ------------------------------------------------------------------


async def test_ticket_view_has_the_timer_wait_booking_language_and_next_names(
    desk: Desk, world: World
) -> None:
    walk_in = await desk.walk_in("registration", "recognition", language="uk")
    assert walk_in["language"] == "uk"
    assert walk_in["next_services"] == ["recognition"]
    assert walk_in["next_service_names"] == ["Recognition advice"]
    assert (walk_in["booked_at"], walk_in["called_at"], walk_in["waited_minutes"]) == (
        None,
        None,
        0,
    )
    reference = await booked_visit(world, (5, "recognition"))
    checked = (await desk.post("/sites/bochum/checkins", {"reference": reference})).json()["ticket"]
    assert checked["booked_at"] == checked["due"]
    assert checked["booked_at"].endswith(("+01:00", "+02:00"))  # Bochum's zone
    assert checked["language"] == "en"  # the booking's
    await Ticket.update({Ticket.queued_at: clock.now() - timedelta(minutes=7)}).where(
        Ticket.id == walk_in["id"]
    )
    called = (await desk.call_next("one")).json()["ticket"]
    assert called["id"] == walk_in["id"]
    assert called["waited_minutes"] == 7
    assert called["called_at"].endswith(("+01:00", "+02:00"))
    bad = await desk.post("/sites/bochum/tickets", {"service": "registration", "language": "xx"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "language"
    assert bad.json()["code"] == "invalid_input"


async def test_todays_figures(desk: Desk, client: httpx.AsyncClient) -> None:
    path = "/api/v1/sites/bochum/today"
    empty = (await client.get(path, headers=desk.headers)).json()
    assert (empty["served"], empty["waiting"], empty["no_shows"]) == (0, 0, 0)
    assert (empty["median_wait_minutes"], empty["longest_wait_now_minutes"]) == (None, None)
    tickets = [await desk.walk_in("registration") for _ in range(5)]
    # The first two waited 10 and 20 minutes before their calls.
    for ticket, waited in zip(tickets[:2], (10, 20), strict=True):
        await Ticket.update({Ticket.queued_at: clock.now() - timedelta(minutes=waited)}).where(
            Ticket.id == ticket["id"]
        )
        await desk.call_next("one")
        await desk.post(f"/tickets/{ticket['id']}/finish")
    await desk.call_next("one")
    await desk.post(f"/tickets/{tickets[2]['id']}/no-show")
    await Ticket.update({Ticket.queued_at: clock.now() - timedelta(minutes=33)}).where(
        Ticket.id == tickets[4]["id"]
    )
    figures = (await client.get(path, headers=desk.headers)).json()
    assert figures["served"] == 2
    assert figures["waiting"] == 2
    assert figures["no_shows"] == 1
    assert figures["issued"] == 5
    assert figures["median_wait_minutes"] == 10.0  # 20, 10 and ~0 minutes
    assert figures["longest_wait_now_minutes"] == 33
    assert figures["day"] == clock.now().astimezone(ZoneInfo("Europe/Berlin")).date().isoformat()
    neuss = (await login(client, "neuss-clerk")).json()["token"]
    assert (await client.get(path, headers={"Authorization": f"Bearer {neuss}"})).status_code == 403
    client.cookies.clear()  # the logins above left a session cookie
    assert (await client.get(path)).status_code == 401


async def test_today_is_the_sites_local_day(desk: Desk, client: httpx.AsyncClient) -> None:
    # A site far east: its day has begun (or ended) at another moment than Berlin's.
    await Site.update({Site.timezone: "Pacific/Kiritimati"}).where(Site.slug == "bochum")
    ticket = await desk.walk_in("registration")
    figures = (await client.get("/api/v1/sites/bochum/today", headers=desk.headers)).json()
    kiritimati = clock.now().astimezone(ZoneInfo("Pacific/Kiritimati"))
    assert figures["day"] == kiritimati.date().isoformat()
    assert figures["issued"] == 1
    # A ticket of the day before (its local day) does not count.
    await Ticket.update({Ticket.day: kiritimati.date() - timedelta(days=1)}).where(
        Ticket.id == ticket["id"]
    )
    assert (await client.get("/api/v1/sites/bochum/today", headers=desk.headers)).json()[
        "issued"
    ] == 0


async def test_hostile_input_is_a_4xx_naming_the_field(desk: Desk) -> None:
    ticket = await desk.walk_in("registration")
    call = f"/sites/bochum/counters/{desk.counters['one']}/call"
    raw = {"Content-Type": "application/json", **desk.headers}
    cases = [
        # A lone surrogate is not JSON text: msgspec refuses the body as a whole.
        (f"/tickets/{ticket['id']}/note", b'{"note": "\\ud800"}', ""),
        (f"/tickets/{ticket['id']}/note", b'{"note": 5}', "note"),
        (f"/tickets/{ticket['id']}/note", b"{}", "note"),
        (call, b'{"number": "A\\u0000"}', "number"),
        (call, b'{"number": ""}', "number"),
        (call, b'{"ticket_id": 99999999999999}', "ticket_id"),
        (f"/sites/bochum/counters/{desk.counters['one']}/state", b'{"state": ""}', "state"),
        ("/sites/bochum/tickets", b'{"service": "registration", "language": ""}', "language"),
    ]
    for path, body, field in cases:
        response = await desk.client.post(f"/api/v1{path}", content=body, headers=raw)
        assert 400 <= response.status_code < 500, (path, body, response.text)
        assert response.json()["code"] == "invalid_input", (path, body)
        assert field in response.text, (path, body)
    huge = await desk.post(f"/sites/bochum/counters/{2**62}/call-next")
    assert huge.status_code in (400, 404)
    assert "code" in huge.json()


async def test_the_desk_lists_names_in_its_own_language(desk: Desk) -> None:
    await desk.walk_in("registration")
    for lang, name in (("de", "Wohnsitzanmeldung"), ("en", "Residence registration")):
        for path in ("queue", "counters"):
            response = await desk.client.get(
                f"/api/v1/sites/bochum/{path}?lang={lang}", headers=desk.headers
            )
            assert response.status_code == 200, response.text
        body = (
            await desk.client.get(f"/api/v1/sites/bochum/queue?lang={lang}", headers=desk.headers)
        ).json()
        [line] = [q for q in body["queues"] if q["service"] == "registration"]
        assert line["name"] == name
        assert line["waiting"][0]["queue_name"] == name
    wrong = await desk.client.get("/api/v1/sites/bochum/queue?lang=xx", headers=desk.headers)
    assert wrong.status_code == 400
    assert "lang" in wrong.text
