"""Logins slowed per account after repeated failures, and every failure recorded."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import httpx
import pytest
from litestar import Litestar

from wcr.accounts import repository
from wcr.accounts.public import create_staff
from wcr.accounts.service import FAILURE_WINDOW, MAX_FAILURES, wait_after
from wcr.accounts.tables import StaffLoginAttempt
from wcr.clock import now
from wcr.errors import PROBLEM_JSON

PASSWORD = "correct horse battery"
WRONG = "a wrong guess 123"


@pytest.fixture
async def accounts(app: Litestar) -> None:
    await create_staff("boss", PASSWORD, "admin", None)
    await create_staff("chief", PASSWORD, "admin", None)


async def login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/login", json={"username": username, "password": password}
    )


def test_the_wait_grows_with_each_failure_up_to_the_window() -> None:
    waits = [wait_after(n).total_seconds() for n in range(12)]
    assert waits == [0, 0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900]
    assert wait_after(10_000) == FAILURE_WINDOW


@pytest.mark.usefixtures("accounts")
async def test_the_sixth_attempt_after_five_failures_waits(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="wcr.accounts")
    statuses = [(await login(client, "boss", WRONG)).status_code for _ in range(MAX_FAILURES)]
    assert statuses == [401] * MAX_FAILURES  # the fifth failure is still checked

    refused = await login(client, "boss", PASSWORD)  # even the right password waits
    assert refused.status_code == 429
    assert refused.headers["content-type"] == PROBLEM_JSON
    assert 25 <= int(refused.headers["retry-after"]) <= 30
    assert "set-cookie" not in refused.headers
    # Another account is not slowed.
    assert (await login(client, "chief", PASSWORD)).status_code == 200

    rows = await StaffLoginAttempt.select().where(StaffLoginAttempt.username == "boss")
    assert [(row["failed"], row["address"]) for row in rows] == [(True, "127.0.0.1")] * 5
    assert not any(WRONG in str(row.values()) for row in rows)  # never the password
    failed = [r.getMessage() for r in caplog.records if "login failed" in r.getMessage()]
    assert failed == ["login failed for 'boss' from 127.0.0.1"] * MAX_FAILURES
    assert all(WRONG not in r.getMessage() for r in caplog.records)


@pytest.mark.usefixtures("accounts")
async def test_a_success_starts_the_count_again(client: httpx.AsyncClient) -> None:
    for _ in range(MAX_FAILURES - 1):
        assert (await login(client, "boss", WRONG)).status_code == 401
    assert (await login(client, "boss", PASSWORD)).status_code == 200
    for _ in range(MAX_FAILURES - 1):
        assert (await login(client, "boss", WRONG)).status_code == 401
    assert (await login(client, "boss", PASSWORD)).status_code == 200


async def fail_earlier(username: str, *ages: timedelta) -> None:
    """Failures as if they happened ``ages`` ago."""
    for age in sorted(ages, reverse=True):
        await repository.insert_attempt(username, "192.0.2.1", now() - age)


@pytest.mark.usefixtures("accounts")
async def test_the_wait_is_counted_from_the_latest_failure(client: httpx.AsyncClient) -> None:
    seconds = timedelta(seconds=1)
    # Five failures, the latest 45 s ago: the 30 s are over.
    await fail_earlier("boss", *[45 * seconds] * MAX_FAILURES)
    assert (await login(client, "boss", WRONG)).status_code == 401
    # Six failures now, the latest just now: 60 s to wait.
    response = await login(client, "boss", PASSWORD)
    assert response.status_code == 429
    assert 55 <= int(response.headers["retry-after"]) <= 60
    # Six failures, the latest 45 s ago: 15 s still to wait.
    await fail_earlier("chief", *[45 * seconds] * (MAX_FAILURES + 1))
    response = await login(client, "chief", PASSWORD)
    assert response.status_code == 429
    assert 10 <= int(response.headers["retry-after"]) <= 15
    # Failures older than the window no longer count.
    await fail_earlier("nobody", *[FAILURE_WINDOW + seconds] * 8)
    assert (await login(client, "nobody", WRONG)).status_code == 401


@pytest.mark.usefixtures("accounts")
async def test_a_burst_of_guesses_does_not_slip_past_the_count(
    client: httpx.AsyncClient,
) -> None:
    responses = await asyncio.gather(*(login(client, "boss", WRONG) for _ in range(20)))
    statuses = sorted(r.status_code for r in responses)
    checked = statuses.count(401)
    # Attempts count from their insert on: about the first five reach the password check
    # (on PostgreSQL one more may, whose neighbour's insert was not yet visible).
    assert MAX_FAILURES <= checked <= MAX_FAILURES + 1, statuses
    assert statuses.count(429) == 20 - checked
