"""The database engine: SQLite (embedded default) or PostgreSQL, chosen by URL.

Every write that reads before it writes runs in :func:`write_transaction`, which on
SQLite is ``BEGIN IMMEDIATE``: a deferred transaction that upgrades its read lock
fails at once with ``database is locked`` under concurrency, while an immediate one
waits for the busy timeout instead.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from piccolo.engine.base import Engine
    from piccolo.table import Table

    from .config import Settings

# Row ids are PostgreSQL ``serial`` (int4): a larger id in a request is refused as bad
# input, before asyncpg would fail to encode it (schemathesis found that 500).
MAX_ID = 2**31 - 1

# Seconds a SQLite writer waits for the lock before giving up.
SQLITE_BUSY_TIMEOUT = 30


def sqlite_path(url: str) -> Path:
    """``sqlite:///var/x.db`` is relative to the working directory, ``sqlite:////abs`` absolute."""
    return Path(url.removeprefix("sqlite:///"))


def make_engine(database_url: str) -> Engine[Any]:
    if database_url.startswith("sqlite:"):
        path = sqlite_path(database_url)
        path.parent.mkdir(parents=True, exist_ok=True)
        return SQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT)
    if database_url.startswith(("postgresql:", "postgres:")):
        return PostgresEngine(config=postgres_config(database_url))
    msg = f"WCR_DATABASE_URL must start with sqlite:/// or postgresql://, not {database_url!r}"
    raise ValueError(msg)


def postgres_config(database_url: str) -> dict[str, Any]:
    url = urlparse(database_url)
    config: dict[str, Any] = {
        "host": url.hostname or "127.0.0.1",
        "port": url.port or 5432,
        "user": unquote(url.username or "postgres"),
        "database": url.path.lstrip("/") or "postgres",
    }
    if url.password:
        config["password"] = unquote(url.password)
    return config


def is_sqlite(engine: Engine[Any]) -> bool:
    return isinstance(engine, SQLiteEngine)


def bind_tables(engine: Engine[Any], tables: list[type[Table]]) -> None:
    """Point every table at ``engine`` (the app's own, not piccolo_conf's global)."""
    for table in tables:
        table._meta.db = engine  # noqa: SLF001 - Piccolo's documented way to rebind


async def prepare(engine: Engine[Any]) -> None:
    """Per-database settings that outlive connections (WAL persists in the file)."""
    if is_sqlite(engine):
        await engine.run_ddl("PRAGMA journal_mode=WAL")


@asynccontextmanager
async def connection_pool(engine: Engine[Any], settings: Settings) -> AsyncIterator[None]:
    if isinstance(engine, PostgresEngine):
        size = max(1, settings.pool_size)
        await engine.start_connection_pool(min_size=min(2, size), max_size=size)
        try:
            yield
        finally:
            await engine.close_connection_pool()
    else:
        yield


def write_transaction(engine: Engine[Any]) -> Any:
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


def is_unique_violation(error: BaseException) -> bool:
    """Both drivers' duplicate-key errors, mapped in one place."""
    if isinstance(error, sqlite3.IntegrityError):
        return "UNIQUE" in str(error)
    try:
        import asyncpg  # noqa: PLC0415 - only present with PostgreSQL
    except ImportError:  # pragma: no cover
        return False
    return isinstance(error, asyncpg.UniqueViolationError)


def json_value(value: Any) -> dict[str, Any]:
    """JSON columns come back as text from SQLite and as text or dicts from asyncpg."""
    return json.loads(value) if isinstance(value, str) else dict(value or {})
