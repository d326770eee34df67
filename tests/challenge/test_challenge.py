"""The proof of work on public booking and rescheduling: fetched, solved the way an API
client would (the altcha package), and refused when missing, malformed, wrong, expired
or used before, also by two requests at once."""

import asyncio
import base64
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import altcha
import httpx
import pytest
from litestar import Litestar

from tests.conftest import World, local, next_weekday
from wcr import server_secret
from wcr.booking.tables import Booking, Slot
from wcr.challenge import challenges
from wcr.challenge.challenges import LIFETIME, ProofOfWork
from wcr.challenge.tables import SpentChallenge
from wcr.config import Settings
from wcr.errors import InvalidInput

# Small, so that solving in Python takes milliseconds; one test solves the default.
MAX_NUMBER = 2000


@pytest.fixture
def challenge_on() -> bool:
    return True


@pytest.fixture
def settings(settings: Settings, challenge_on: bool) -> Settings:
    return replace(settings, challenge=challenge_on, challenge_max_number=MAX_NUMBER)


async def fetch(client: httpx.AsyncClient) -> altcha.Challenge:
    response = await client.get("/api/v1/challenge")
    assert response.status_code == 200, response.text
    assert "no-store" in response.headers["cache-control"]
    return altcha.Challenge.from_dict(response.json())


def solve(challenge: altcha.Challenge) -> str:
    solution = altcha.solve_challenge(challenge, timeout=30)
    assert solution is not None
    return altcha.Payload(challenge, solution).to_base64()


async def solved(client: httpx.AsyncClient) -> str:
    return solve(await fetch(client))


def encoded(value: Any) -> str:
    return base64.b64encode(json.dumps(value).encode()).decode()


def assert_refused(response: httpx.Response, words: str) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert [e["field"] for e in body["errors"]] == ["altcha"]
    assert words in body["errors"][0]["message"]


async def booked_places(slot_id: int) -> int:
    row = await Slot.select(Slot.booked).where(Slot.id == slot_id).first()
    assert row is not None
    return int(row["booked"])


async def test_a_solved_challenge_books_once_and_only_once(world: World) -> None:
    challenge = await fetch(world.client)
    parameters = challenge.parameters
    assert parameters.algorithm == "SHA-256"
    assert challenge.signature
    expires = datetime.fromtimestamp(parameters.expires_at or 0, UTC)
    assert timedelta(minutes=14) < expires - datetime.now(UTC) <= LIFETIME
    payload = solve(challenge)
    slot_id = await world.slot(local(next_weekday(1), 9), capacity=2)

    first = await world.book(slot_id, altcha=payload)
    assert first.status_code == 201, first.text

    again = await world.book(slot_id, altcha=payload, email="other@example.org")
    assert_refused(again, "used already")
    assert await booked_places(slot_id) == 1
    assert await SpentChallenge.count() == 1


async def test_missing_or_malformed_solutions_are_refused_before_anything_is_booked(
    world: World,
) -> None:
    slot_id = await world.slot(local(next_weekday(1), 10))
    assert_refused(await world.book(slot_id), "required")
    assert_refused(await world.book(slot_id, altcha=""), "required")
    for junk in [
        "not base64 at all!",
        "äöü",
        encoded([1, 2, 3]),
        encoded({"challenge": {"parameters": {}}, "solution": {}}),
        encoded({"challenge": None, "solution": None, "test": True}),  # the widget's test mode
        base64.b64encode(b"\xff\xfe not json").decode(),
    ]:
        assert_refused(await world.book(slot_id, altcha=junk), "not an ALTCHA payload")
    assert await booked_places(slot_id) == 0
    assert await Booking.count() == 0


async def test_wrong_or_foreign_solutions_are_refused(world: World) -> None:
    slot_id = await world.slot(local(next_weekday(1), 11))
    challenge = await fetch(world.client)
    solution = altcha.solve_challenge(challenge, timeout=30)
    assert solution is not None
    body = altcha.Payload(challenge, solution).to_dict()

    wrong_key = json.loads(json.dumps(body))
    wrong_key["solution"]["derivedKey"] = "00" * 32
    assert_refused(await world.book(slot_id, altcha=encoded(wrong_key)), "wrong solution")

    later = json.loads(json.dumps(body))  # a longer life, not signed by us
    later["challenge"]["parameters"]["expiresAt"] += 3600
    assert_refused(await world.book(slot_id, altcha=encoded(later)), "wrong solution")

    foreign = altcha.create_challenge(
        algorithm="SHA-256",
        cost=1,
        counter=5,
        expires_at=datetime.now(UTC) + timedelta(minutes=5),
        hmac_secret="someone else's key",
        hmac_key_secret="someone else's other key",
    )
    assert_refused(await world.book(slot_id, altcha=solve(foreign)), "wrong solution")

    # The right solution still works: none of the refusals spent it.
    assert (await world.book(slot_id, altcha=encoded(body))).status_code == 201


async def test_an_expired_challenge_is_refused(world: World, settings: Settings) -> None:
    slot_id = await world.slot(local(next_weekday(1), 12))
    old = ProofOfWork.from_settings(settings).issue(at=datetime.now(UTC) - LIFETIME)
    assert_refused(await world.book(slot_id, altcha=solve(old)), "expired")
    assert await booked_places(slot_id) == 0


async def test_rescheduling_needs_a_fresh_solution_too(world: World) -> None:
    day = next_weekday(2)
    first, second, third = [await world.slot(local(day, hour)) for hour in (9, 10, 11)]
    booked = (await world.book(first, altcha=await solved(world.client))).json()
    url = f"/api/v1/bookings/{booked['reference']}/reschedule"
    auth = {"Authorization": f"Bearer {booked['manage_token']}"}

    missing = await world.client.post(url, json={"slot_id": second}, headers=auth)
    assert_refused(missing, "required")

    payload = await solved(world.client)
    moved = await world.client.post(url, json={"slot_id": second, "altcha": payload}, headers=auth)
    assert moved.status_code == 200, moved.text
    assert [a["slot_id"] for a in moved.json()["appointments"]] == [second]

    replayed = await world.client.post(
        url, json={"slot_id": third, "altcha": payload}, headers=auth
    )
    assert_refused(replayed, "used already")
    assert await booked_places(third) == 0


async def test_two_requests_with_one_solution_at_once_book_exactly_once(world: World) -> None:
    slot_id = await world.slot(local(next_weekday(3), 9), capacity=20)
    payload = await solved(world.client)
    responses = await asyncio.gather(
        *(world.book(slot_id, altcha=payload, email=f"racer{n}@example.org") for n in range(20))
    )
    statuses = [r.status_code for r in responses]
    assert statuses.count(201) == 1, statuses
    assert statuses.count(422) == 19
    assert await booked_places(slot_id) == 1


async def test_the_default_difficulty_is_solvable_and_bounded(settings: Settings) -> None:
    pow_ = ProofOfWork.from_settings(replace(settings, challenge_max_number=4))
    solutions = [altcha.solve_challenge(pow_.issue(), timeout=5) for _ in range(40)]
    counters = {s.counter for s in solutions if s is not None}
    assert len(solutions) == 40
    assert None not in solutions
    assert counters <= {0, 1, 2, 3}
    assert len(counters) > 1  # random, not always the same number
    default = ProofOfWork.from_settings(Settings())
    assert default.max_number == Settings().challenge_max_number == 100_000
    solution = altcha.solve_challenge(default.issue(), timeout=30)
    assert solution is not None
    assert solution.counter < 100_000


@pytest.mark.parametrize("challenge_on", [False])
async def test_switched_off_a_booking_needs_no_solution(world: World) -> None:
    slot_id = await world.slot(local(next_weekday(1), 13))
    assert (await world.book(slot_id)).status_code == 201


def test_the_switch_and_the_difficulty_come_from_the_environment() -> None:
    assert Settings.from_env({}).challenge is True
    assert Settings.from_env({"WCR_CHALLENGE": "off"}).challenge is False
    assert Settings.from_env({"WCR_CHALLENGE": "ON"}).challenge is True
    assert Settings.from_env({"WCR_CHALLENGE_MAX_NUMBER": "2000"}).challenge_max_number == 2000
    with pytest.raises(ValueError, match="WCR_CHALLENGE"):
        Settings.from_env({"WCR_CHALLENGE": "maybe"})


async def test_spent_challenges_are_forgotten_after_they_expire(
    world: World, app: Litestar
) -> None:
    slot_id = await world.slot(local(next_weekday(4), 9), capacity=2)
    for _ in range(2):
        assert (await world.book(slot_id, altcha=await solved(world.client))).status_code == 201
    engine = app.state.engine
    await challenges.forget_expired(engine)
    assert await SpentChallenge.count() == 2  # still fresh: kept
    await challenges.forget_expired(
        engine, at=datetime.now(UTC) + LIFETIME + challenges.GRACE + timedelta(minutes=1)
    )
    assert await SpentChallenge.count() == 0


async def test_the_booking_form_carries_the_widget_and_refuses_without_a_solution(
    world: World,
) -> None:
    slot_id = await world.slot(local(next_weekday(1), 14))
    page = await world.client.get(
        f"/en/sites/{world.site}/details?services={world.registration}&choice={slot_id}"
    )
    assert page.status_code == 200
    assert '<altcha-widget challenge="/api/v1/challenge" name="altcha"' in page.text
    assert 'src="/static/altcha.min.js"' in page.text
    assert "<noscript>" in page.text
    form = {
        "services": world.registration,
        "choice": str(slot_id),
        "name": "No Script",
        "email": "noscript@example.org",
    }
    refused = await world.client.post(f"/en/sites/{world.site}/book", data=form)
    assert refused.status_code == 200
    assert "The automatic check against misuse did not finish" in refused.text
    assert await booked_places(slot_id) == 0
    form["altcha"] = await solved(world.client)
    booked = await world.client.post(f"/en/sites/{world.site}/book", data=form)
    assert 'id="reference"' in booked.text
    assert await booked_places(slot_id) == 1


@pytest.mark.parametrize("challenge_on", [False])
async def test_switched_off_the_pages_load_no_widget(world: World) -> None:
    slot_id = await world.slot(local(next_weekday(1), 14))
    page = await world.client.get(
        f"/en/sites/{world.site}/details?services={world.registration}&choice={slot_id}"
    )
    assert page.status_code == 200
    assert 'id="book"' in page.text
    assert "altcha" not in page.text


@pytest.fixture
def own_secrets() -> Iterator[None]:
    """Leave the server secret as it was found (the keyring is per process)."""
    source = server_secret._source
    kept = (source.settings, source.stamp, source.keyring)
    yield
    source.settings, source.stamp, source.keyring = kept


def test_challenges_are_signed_with_the_server_secret_and_survive_one_rotation(
    own_secrets: None,
) -> None:
    old, new, other = "o" * 32, "n" * 32, "x" * 32
    server_secret.use(Settings(secret_key=old))
    payload = solve(ProofOfWork.from_settings(Settings()).issue())

    server_secret.use(Settings(secret_key=f"{new},{old}"))  # rotated: old still accepted
    rotated = ProofOfWork.from_settings(Settings())
    assert rotated._check(payload, datetime.now(UTC)).signature
    fresh = solve(rotated.issue())  # signed with the new one
    assert rotated._check(fresh, datetime.now(UTC)).signature

    server_secret.use(Settings(secret_key=other))  # another deployment's secret
    with pytest.raises(InvalidInput, match="wrong solution"):
        ProofOfWork.from_settings(Settings())._check(fresh, datetime.now(UTC))
