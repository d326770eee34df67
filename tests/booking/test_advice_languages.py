"""Advice in the visitor's language: slots carry the languages their advisers speak
(agency API), availability and one-stop options filter by `advice_language`, and a
booking keeps the language it is held in."""

from datetime import date, datetime, timedelta

import httpx
import pytest

from tests.conftest import World, after, local, next_weekday


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def publish(
    world: World, start: datetime, languages: list[str] | None, *, service: str | None = None
) -> httpx.Response:
    service = service or world.registration
    key = world.citizens_key if service == world.registration else world.ihk_key
    body: dict[str, object] = {
        "site": world.site,
        "service": service,
        "start": start.isoformat(),
        "end": after(start, 20).isoformat(),
    }
    if languages is not None:
        body["languages"] = languages
    return await world.client.post("/api/v1/agency/slots", json=body, headers=world.headers(key))


async def slot_with(
    world: World, start: datetime, languages: list[str] | None, service: str | None = None
) -> int:
    response = await publish(world, start, languages, service=service)
    assert response.status_code == 201, response.text
    slot: dict[str, object] = response.json()["slots"][0]
    assert slot["languages"] == (languages or [])
    return int(str(slot["id"]))


async def free_ids(client: httpx.AsyncClient, day: date, **params: str) -> set[int]:
    response = await client.get(
        "/api/v1/availability",
        params={"site": "bochum", "from": day.isoformat(), "to": day.isoformat(), **params},
    )
    assert response.status_code == 200, response.text
    return {s["id"] for s in response.json()["slots"]}


async def test_the_arabic_advisers_slot_is_found_and_not_for_another_language(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(3)
    arabic = await slot_with(world, local(day, 9), ["ar", "en"])
    ukrainian = await slot_with(world, local(day, 10), ["uk"])
    german = await slot_with(world, local(day, 11), None)
    assert await free_ids(client, day, advice_language="ar") == {arabic}
    assert await free_ids(client, day, advice_language="AR") == {arabic}  # as typed
    assert await free_ids(client, day, advice_language="uk") == {ukrainian}
    assert await free_ids(client, day, advice_language="tr") == set()
    # Every office holds its appointments in German: "de" is every slot.
    assert await free_ids(client, day, advice_language="de") == {arabic, ukrainian, german}
    assert await free_ids(client, day) == {arabic, ukrainian, german}
    slots = (
        await client.get("/api/v1/availability", params={"site": "bochum", "advice_language": "ar"})
    ).json()["slots"]
    assert [s["languages"] for s in slots] == [["ar", "en"]]


@pytest.mark.parametrize(
    "languages",
    [
        ["xx"],
        ["ar", "klingon"],
        [""],
        ["a" * 17],
        ["de"] * 30,  # too many entries
        ["ar", "uk", "tr", "fr", "ru", "fa", "es", "it", "pl"],  # more than 8 languages
        [1],
        "ar",
    ],
)
async def test_unknown_languages_are_refused_naming_the_field(
    world: World, languages: list[object]
) -> None:
    response = await publish(world, local(next_weekday(3), 9), languages)  # type: ignore[arg-type]
    assert response.status_code in (400, 422), response.text
    assert "languages" in response.text
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_weekly_pattern_carries_its_languages_to_every_slot(world: World) -> None:
    first = next_weekday(1)
    response = await world.client.post(
        "/api/v1/agency/slots",
        json={
            "site": world.site,
            "service": world.registration,
            "from_date": first.isoformat(),
            "to_date": (first + timedelta(days=6)).isoformat(),
            "weekdays": [1, 3],
            "start_time": "09:00",
            "end_time": "10:00",
            "slot_minutes": 30,
            "languages": ["uk", "ru", "uk"],
        },
        headers=world.headers(world.citizens_key),
    )
    assert response.status_code == 201, response.text
    slots = response.json()["slots"]
    assert len(slots) == 4
    assert {tuple(s["languages"]) for s in slots} == {("uk", "ru")}  # each once, in order
    listed = (
        await world.client.get("/api/v1/agency/slots", headers=world.headers(world.citizens_key))
    ).json()
    assert {tuple(s["languages"]) for s in listed} == {("uk", "ru")}


async def test_bad_advice_language_is_422_naming_it(
    world: World, client: httpx.AsyncClient
) -> None:
    for path, params in [
        ("/api/v1/availability", {"site": "bochum", "advice_language": "xx"}),
        (
            "/api/v1/visits/options",
            {"site": "bochum", "services": "registration,recognition", "advice_language": "zz9"},
        ),
    ]:
        response = await client.get(path, params=params)
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "advice_language"
    slot_id = await slot_with(world, local(next_weekday(3), 9), ["ar"])
    response = await world.book(slot_id, advice_language="xx")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "advice_language"


async def test_the_booking_keeps_its_language_and_refuses_a_slot_without_it(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(3)
    arabic = await slot_with(world, local(day, 9), ["ar"])
    german = await slot_with(world, local(day, 10), None)
    later_arabic = await slot_with(world, local(day, 11), ["tr", "ar"])
    refused = await world.book(german, advice_language="ar")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "advice_language"
    assert await free_ids(client, day) == {arabic, german, later_arabic}  # nothing taken

    created = await world.book(arabic, advice_language="ar", language="ar")
    assert created.status_code == 201, created.text
    assert created.json()["advice_language"] == "ar"
    reference, token = created.json()["reference"], created.json()["manage_token"]
    view = (await client.get(f"/api/v1/bookings/{reference}", headers=auth(token))).json()
    assert view["advice_language"] == "ar"
    # Moving it keeps the language: not onto the German-only slot, onto another Arabic one.
    moved = await client.post(
        f"/api/v1/bookings/{reference}/reschedule", json={"slot_id": german}, headers=auth(token)
    )
    assert moved.status_code == 422
    assert moved.json()["errors"][0]["field"] == "advice_language"
    moved = await client.post(
        f"/api/v1/bookings/{reference}/reschedule",
        json={"slot_id": later_arabic},
        headers=auth(token),
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["advice_language"] == "ar"
    # Without a language asked for, a booking is held in German.
    plain = (await world.book(german)).json()
    assert plain["advice_language"] == "de"


async def test_one_stop_options_take_the_advice_language(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(3)
    registration_ar = await slot_with(world, local(day, 9), ["ar"])
    await slot_with(world, local(day, 9, 30), None)
    recognition_ar = await slot_with(world, local(day, 10), ["ar"], service=world.recognition)
    recognition_de = await slot_with(world, local(day, 9, 30), None, service=world.recognition)

    async def options(**params: str) -> list[list[int]]:
        response = await client.get(
            "/api/v1/visits/options",
            params={
                "site": "bochum",
                "services": "registration,recognition",
                "from": day.isoformat(),
                "to": day.isoformat(),
                "limit": "20",
                **params,
            },
        )
        assert response.status_code == 200, response.text
        found = response.json()["options"]
        for option in found:
            for appointment in option["appointments"]:
                if params.get("advice_language"):
                    assert params["advice_language"] in appointment["languages"]
        return [option["slot_ids"] for option in found]

    assert await options(advice_language="ar") == [[registration_ar, recognition_ar]]
    assert await options(advice_language="uk") == []
    assert [registration_ar, recognition_de] not in await options(advice_language="ar")
    assert len(await options()) > 1
