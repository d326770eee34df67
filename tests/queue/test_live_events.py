"""The event stream against real servers: one process, and two sharing Redis."""

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import redis

from tests.live_server import live_server
from tests.test_operations import wcr

pytestmark = pytest.mark.slow
PASSWORD = "counter-password-1"
# An event stream is silent between events: no read timeout (wait_for bounds the tests).
STREAM_TIMEOUT = httpx.Timeout(10.0, read=None)


def prepare(database_url: str) -> None:
    assert wcr(database_url, "seed-demo").returncode == 0
    made = wcr(
        database_url,
        "staff-add",
        "clerk",
        "--site",
        "bochum",
        "--role",
        "frontdesk",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert made.returncode == 0, made.stderr


async def desk_client(base: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=10)
    login = await client.post(
        "/api/v1/auth/login", json={"username": "clerk", "password": PASSWORD}
    )
    assert login.status_code == 200, login.text
    client.headers["Authorization"] = f"Bearer {login.json()['token']}"
    return client


async def next_call(
    stream_lines: AsyncIterator[str], deadline: float = 5.0
) -> dict[str, Any] | None:
    """The next 'called' event from an SSE line iterator."""

    async def read() -> dict[str, Any] | None:
        event: str | None = None
        async for line in stream_lines:
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event == "ticket":
                data: dict[str, Any] = json.loads(line.split(":", 1)[1])
                if data["type"] == "called":
                    return data
        return None  # the stream ended without a call

    return await asyncio.wait_for(read(), deadline)


async def call_one(desk: httpx.AsyncClient) -> dict[str, Any]:
    ticket = await desk.post(
        "/api/v1/sites/bochum/tickets",
        json={"service": "residence-registration", "name": "Secret Name"},
    )
    assert ticket.status_code == 201, ticket.text
    counters = (await desk.get("/api/v1/sites/bochum/counters")).json()
    counter = next(c for c in counters if "residence-registration" in c["services"])
    called = await desk.post(f"/api/v1/sites/bochum/counters/{counter['id']}/call-next")
    assert called.status_code == 200, called.text
    result: dict[str, Any] = called.json()["ticket"]
    return result


async def test_a_call_reaches_the_stream_without_personal_data(database_url: str) -> None:
    prepare(database_url)
    with live_server(database_url) as base:
        desk = await desk_client(base)
        async with (
            httpx.AsyncClient(base_url=base, timeout=STREAM_TIMEOUT) as viewer,
            viewer.stream("GET", "/api/v1/sites/bochum/events") as stream,
        ):
            assert stream.headers["content-type"].startswith("text/event-stream")
            lines = stream.aiter_lines()
            first = await asyncio.wait_for(anext(lines), 5)
            assert first == "event: ready"
            ticket = await call_one(desk)
            event = await next_call(lines)
        await desk.aclose()
    assert event is not None
    assert event["ticket"]["number"] == ticket["number"]
    assert event["ticket"]["counter"] == ticket["counter"]
    assert "Secret Name" not in json.dumps(event)


async def test_two_instances_share_events_through_redis(database_url: str) -> None:
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379").ping()
    except redis.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    prepare(database_url)
    # A key prefix of its own: parallel runs do not hear each other, earlier runs replay
    # nothing, and only this run's keys are removed afterwards (never FLUSHDB).
    prefix = f"wcr_test_{uuid.uuid4().hex[:12]}"
    env = {"WCR_REDIS_URL": "redis://127.0.0.1:6379/0", "WCR_REDIS_PREFIX": prefix}
    keys = redis.Redis.from_url(env["WCR_REDIS_URL"])
    try:
        with live_server(database_url, **env) as one, live_server(database_url, **env) as two:
            desk = await desk_client(one)
            async with (
                httpx.AsyncClient(base_url=two, timeout=STREAM_TIMEOUT) as viewer,
                viewer.stream("GET", "/api/v1/sites/bochum/events") as stream,
            ):
                lines = stream.aiter_lines()
                assert await asyncio.wait_for(anext(lines), 5) == "event: ready"
                started = time.monotonic()
                ticket = await call_one(desk)
                event = await next_call(lines)
                elapsed = time.monotonic() - started
            await desk.aclose()
        ours = list(keys.scan_iter(match=f"{prefix}*"))
    finally:
        for key in keys.scan_iter(match=f"{prefix}*"):
            keys.delete(key)
        keys.close()
    assert ours, "the events went through keys under this run's prefix"
    assert event is not None
    assert event["ticket"]["number"] == ticket["number"]
    assert elapsed < 5
