"""The framework's own floor for the booking race: Litestar under the same uvicorn,
with one route that runs the raw round's asyncpg transaction (bench.booking_race's
``raw_attempt``) and answers 201 or 409 with a small JSON body, and nothing else: no
settings, no middleware, no validation of contacts, no events, no outbox, no Piccolo.

What separates the app from the raw round is then split in two: what HTTP, uvicorn
and Litestar cost at all (raw -> bare), and what the app adds on top (bare -> app).

    uvicorn bench.bare_app:app_from_env --factory   # WCR_DATABASE_URL=postgresql://...
    uvicorn bench.bare_app:sqlite_app_from_env --factory   # WCR_DATABASE_URL=sqlite:///...

The SQLite one runs bench.booking_race_sqlite's raw transaction the way its raw round
does: on ``BENCH_SQLITE_CONNECTIONS`` stdlib connections, each in a thread of its own.
"""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Annotated

import asyncpg
import msgspec
from litestar import Litestar, Response, get, post
from litestar.params import Body

from bench.booking_race import raw_attempt
from wcr.database import keep_session


class BookingRequest(msgspec.Struct):
    slot_id: int


class Booked(msgspec.Struct):
    slot_id: int
    status: str


Attempt = Callable[[int], Awaitable[str]]
Lifespan = Callable[[Litestar], AbstractAsyncContextManager[None]]


def bare_app(attempt: list[Attempt], lifespan: Lifespan) -> Litestar:
    """One route that books through ``attempt[0]`` (set by ``lifespan`` at start-up)."""

    @post("/api/v1/bookings", status_code=201)
    async def book(data: Annotated[BookingRequest, Body()]) -> Response[Booked]:
        outcome = await attempt[0](data.slot_id)
        return Response(
            Booked(slot_id=data.slot_id, status=outcome),
            status_code=201 if outcome == "booked" else 409,
        )

    @get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return Litestar(route_handlers=[book, health], lifespan=[lifespan], openapi_config=None)


def app_from_env() -> Litestar:
    url = os.environ["WCR_DATABASE_URL"]
    size = int(os.environ.get("WCR_POOL_SIZE", "10"))
    attempt: list[Attempt] = []

    @asynccontextmanager
    async def pool(_: Litestar) -> AsyncIterator[None]:
        async with asyncpg.create_pool(
            url, min_size=min(2, size), max_size=size, reset=keep_session
        ) as opened:
            attempt.append(functools.partial(raw_attempt, opened))
            yield

    return bare_app(attempt, pool)


def sqlite_app_from_env() -> Litestar:
    from bench import booking_race_sqlite as raw_sqlite  # noqa: PLC0415 - SQLite's round only

    path = Path(os.environ["WCR_DATABASE_URL"].removeprefix("sqlite:///"))
    connections = int(os.environ.get("BENCH_SQLITE_CONNECTIONS", "1"))
    attempt: list[Attempt] = []

    @asynccontextmanager
    async def lanes(_: Litestar) -> AsyncIterator[None]:
        async with raw_sqlite.lanes(path, connections) as shared:

            async def in_a_lane(slot_id: int) -> str:
                async with shared.lane() as lane:
                    return await asyncio.wrap_future(
                        lane.thread.submit(raw_sqlite.raw_attempt, lane.connection, slot_id)
                    )

            attempt.append(in_a_lane)
            yield

    return bare_app(attempt, lanes)
