"""The database engine: SQLite (embedded default) or PostgreSQL, chosen by URL.

Every write that reads before it writes runs in :func:`write_transaction`, which on
SQLite is ``BEGIN IMMEDIATE``: a deferred transaction that upgrades its read lock
fails at once with ``database is locked`` under concurrency, while an immediate one
waits for the busy timeout instead.

While the app runs (:func:`connection_pool`), SQLite connections are kept and reused,
and the writers of one process take turns before ``BEGIN IMMEDIATE``
(:class:`PooledSQLiteEngine`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import unquote, urlparse

from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from types import TracebackType

    import aiosqlite
    from piccolo.engine.base import Engine
    from piccolo.table import Table

    from .config import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")

# Row ids are PostgreSQL ``serial`` (int4): a larger id in a request is refused as bad
# input, before asyncpg would fail to encode it (schemathesis found that 500).
MAX_ID = 2**31 - 1

# Seconds a SQLite writer waits for the lock before giving up.
SQLITE_BUSY_TIMEOUT = 30
# Before it, Piccolo reads an inserted row's id back with a query of its own.
RETURNING_SINCE = 3.35


def sqlite_path(url: str) -> Path:
    """``sqlite:///var/x.db`` is relative to the working directory, ``sqlite:////abs`` absolute."""
    return Path(url.removeprefix("sqlite:///"))


def make_engine(database_url: str) -> Engine[Any]:
    if database_url.startswith("sqlite:"):
        path = sqlite_path(database_url)
        path.parent.mkdir(parents=True, exist_ok=True)
        return PooledSQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT)
    if database_url.startswith(("postgresql:", "postgres:")):
        return PostgresEngine(config=postgres_config(database_url))
    msg = f"WCR_DATABASE_URL must start with sqlite:/// or postgresql://, not {database_url!r}"
    raise ValueError(msg)


class PooledSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine, keeping its connections while the app runs.

    Piccolo opens a connection for every query outside a transaction and for every
    transaction (an aiosqlite thread, the schema read anew): about 1.3 ms each, against
    some 20 us for a query on an open connection (``make bench-race-sqlite``). Between
    :meth:`start_pool` and :meth:`close_pool` (:func:`connection_pool`) up to ``keep``
    idle connections wait for the next query instead, and at most ``keep`` are open:
    a query beyond waits for one, as on PostgreSQL's pool. (Unbounded, a rush of 500
    requests opened 500 connections, each a thread and a schema read, and closed all
    but ``keep`` again: a tenth of the throughput, ``make bench-race-sqlite``.)
    Outside, as in migrations and one-off scripts, every connection is closed after
    use, as Piccolo does it: an idle one's thread would keep the process alive.
    A connection is reused only after a clean end; per-connection state (a PRAGMA)
    would outlive its query, so nothing sets any besides ``foreign_keys``.

    While the pool is on, the writers of this process also take turns on an asyncio
    lock before ``BEGIN IMMEDIATE`` (:meth:`writing`): SQLite lets one writer in at a
    time anyway, and one that finds the database locked sleeps in SQLite's busy
    handler, in steps of up to 100 ms, instead of being woken when the lock is free.
    The database's lock and busy timeout stay, for other processes' writers.
    """

    __slots__ = ("_idle", "_keep", "_lent", "_open", "_writers")

    def __init__(self, path: str, **connection_kwargs: Any) -> None:
        super().__init__(path=path, **connection_kwargs)
        self._idle: list[aiosqlite.Connection] | None = None
        self._keep = 0
        self._open: asyncio.BoundedSemaphore | None = None
        # Each lent connection's place, given back to the pool it came from: one taken
        # before a restart of the pool must not add a place to the next one.
        self._lent: dict[int, asyncio.BoundedSemaphore] = {}
        self._writers: asyncio.Lock | None = None

    async def start_pool(self, keep: int) -> None:
        self._idle, self._keep, self._writers = [], keep, asyncio.Lock()
        self._open = asyncio.BoundedSemaphore(keep)

    async def close_pool(self) -> None:
        idle, self._idle, self._open, self._writers = self._idle or [], None, None, None
        for connection in idle:
            await connection.close()

    async def acquire(self) -> aiosqlite.Connection:
        opened = self._open
        if opened is not None:
            await opened.acquire()
        try:
            idle = self._idle if opened is self._open else None  # closed while waiting
            connection = idle.pop() if idle else await self.get_connection()
        except BaseException:
            if opened is not None:
                opened.release()
            raise
        if opened is not None:
            self._lent[id(connection)] = opened
        return connection

    async def release(self, connection: aiosqlite.Connection) -> None:
        """Back to the idle ones, or closed; only after a clean end (on an error or a
        cancellation the caller :meth:`discard`s it: a statement may still be under way)."""
        came_from = self._lent.get(id(connection))
        try:
            if self._idle is not None and came_from is self._open and len(self._idle) < self._keep:
                self._idle.append(connection)
            else:
                await connection.close()
        finally:
            self._give_back(connection)

    async def discard(self, connection: aiosqlite.Connection) -> None:
        try:
            await connection.close()
        finally:
            self._give_back(connection)

    def _give_back(self, connection: aiosqlite.Connection) -> None:
        came_from = self._lent.pop(id(connection), None)
        if came_from is not None:
            came_from.release()

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: type[Table] | None = None,
    ) -> Any:
        if self._idle is None:
            return await super()._run_in_new_connection(query, args, query_type, table)
        connection = await self.acquire()
        try:
            # Autocommit (isolation_level None): the statement commits by itself.
            rows = await self._run_in_existing_connection(
                connection, query, args, query_type, table
            )
        except BaseException:
            await self.discard(connection)
            raise
        await self.release(connection)
        return rows

    async def _run_in_existing_connection(
        self,
        connection: aiosqlite.Connection,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: type[Table] | None = None,
    ) -> Any:
        """One trip to the connection's thread, where Piccolo makes four (PRAGMA,
        execute, fetch, close the cursor). ``foreign_keys`` is on from the connection's
        start, and a no-op inside a transaction anyway (SQLite's documentation)."""
        if self.get_version_sync() < RETURNING_SINCE:
            return await super()._run_in_existing_connection(
                connection, query, args, query_type, table
            )
        return await connection.execute_fetchall(query, args or [])

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.deferred,
        allow_nested: bool = True,  # noqa: FBT001, FBT002 - Piccolo's signature
    ) -> SQLiteTransaction:
        return _PooledTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[SQLiteTransaction]:
        """A ``BEGIN IMMEDIATE`` transaction, after this process's writers before it.

        A nested one joins the outer transaction and must not wait for the turn its own
        task holds. The wait for the turn is bounded by the busy timeout as well, and
        ends as a locked database does (``sqlite3.OperationalError``).
        """
        turns = self._writers
        if turns is None or self.current_transaction.get() is not None:
            async with self.transaction(TransactionType.immediate) as transaction:
                yield transaction
            return
        try:
            async with asyncio.timeout(SQLITE_BUSY_TIMEOUT):
                await turns.acquire()
        except TimeoutError:
            msg = "database is locked"
            raise sqlite3.OperationalError(msg) from None
        try:
            async with self.transaction(TransactionType.immediate) as transaction:
                yield transaction
        finally:
            turns.release()


class _PooledTransaction(SQLiteTransaction):
    """Piccolo's transaction on a connection of the engine's pool, handed back at the
    end; Piccolo's own would close it, and would leak it when BEGIN or COMMIT fails."""

    __slots__ = ()
    engine: PooledSQLiteEngine

    async def get_connection(self) -> aiosqlite.Connection:
        return await self.engine.acquire()

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            return self._parent
        self.connection = await self.get_connection()
        try:
            await self.begin()  # type: ignore[no-untyped-call]  # Piccolo leaves it untyped
        except BaseException:
            await self.engine.discard(self.connection)
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(
        self,
        exception_type: type[BaseException] | None,
        exception: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()  # type: ignore[no-untyped-call]
            elif not self._committed and not self._rolled_back:
                await self.commit()  # type: ignore[no-untyped-call]
        except BaseException:
            await self.engine.discard(self.connection)
            raise
        finally:
            self.engine.current_transaction.reset(self.context)
        await self.engine.release(self.connection)
        return exception is None


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


async def keep_session(_connection: Any) -> None:
    """asyncpg's reset of a connection going back to the pool, in place of its default.

    The default (unlock all advisory locks, close cursors, stop listening, reset every
    setting) costs a round trip on every release: a booking refused on its one read
    would make two. The app leaves no session state to undo: settings are ``SET
    LOCAL`` (they end with the transaction), nothing listens, no advisory lock, no
    cursor outlives its transaction (``tests/test_architecture.py`` holds the SQL to
    that). A transaction still open is rolled back by asyncpg before this is called."""


@asynccontextmanager
async def connection_pool(engine: Engine[Any], settings: Settings) -> AsyncIterator[None]:
    size = max(1, settings.pool_size)
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=min(2, size), max_size=size, reset=keep_session)
        try:
            yield
        finally:
            await engine.close_connection_pool()
    elif isinstance(engine, PooledSQLiteEngine):
        await engine.start_pool(keep=size)
        try:
            yield
        finally:
            await engine.close_pool()
    else:
        yield


def write_transaction(engine: Engine[Any]) -> Any:
    if isinstance(engine, PooledSQLiteEngine):
        return engine.writing()
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


def is_deadlock(error: BaseException) -> bool:
    """PostgreSQL broke a cycle of lock waits by aborting this transaction (40P01)."""
    try:
        import asyncpg  # noqa: PLC0415 - only present with PostgreSQL
    except ImportError:  # pragma: no cover
        return False
    return isinstance(error, asyncpg.DeadlockDetectedError)


DEADLOCK_ATTEMPTS = 3


async def retrying_deadlocks(run: Callable[[], Awaitable[T]]) -> T:
    """Run a whole write use case (``run`` opens its own transaction) again when
    PostgreSQL aborted it to break a deadlock: the other transaction went through, and
    this one starts afresh from what that one left. For the few use cases whose lock
    orders cannot all agree (a slot withdrawn while a waitlist entry holding it leaves
    or runs out: slot then holds, against holds then slot)."""
    for attempt in range(1, DEADLOCK_ATTEMPTS + 1):
        try:
            return await run()
        except Exception as error:
            if attempt == DEADLOCK_ATTEMPTS or not is_deadlock(error):
                raise
            log.info("deadlock broken by PostgreSQL; attempt %d of the use case", attempt + 1)
    raise AssertionError("unreachable")  # pragma: no cover


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
