"""Live events of a site's waiting room, through Litestar's channels.

One channel per site. The memory backend serves one process; with WCR_REDIS_URL the
Redis streams backend lets every app instance see every other's calls. (A subscriber
that connects when an instance first subscribes may get the last calls twice, from the
stream's history and again as new; the display page shows each call once.) Events carry
numbers, queues and counters only: a public display must not show names.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from litestar.channels import ChannelsPlugin
from litestar.channels.backends.base import ChannelsBackend
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.response.sse import ServerSentEventMessage

from wcr.clock import now

from .records import LiveEvent
from .schemas import TicketView

# A comment line this often keeps proxies from closing an idle stream.
KEEPALIVE_SECONDS = 15.0
HISTORY = 10  # a display that (re)connects shows the last calls at once


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


async def stream(channels: ChannelsPlugin, site: str) -> AsyncIterator[ServerSentEventMessage]:
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
            yield ServerSentEventMessage(event="ticket", data=message.decode())
    finally:
        if pending is not None:
            pending.cancel()
        await channels.unsubscribe(subscriber)
