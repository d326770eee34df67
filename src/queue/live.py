"""Live events of a site's waiting room, through Litestar's channels.

One channel per site. The memory backend serves one process; with WCR_REDIS_URL the
Redis streams backend lets every app instance see every other's calls. (A subscriber
that connects when an instance first subscribes may get the last calls twice, from the
stream's history and again as new; the display page shows each call once.) Events carry
numbers, queues and counters only: a public display must not show names (nor the
desk's notes).

Two kinds of server-sent events: ``ticket`` (``{"type", "at", "ticket": {"id",
"number", "status", "queue", "queue_name", "counter"}}``, ``type`` one of
:class:`.records.LiveEvent`) and ``counter`` (``{"type": "counter", "at", "counter":
{"id", "name", "state"}}``) when a counter opens, pauses or closes.

A client address holds at most WCR_MAX_STREAMS_PER_ADDRESS open streams (per app
instance: each counts its own connections, which end with it); one more is 429, and a
stream that closes frees its place (:class:`StreamCap`).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

from litestar.channels import ChannelsPlugin
from litestar.channels.backends.base import ChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.connection import ASGIConnection
from litestar.response.sse import ServerSentEventMessage

from wcr.clock import now
from wcr.errors import TooManyRequests

from .records import Call, LiveEvent
from .records import Counter as CounterRecord
from .schemas import TicketView

# A comment line this often keeps proxies from closing an idle stream.
KEEPALIVE_SECONDS = 15.0
HISTORY = 10  # a display that (re)connects shows the last calls at once


class StreamPlace:
    """One open stream's place; released once, by the stream's end (or, should the
    stream never have started, when the place is dropped)."""

    def __init__(self, cap: StreamCap, address: str) -> None:
        self._cap: StreamCap | None = cap
        self.address = address

    def release(self) -> None:
        cap, self._cap = self._cap, None
        if cap is not None:
            cap.give_back(self.address)

    def __del__(self) -> None:
        self.release()


class StreamCap:
    """Open event streams per client address, in this process; ``limit`` 0 = no cap."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.open: Counter[str] = Counter()

    def take(self, address: str) -> StreamPlace:
        """A place for one more stream of ``address``, or 429."""
        if self.limit and self.open[address] >= self.limit:
            raise TooManyRequests(
                f"at most {self.limit} open event streams per address; close one first",
                retry_after=int(KEEPALIVE_SECONDS),
            )
        self.open[address] += 1
        return StreamPlace(self, address)

    def give_back(self, address: str) -> None:
        self.open[address] -= 1
        if self.open[address] <= 0:
            del self.open[address]


def stream_place(connection: ASGIConnection[Any, Any, Any, Any]) -> StreamPlace | None:
    """A place for the connection's stream under the app's cap (none: no cap)."""
    cap = connection.app.state.get("streams")
    if not isinstance(cap, StreamCap):
        return None
    return cap.take(connection.client.host if connection.client else "")


def channel(site: str) -> str:
    return f"site:{site}"


def make_plugin(redis_url: str | None, prefix: str = "wcr") -> ChannelsPlugin:
    backend: ChannelsBackend
    if redis_url:
        from litestar.channels.backends.redis import (  # noqa: PLC0415 - optional backend
            RedisChannelsStreamBackend,
        )
        from redis.asyncio import Redis  # noqa: PLC0415

        backend = RedisChannelsStreamBackend(
            redis=Redis.from_url(redis_url), key_prefix=f"{prefix}_channels", history=HISTORY
        )
    else:
        backend = MemoryChannelsBackend(history=HISTORY)
    return ChannelsPlugin(backend=backend, arbitrary_channels_allowed=True)


def event(kind: LiveEvent, ticket: TicketView) -> dict[str, Any]:
    return {
        "type": kind.value,
        "at": now().isoformat(),
        "ticket": {
            "id": ticket.id,
            "number": ticket.number,
            "status": ticket.status,
            "queue": ticket.queue,
            "queue_name": ticket.queue_name,
            "counter": ticket.counter,
        },
    }


def publish(channels: ChannelsPlugin, site: str, kind: LiveEvent, ticket: TicketView) -> None:
    channels.publish(event(kind, ticket), channels=[channel(site)])


def publish_call(channels: ChannelsPlugin, site: str, call: Call) -> None:
    """A call-next's ``called`` event, from what the call itself returned: no read of
    the waiting room stands between the commit and the displays."""
    ticket = call.ticket
    channels.publish(
        {
            "type": LiveEvent.CALLED.value,
            "at": now().isoformat(),
            "ticket": {
                "id": ticket.id,
                "number": ticket.code,
                "status": ticket.status.value,
                "queue": call.queue,
                "queue_name": call.queue_name,
                "counter": call.counter_name,
            },
        },
        channels=[channel(site)],
    )


def counter_event(counter: CounterRecord) -> dict[str, Any]:
    return {
        "type": LiveEvent.COUNTER.value,
        "at": now().isoformat(),
        "counter": {"id": counter.id, "name": counter.name, "state": counter.state.value},
    }


def publish_counter(channels: ChannelsPlugin, site: str, counter: CounterRecord) -> None:
    channels.publish(counter_event(counter), channels=[channel(site)])


def _sse_name(message: bytes) -> str:
    """``counter`` for a counter's event, ``ticket`` for the others."""
    try:
        kind = json.loads(message).get("type")
    except (ValueError, AttributeError):
        kind = None
    return "counter" if kind == LiveEvent.COUNTER else "ticket"


async def stream(
    channels: ChannelsPlugin, site: str, place: StreamPlace | None = None
) -> AsyncIterator[ServerSentEventMessage]:
    try:
        async for message in _events(channels, site):
            yield message
    finally:
        if place is not None:
            place.release()


async def _events(channels: ChannelsPlugin, site: str) -> AsyncIterator[ServerSentEventMessage]:
    subscriber = await channels.subscribe([channel(site)], history=HISTORY)
    events = subscriber.iter_events()
    pending: asyncio.Future[bytes] | None = None
    try:
        yield ServerSentEventMessage(event="ready", data=json.dumps({"site": site}))
        while True:
            if pending is None:
                pending = asyncio.ensure_future(anext(events))
            done, _ = await asyncio.wait({pending}, timeout=KEEPALIVE_SECONDS)
            if not done:
                yield ServerSentEventMessage(comment="keepalive")
                continue
            message = pending.result()
            pending = None
            yield ServerSentEventMessage(event=_sse_name(message), data=message.decode())
    finally:
        if pending is not None:
            pending.cancel()
        await channels.unsubscribe(subscriber)
