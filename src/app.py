"""The application factory: one Litestar app per :class:`Settings`."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Request, get
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.middleware import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig, get_remote_address
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.template.config import TemplateConfig
from piccolo.engine.base import Engine
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from . import api_docs, background, features, redaction, server_secret
from .accounts.public import staff_of_request
from .audit.public import AuditTrail
from .config import Settings
from .database import bind_tables, connection_pool, make_engine, prepare
from .errors import EXCEPTION_HANDLERS
from .queue import live
from .web.public import (
    COMPRESSION,
    MULTIPART_PART_LIMIT,
    FormLimits,
    cache_headers,
    install_template_helpers,
    security_headers,
)

ALL_TABLES = features.table_classes()

# Paths the per-address limit leaves alone: probes, docs, and agencies' scripts,
# which authenticate with a key and publish in bulk.
RATE_LIMIT_EXEMPT = [r"^/health", r"^/schema", r"^/api/v1/agency/"]
# JSON bodies (the largest: an agency's slots in bulk) stay far below; page forms have
# their own, smaller limits (wcr.web.security).
MAX_BODY_BYTES = 1_000_000


async def _is_public(request: Request[Any, Any, Any]) -> bool:
    return await staff_of_request(request) is None


async def _is_staff(request: Request[Any, Any, Any]) -> bool:
    return await staff_of_request(request) is not None


def _staff_account(request: Request[Any, Any, Any]) -> str:
    staff = request.state.get("staff")
    return f"staff-account:{getattr(staff, 'id', '?')}"


def rate_limits(settings: Settings) -> list[DefineMiddleware]:
    """Two budgets: per client address for the public, per account for signed-in staff,
    so a busy office behind one address is never locked out by its visitors (or by
    itself). A token that opens no staff session counts as public."""
    limits = []
    if settings.rate_limit_per_minute > 0:
        limits.append(
            RateLimitConfig(
                rate_limit=("minute", settings.rate_limit_per_minute),
                exclude=RATE_LIMIT_EXEMPT,
                identifier_for_request=get_remote_address,
                check_throttle_handler=_is_public,
                store="rate_limit",
            ).middleware
        )
    if settings.staff_rate_limit_per_minute > 0:
        limits.append(
            RateLimitConfig(
                rate_limit=("minute", settings.staff_rate_limit_per_minute),
                exclude=RATE_LIMIT_EXEMPT,
                identifier_for_request=_staff_account,
                check_throttle_handler=_is_staff,
                store="rate_limit",
            ).middleware
        )
    return limits


@get("/health", operation_id="health", tags=["operations"])
async def health() -> dict[str, str]:
    return {"status": "ok"}


def _stores(settings: Settings) -> dict[str, Store]:
    if settings.redis_url:
        from litestar.stores.redis import RedisStore  # noqa: PLC0415 - optional backend

        root = RedisStore.with_client(url=settings.redis_url, namespace=settings.redis_prefix)
        return {"rate_limit": root.with_namespace("rate_limit")}
    return {"rate_limit": MemoryStore()}


def create_app(settings: Settings | None = None, *, engine: Engine[Any] | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    server_secret.use(settings)  # links in messages, ticket tokens
    redaction.install()  # feed tokens ride in a URL path: never in a log line
    engine = engine or make_engine(settings.database_url)
    bind_tables(engine, ALL_TABLES)
    features.install_subscribers()

    @asynccontextmanager
    async def database(_: Litestar) -> AsyncIterator[None]:
        # Everything loaded so far lives as long as the process: keep it out of the
        # collector's full passes, which showed up as latency tails (bench/visit_search).
        gc.freeze()
        await prepare(engine)
        async with connection_pool(engine, settings):
            yield

    @asynccontextmanager
    async def dispatcher(_: Litestar) -> AsyncIterator[None]:
        if not settings.dispatch_in_process:
            yield
            return
        stop = asyncio.Event()
        task = asyncio.create_task(background.run(engine, settings, stop))
        try:
            yield
        finally:
            stop.set()
            await task

    middleware: list[Any] = []
    if settings.trusted_proxies:
        # The client address (rate limits, the login record, the stream cap) is the
        # right-most X-Forwarded-For hop that is not a trusted proxy, but only when the
        # peer itself is one; anyone else's forwarded headers are ignored.
        middleware.append(
            # uvicorn's middleware: typed with uvicorn's ASGI types, the same protocol.
            DefineMiddleware(
                ProxyHeadersMiddleware,  # type: ignore[arg-type]
                trusted_hosts=list(settings.trusted_proxies),
            )
        )
    # The audit trail innermost: after the rate limits (a refused flood never reaches
    # it), around each handler (it sees the route, the guards' state, the status).
    middleware += [*rate_limits(settings), FormLimits, AuditTrail()]

    # The engine is made from the settings, and its provider says so: Litestar then
    # resolves the two one after the other. Two independent providers would form one
    # batch, which Litestar resolves in an anyio task group of its own for every
    # request: 14 % of the server's CPU in the booking race (bench/booking_race.py).
    def provide_engine(settings: NamedDependency[Settings]) -> Engine[Any]:  # noqa: ARG001
        return engine

    def provide_settings() -> Settings:
        return settings

    app = Litestar(
        route_handlers=[health, *features.route_handlers()],
        dependencies={
            "engine": Provide(provide_engine, sync_to_thread=False),
            "settings": Provide(provide_settings, sync_to_thread=False),
        },
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=[database, dispatcher],
        middleware=middleware,
        stores=_stores(settings),
        plugins=[live.make_plugin(settings.redis_url, settings.redis_prefix)],
        template_config=TemplateConfig(
            directory=features.folders("templates"),
            engine=JinjaTemplateEngine,
            engine_callback=install_template_helpers,
        ),
        state=State(
            {
                "settings": settings,
                "engine": engine,
                "streams": live.StreamCap(settings.max_streams_per_address),
            }
        ),
        before_send=[security_headers, cache_headers],
        compression_config=COMPRESSION,
        request_max_body_size=MAX_BODY_BYTES,
        multipart_form_part_limit=MULTIPART_PART_LIMIT,
        # Every operation's security, problems and examples: wcr.api_docs.
        openapi_config=api_docs.openapi_config(
            "WCR welcome centres: appointments and one-stop visits", RATE_LIMIT_EXEMPT
        ),
        logging_config=None,
        debug=False,
    )
    return api_docs.bind(app)


def configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # Twilio's client logs every API request's URL and headers and the response's at
    # INFO, eight lines an SMS: noise in a centre's log, and a tenth of a worker's CPU
    # per SMS (bench/outbox_drain.py). Its warnings and errors still come through.
    logging.getLogger("twilio").setLevel(logging.WARNING)


def app_from_env() -> Any:
    """Entry point for ``uvicorn --factory wcr.app:app_from_env``."""
    configure_logging()
    return create_app()
