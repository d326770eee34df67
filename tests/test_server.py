"""`wcr serve`'s uvicorn (wcr.server): a deadline and a size cap for request heads, and
a cap on concurrent connections, against a real uvicorn on loopback."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import uvicorn

from tests.live_server import free_port
from wcr.config import Settings
from wcr.server import GuardedHttpToolsProtocol, uvicorn_options

HEAD_TIMEOUT = 0.5


class QuickProtocol(GuardedHttpToolsProtocol):
    head_timeout = HEAD_TIMEOUT


async def hello(
    scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]
) -> None:
    if scope["type"] != "http":
        return
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"5")]}
    )
    await send({"type": "http.response.body", "body": b"hello"})


@asynccontextmanager
async def serving(**changes: Any) -> AsyncIterator[int]:
    port = free_port()
    options = uvicorn_options(Settings(host="127.0.0.1", port=port)) | {
        "factory": False,
        "http": QuickProtocol,
        "log_level": "warning",
        "reload": False,
        "workers": None,
        **changes,
    }
    server = uvicorn.Server(uvicorn.Config(hello, **options))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield port
    finally:
        server.should_exit = True
        await task


REQUEST = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


@asynccontextmanager
async def connected(port: int, count: int = 1) -> AsyncIterator[list[Connection]]:
    connections = [await asyncio.open_connection("127.0.0.1", port) for _ in range(count)]
    try:
        yield connections
    finally:
        for _, writer in connections:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


async def closed(reader: asyncio.StreamReader, within: float = 3 * HEAD_TIMEOUT) -> bytes:
    """What the server sent before closing the connection (fails if it stays open).
    A close while the client is still writing arrives as a reset, which is a close too."""
    try:
        return await asyncio.wait_for(reader.read(), within)
    except ConnectionResetError:
        return b""


def test_serve_turns_off_uvicorns_own_proxy_headers() -> None:
    options = uvicorn_options(Settings(), limit_concurrency=50)
    assert options["proxy_headers"] is False  # the app decides (WCR_TRUSTED_PROXIES)
    assert options["limit_concurrency"] == 50
    assert options["http"] is GuardedHttpToolsProtocol
    assert options["timeout_keep_alive"] > 0


async def test_a_whole_request_is_served() -> None:
    async with serving() as port, connected(port) as [(reader, writer)]:
        writer.write(REQUEST)
        answer = await reader.readuntil(b"hello")
        assert answer.startswith(b"HTTP/1.1 200")


async def test_a_connection_that_sends_no_head_is_closed() -> None:
    async with serving() as port, connected(port) as [(reader, _)]:
        assert await closed(reader) == b""


async def test_a_head_sent_a_byte_at_a_time_is_cut_off() -> None:
    async with serving() as port, connected(port) as [(reader, writer)]:
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n")

        async def trickle() -> None:
            for n in range(100):
                writer.write(b"X-Slow-%d: 1\r\n" % n)
                await asyncio.sleep(HEAD_TIMEOUT / 5)

        dripping = asyncio.create_task(trickle())
        assert await closed(reader) == b""
        dripping.cancel()


async def test_the_deadline_starts_again_for_each_kept_alive_request() -> None:
    async with serving() as port, connected(port) as [(reader, writer)]:
        writer.write(REQUEST)
        await reader.readuntil(b"hello")
        writer.write(b"GET / HTTP/1.1\r\n")  # the next head, never finished
        assert await closed(reader) == b""


async def test_an_oversized_head_is_refused() -> None:
    async with serving() as port, connected(port) as [(reader, writer)]:
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n")
        answer = await closed(reader)
        assert answer.startswith(b"HTTP/1.1 400")


async def test_connections_beyond_the_limit_get_503() -> None:
    async with serving(limit_concurrency=2) as port, connected(port, 3) as connections:
        reader, writer = connections[-1]  # two idle ones before it
        writer.write(REQUEST)
        answer = await asyncio.wait_for(reader.read(), 2)
        assert answer.startswith(b"HTTP/1.1 503")
