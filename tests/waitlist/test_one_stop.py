"""One-stop entries (a package, or 2-5 services): a freed place is held only when it
completes a whole visit, with every place of that visit, and claimed as one booking;
single and one-stop entries are offered in joining order."""

from __future__ import annotations

from datetime import date, time, timedelta

import httpx
import pytest
from litestar import Litestar

from tests.conftest import World, local, next_weekday
from tests.waitlist.helpers import bearer, booked, entry_status, holds, join
from tests.waitlist.test_offers import cancel
from wcr import clock, events
from wcr.booking import visits
from wcr.booking.tables import Appointment
from wcr.waitlist import sweep
from wcr.waitlist.events import OfferMade

WEDNESDAY = 3
BOTH = ["registration", "recognition"]


@pytest.fixture
async def package(world: World, app: Litestar) -> str:
    assert await visits.create_package(
        app.state.engine,
        "wednesdays",
        "bochum",
        {"de": "Alles mittwochs", "en": "All on Wednesdays"},
        BOTH,
        schedule=visits.parse_schedule("wed", "08:00-16:00"),
    )
    return "wednesdays"


async def pair(world: World, day: date, at: time) -> tuple[int, int]:
    """Registration at ``at`` (20 min), recognition 10 minutes after it ends: a visit
    of the two (pairs three hours apart are too far for the site's 60 min of waiting
    to mix)."""
    start = local(day, at.hour, at.minute)
    registration = await world.slot(start, minutes=20)
    recognition = await world.slot(start + timedelta(minutes=30), service=world.recognition)
    return registration, recognition


async def join_visit(
    client: httpx.AsyncClient,
    day: date,
    n: int,
    *,
    services: list[str] | None = None,
    package: str | None = None,
) -> dict[str, str]:
    """Join for a one-stop visit: of a package, or of services (both by default)."""
    if package is not None:
        return await join(client, day, n, service=None, package=package)
    return await join(client, day, n, service=None, services=services or BOTH)


async def active(slot: int) -> int:
    return int(
        await Appointment.count().where(
            (Appointment.slot == slot) & (Appointment.status == "active")
        )
    )


@pytest.mark.parametrize("by_package", [False, True], ids=["services", "package"])
async def test_a_freed_place_that_completes_a_visit_holds_all_of_it_and_books_one_visit(
    world: World, client: httpx.AsyncClient, package: str, by_package: bool
) -> None:
    day = next_weekday(WEDNESDAY)
    registration, recognition = await pair(world, day, time(9))
    taken = (await world.book(registration)).json()
    entry = await join_visit(client, day, 1, package=package if by_package else None)
    assert [await booked(registration), await booked(recognition)] == [1, 0]

    told: list[OfferMade] = []

    async def tell(event: OfferMade) -> None:
        told.append(event)

    events.subscribe(OfferMade, tell)
    try:
        await cancel(client, taken)
    finally:
        events.unsubscribe(OfferMade, tell)
    assert [(e.reference, e.slot_ids) for e in told] == [
        (entry["reference"], (registration, recognition))
    ]
    assert await holds() == [
        {"slot": registration, "status": "held", "reference": entry["reference"]},
        {"slot": recognition, "status": "held", "reference": entry["reference"]},
    ]
    assert [await booked(registration), await booked(recognition)] == [1, 1]
    assert (await world.book(recognition, email="other@example.org")).status_code == 409
    view = (
        await client.get(f"/api/v1/waitlist/{entry['reference']}", headers=bearer(entry["token"]))
    ).json()
    assert view["status"] == "offered"
    assert view["offer"]["slot_ids"] == [registration, recognition]
    assert sorted(view["services"]) == sorted(BOTH)
    assert view["package"] == (package if by_package else None)

    claims = [
        await client.post(
            f"/api/v1/waitlist/{entry['reference']}/claim", headers=bearer(entry["token"])
        )
        for _ in range(2)
    ]
    assert [c.status_code for c in claims] == [201, 409]
    made = claims[0].json()
    visit = (
        await client.get(
            f"/api/v1/bookings/{made['reference']}", headers=bearer(made["manage_token"])
        )
    ).json()
    assert visit["status"] == "confirmed"
    assert [a["slot_id"] for a in visit["appointments"]] == [registration, recognition]
    assert visit["package"] == (package if by_package else None)
    assert [await booked(registration), await booked(recognition)] == [1, 1]
    assert [await active(registration), await active(recognition)] == [1, 1]
    assert await entry_status(entry["reference"]) == "booked"


async def test_a_place_that_completes_no_visit_is_not_held_and_passes_to_a_later_entry(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(WEDNESDAY)
    registration, recognition = await pair(world, day, time(9))
    taken = (await world.book(registration)).json()
    await world.book(recognition, email="full@example.org")  # the other part is full
    one_stop = await join_visit(client, day, 1)
    await cancel(client, taken)
    assert await holds() == []
    assert [await booked(registration), await booked(recognition)] == [0, 1]
    assert await entry_status(one_stop["reference"]) == "waiting"

    # Booked again and freed again: a single entry that joined later gets it.
    again = (await world.book(registration, email="again@example.org")).json()
    single = await join(client, day, 2)
    await cancel(client, again)
    assert await holds() == [
        {"slot": registration, "status": "held", "reference": single["reference"]}
    ]
    assert [await booked(registration), await booked(recognition)] == [1, 1]
    assert await entry_status(one_stop["reference"]) == "waiting"


async def test_single_and_one_stop_entries_are_offered_in_joining_order(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(WEDNESDAY)
    first_registration, first_recognition = await pair(world, day, time(9))
    second_registration, second_recognition = await pair(world, day, time(12))
    first_taken = (await world.book(first_registration)).json()
    second_taken = (await world.book(second_registration, email="two@example.org")).json()
    single = await join(client, day, 1)
    one_stop = await join_visit(client, day, 2)

    await cancel(client, first_taken)  # the single entry joined first: the one place
    assert await holds() == [
        {"slot": first_registration, "status": "held", "reference": single["reference"]}
    ]
    assert await booked(first_recognition) == 0
    await cancel(client, second_taken)  # the single one is offered: the visit's turn
    assert [(h["slot"], h["reference"]) for h in (await holds())[1:]] == [
        (second_registration, one_stop["reference"]),
        (second_recognition, one_stop["reference"]),
    ]
    assert await booked(first_recognition) == 0
    assert await booked(second_recognition) == 1


async def test_a_package_entry_is_held_only_within_its_hours(
    world: World, client: httpx.AsyncClient, package: str
) -> None:
    day = next_weekday(WEDNESDAY)
    early_registration, early_recognition = await pair(world, day, time(7))  # before 08:00
    taken = (await world.book(early_registration)).json()
    by_package = await join_visit(client, day, 1, package=package)
    await cancel(client, taken)
    assert await holds() == []
    assert [await booked(early_registration), await booked(early_recognition)] == [0, 0]
    assert await entry_status(by_package["reference"]) == "waiting"


async def test_a_one_stop_hold_that_runs_out_gives_back_every_place_and_passes_on(
    app: Litestar, world: World, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = next_weekday(WEDNESDAY)
    registration, recognition = await pair(world, day, time(9))
    taken = (await world.book(registration)).json()
    first = await join_visit(client, day, 1)
    second = await join_visit(client, day, 2, services=list(reversed(BOTH)))
    await cancel(client, taken)
    later = clock.now() + timedelta(minutes=31)
    monkeypatch.setattr("wcr.waitlist.sweep.now", lambda: later)
    assert await sweep.sweep(app.state.engine) == 2  # both places of the one hold
    assert [(h["slot"], h["status"], h["reference"]) for h in await holds()] == [
        (registration, "expired", first["reference"]),
        (recognition, "expired", first["reference"]),
        (registration, "held", second["reference"]),
        (recognition, "held", second["reference"]),
    ]
    assert [await booked(registration), await booked(recognition)] == [1, 1]
    left = await client.delete(
        f"/api/v1/waitlist/{second['reference']}", headers=bearer(second["token"])
    )
    assert left.status_code == 204
    # The first entry held these slots before: never offered them again; both free.
    assert [h["status"] for h in await holds()][2:] == ["declined", "declined"]
    assert [await booked(registration), await booked(recognition)] == [0, 0]
    assert await entry_status(first["reference"]) == "waiting"


def fields(response: httpx.Response) -> set[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return {e["field"] for e in response.json()["errors"]}


@pytest.mark.parametrize(
    ("wanted", "field"),
    [
        ({"service": "registration", "package": "wednesdays"}, "package"),
        ({"service": "registration", "services": BOTH}, "services"),
        ({"services": BOTH, "package": "wednesdays"}, "package"),
        ({"package": "nothing-such"}, "package"),
        ({"services": ["registration"]}, "services"),
        ({"services": ["registration", "registration"]}, "services"),
        ({"services": ["registration", "nothing-such"]}, "services"),
        ({"services": ["registration,recognition"]}, "services"),
        ({"package": "wednesdays", "site": "neuss"}, "site"),
    ],
)
async def test_bad_one_stop_input_is_422_naming_the_field(
    world: World,
    client: httpx.AsyncClient,
    package: str,
    wanted: dict[str, object],
    field: str,
) -> None:
    day = next_weekday(WEDNESDAY)
    body: dict[str, object] = {
        "site": "bochum",
        "from": day.isoformat(),
        "to": day.isoformat(),
        "name": "Someone",
        "email": "someone@example.org",
    }
    response = await client.post("/api/v1/waitlist", json=body | wanted)
    assert field in fields(response)


async def test_more_than_five_services_are_refused_by_the_schema(
    world: World, client: httpx.AsyncClient
) -> None:
    response = await client.post(
        "/api/v1/waitlist",
        json={"site": "bochum", "services": ["a"] * 6, "name": "Someone", "email": "s@example.org"},
    )
    assert response.status_code == 400  # the body's schema, as everywhere in the API
    assert [e["field"] for e in response.json()["errors"]] == ["services"]


async def test_a_package_entry_must_accept_one_of_its_weekdays(
    world: World, client: httpx.AsyncClient, package: str
) -> None:
    monday = next_weekday(1)
    body = {
        "site": "bochum",
        "package": package,
        "from": monday.isoformat(),
        "to": (monday + timedelta(days=1)).isoformat(),  # Monday and Tuesday only
        "name": "Someone",
        "email": "someone@example.org",
    }
    response = await client.post("/api/v1/waitlist", json=body)
    assert fields(response) == {"from"}
    assert "wed" in response.json()["errors"][0]["message"]
    body["to"] = (monday + timedelta(days=2)).isoformat()  # with the Wednesday: fine
    assert (await client.post("/api/v1/waitlist", json=body)).status_code == 201


async def test_one_open_entry_per_contact_and_set_of_services(
    world: World, client: httpx.AsyncClient, package: str
) -> None:
    day = next_weekday(WEDNESDAY)
    await join_visit(client, day, 1)
    for wanted in ({"services": list(reversed(BOTH))}, {"package": package}):
        again = await client.post(
            "/api/v1/waitlist",
            json={"site": "bochum", "name": "Same", "email": "waiting1@example.org"} | wanted,
        )
        assert again.status_code == 409, again.text
    await join(client, day, 1)  # one of the services alone: another entry
    await join(client, day, 1, service="recognition")
