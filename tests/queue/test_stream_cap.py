"""At most WCR_MAX_STREAMS_PER_ADDRESS open event streams per client address, against a
real server (the memory backend: the cap counts per instance)."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import httpx
import pytest

from tests.live_server import live_server
from tests.queue.test_live_events import STREAM_TIMEOUT
from tests.test_operations import wcr
from wcr.errors import PROBLEM_JSON

pytestmark = pytest.mark.slow
CAP = 3
EVENTS = "/api/v1/sites/bochum/events"


class Streams:
    """Streams held open by one client; a stream's line reader is kept with it (a
    reader dropped and collected would close its stream)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.readers: list[AsyncIterator[str]] = []

    async def open(self, stack: AsyncExitStack) -> httpx.Response:
        response = await stack.enter_async_context(self.client.stream("GET", EVENTS))
        if response.status_code == 200:
            lines = response.aiter_lines()
            self.readers.append(lines)
            assert await asyncio.wait_for(anext(lines), 5) == "event: ready"
        return response


async def test_one_stream_past_the_cap_is_refused_until_one_closes(database_url: str) -> None:
    assert wcr(database_url, "seed-demo").returncode == 0
    with live_server(database_url, WCR_MAX_STREAMS_PER_ADDRESS=str(CAP)) as base:
        async with (
            httpx.AsyncClient(base_url=base, timeout=STREAM_TIMEOUT) as client,
            AsyncExitStack() as stack,
        ):
            streams = Streams(client)
            first = AsyncExitStack()
            await streams.open(first)  # the one closed below
            opened = [await streams.open(stack) for _ in range(CAP - 1)]
            assert [r.status_code for r in opened] == [200] * (CAP - 1)  # at the cap
            refused = await streams.open(stack)
            assert refused.status_code == 429
            assert refused.headers["content-type"] == PROBLEM_JSON
            assert int(refused.headers["retry-after"]) > 0
            # Other requests of the address are not held back by the cap.
            assert (await client.get("/api/v1/services")).status_code == 200

            await first.aclose()  # a closed stream frees its place
            for _ in range(50):
                again = await streams.open(stack)
                if again.status_code == 200:
                    break
                await asyncio.sleep(0.1)
            assert again.status_code == 200
            assert (await streams.open(stack)).status_code == 429
