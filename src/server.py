"""How ``wcr serve`` runs uvicorn, hardened for the open internet.

uvicorn closes an idle keep-alive connection (``timeout_keep_alive``) and refuses work
beyond ``limit_concurrency`` with 503, but it waits forever for a request's head: a
client that opens connections and sends its headers a byte at a time ("slowloris")
would hold them all. :class:`GuardedHttpToolsProtocol` is uvicorn's httptools protocol
with a deadline for each request head (from the connection's start, or from a kept-alive
request's first byte, to the head's end) and a cap on its size.

Forwarded headers are the app's business (WCR_TRUSTED_PROXIES, see :mod:`wcr.app`), so
uvicorn's own proxy-header handling is off: it would believe 127.0.0.1 by default.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .config import Settings

HEAD_TIMEOUT_SECONDS = 10.0
MAX_HEAD_BYTES = 64 * 1024
KEEP_ALIVE_SECONDS = 5
DEFAULT_LIMIT_CONCURRENCY = 1000


class HeadTooLargeError(Exception):
    """Raised in a parser callback: httptools turns it into a parse error (400)."""


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    head_timeout: float = HEAD_TIMEOUT_SECONDS
    max_head_bytes: int = MAX_HEAD_BYTES

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._head_timer: asyncio.TimerHandle | None = None
        self._head_bytes = 0
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_bytes = 0
        self._arm()

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value))
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def _count(self, size: int) -> None:
        self._head_bytes += size
        if self._head_bytes > self.max_head_bytes:
            raise HeadTooLargeError

    def _arm(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.head_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _too_slow(self) -> None:
        self._head_timer = None
        if not self.transport.is_closing():
            self.transport.close()


def several_processes_problem(settings: Settings, workers: int | None) -> str | None:
    """Why ``workers`` server processes would not share what they must, or None.

    Without Redis each process counts its own rate limits (the budget multiplied by the
    processes) and hears only its own live events (a display on one would miss the
    calls made through another); the dispatchers' claims and the booking races are
    made safe between processes on PostgreSQL, not on one SQLite file.
    """
    if (workers or 1) <= 1:
        return None
    missing = []
    if settings.is_sqlite:
        missing.append("PostgreSQL (WCR_DATABASE_URL=postgresql://...)")
    if not settings.redis_url:
        missing.append("Redis (WCR_REDIS_URL=redis://...)")
    if not missing:
        return None
    return (
        f"--workers {workers} needs {' and '.join(missing)}: several processes share "
        "rate limits and live events through Redis and their writes through PostgreSQL "
        "(README: Running several instances)"
    )


def uvicorn_options(
    settings: Settings,
    *,
    limit_concurrency: int = DEFAULT_LIMIT_CONCURRENCY,
    workers: int | None = None,
    reload: bool = False,
) -> dict[str, Any]:
    """What ``uvicorn.run`` (or ``uvicorn.Config``) gets for the app."""
    return {
        "factory": True,
        "host": settings.host,
        "port": settings.port,
        "reload": reload,
        "workers": workers,
        "log_level": "info",
        "http": GuardedHttpToolsProtocol,
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        "limit_concurrency": limit_concurrency or None,
        "proxy_headers": False,
    }
