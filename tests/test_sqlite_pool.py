"""The SQLite engine's pool (wcr.database.PooledSQLiteEngine) on a real SQLite file.

The booking races (tests/booking/test_races.py) prove capacity under the pool; these
prove what the pool itself promises: a connection is reused only in a clean state,
writers still take turns, nested transactions join, nothing stays open afterwards.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from piccolo.querystring import QueryString

from wcr.config import Settings
from wcr.database import connection_pool, make_engine, prepare, write_transaction

# Only a guard against a hang (a writer waiting for a turn its own task holds), not a
# measure: every step here takes milliseconds.
HANG = 20


@pytest.fixture
async def engine(tmp_path: Path) -> Any:
    engine = make_engine(f"sqlite:///{tmp_path / 'pool.sqlite3'}")
    await prepare(engine)  # WAL, as the app has it
    await engine.run_ddl("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
    await engine.run_ddl("INSERT INTO counter (id, n) VALUES (1, 0)")
    return engine


def settings(engine: Any) -> Settings:
    return Settings(database_url=f"sqlite:///{engine.path}", pool_size=2)


async def count(engine: Any) -> int:
    rows = await engine.run_ddl("SELECT n FROM counter WHERE id = 1")
    return int(rows[0]["n"])


def nobody_writes(engine: Any) -> bool:
    """True when another connection gets the write lock at once (no open transaction
    is left on a pooled connection)."""
    other = sqlite3.connect(engine.path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()
    return True


async def test_queries_in_the_pool_share_a_connection_and_outside_do_not(engine: Any) -> None:
    # A temporary table lives on one connection only: seeing it again means reuse.
    async with connection_pool(engine, settings(engine)):
        await engine.run_ddl("CREATE TEMP TABLE mark (x INTEGER)")
        assert await engine.run_ddl("SELECT count(*) AS n FROM mark") == [{"n": 0}]
    await engine.run_ddl("CREATE TEMP TABLE mark (x INTEGER)")
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        await engine.run_ddl("SELECT count(*) AS n FROM mark")


async def test_concurrent_read_then_write_transactions_lose_no_update(engine: Any) -> None:
    """Read, then write what was read, in 40 tasks at once: only writers that take
    turns (BEGIN IMMEDIATE, and the pool's turns before it) end at 40."""

    async def increment() -> None:
        async with write_transaction(engine):
            n = await count(engine)
            await asyncio.sleep(0)  # let the others try to get in between
            await engine.run_querystring(
                QueryString("UPDATE counter SET n = {} WHERE id = 1", n + 1)
            )

    async with connection_pool(engine, settings(engine)):
        await asyncio.wait_for(asyncio.gather(*(increment() for _ in range(40))), HANG)
        assert await count(engine) == 40


async def test_a_failed_transaction_is_rolled_back_and_its_connection_clean(
    engine: Any,
) -> None:
    async def refused() -> None:
        async with write_transaction(engine):
            await engine.run_ddl("UPDATE counter SET n = 99 WHERE id = 1")
            raise RuntimeError("refused")

    async with connection_pool(engine, settings(engine)):
        with pytest.raises(RuntimeError, match="refused"):
            await refused()
        assert nobody_writes(engine)
        assert await count(engine) == 0
        async with write_transaction(engine):  # the reused connection begins anew
            await engine.run_ddl("UPDATE counter SET n = 1 WHERE id = 1")
        assert await count(engine) == 1


async def test_a_nested_write_transaction_joins_the_outer_one(engine: Any) -> None:
    async def nested() -> None:
        async with write_transaction(engine):
            await engine.run_ddl("UPDATE counter SET n = n + 1 WHERE id = 1")
            async with write_transaction(engine):
                await engine.run_ddl("UPDATE counter SET n = n + 10 WHERE id = 1")
            raise RuntimeError("undo both")

    async with connection_pool(engine, settings(engine)):
        with pytest.raises(RuntimeError, match="undo both"):
            await asyncio.wait_for(nested(), HANG)
        assert await count(engine) == 0


async def test_a_cancelled_transaction_leaves_no_lock_and_no_write(engine: Any) -> None:
    inside = asyncio.Event()

    async def stuck() -> None:
        async with write_transaction(engine):
            await engine.run_ddl("UPDATE counter SET n = 5 WHERE id = 1")
            inside.set()
            await asyncio.Event().wait()  # until cancelled

    async with connection_pool(engine, settings(engine)):
        task = asyncio.create_task(stuck())
        await asyncio.wait_for(inside.wait(), HANG)
        assert not nobody_writes(engine)  # the transaction holds the lock
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert nobody_writes(engine)
        assert await count(engine) == 0
        async with write_transaction(engine):
            await engine.run_ddl("UPDATE counter SET n = 1 WHERE id = 1")
        assert await count(engine) == 1


async def test_closing_the_pool_closes_every_connection(engine: Any) -> None:
    """When the last connection to a WAL database closes, SQLite writes the log back
    into the file and removes it: a file copied afterwards (tests' templates, backups)
    holds everything."""
    async with connection_pool(engine, settings(engine)):
        await asyncio.gather(*(count(engine) for _ in range(5)))
        async with write_transaction(engine):
            await engine.run_ddl("UPDATE counter SET n = 7 WHERE id = 1")
        assert Path(f"{engine.path}-wal").exists()
    assert not Path(f"{engine.path}-wal").exists()
    assert await count(engine) == 7


async def test_a_rush_of_queries_opens_no_more_connections_than_the_pool_holds(
    engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = 0
    open_connection = type(engine).get_connection

    async def counted(self: Any) -> Any:
        nonlocal opened
        opened += 1
        return await open_connection(self)

    monkeypatch.setattr(type(engine), "get_connection", counted)
    async with connection_pool(engine, settings(engine)):
        results = await asyncio.wait_for(asyncio.gather(*(count(engine) for _ in range(50))), HANG)
        assert results == [0] * 50
        assert opened == settings(engine).pool_size  # the rest waited for one


async def test_connections_given_up_after_errors_free_their_place(engine: Any) -> None:
    """A connection closed after a failure or a cancellation frees its place in the
    pool: more of them than the pool holds leave it usable."""

    async def refused() -> None:
        async with write_transaction(engine):
            raise RuntimeError("refused")

    async with connection_pool(engine, settings(engine)):
        for _ in range(3 * settings(engine).pool_size):
            with pytest.raises(RuntimeError, match="refused"):
                await refused()
            with pytest.raises(sqlite3.OperationalError):
                await engine.run_ddl("SELECT * FROM no_such_table")
        assert await asyncio.wait_for(count(engine), HANG) == 0


async def test_a_connection_from_before_a_restart_gives_its_place_back_to_its_own_pool(
    engine: Any,
) -> None:
    """Taken from one pool, given back after the pool was closed and opened again: the
    new pool still holds as many as it was opened with, and a query waiting on the old
    one is served when that connection comes back."""
    await engine.start_pool(keep=1)
    before = await engine.acquire()
    waiting = asyncio.create_task(engine.acquire())  # the old pool's one place is taken
    await asyncio.sleep(0.05)
    assert not waiting.done()
    await engine.close_pool()
    await engine.start_pool(keep=1)
    await engine.release(before)  # to the old pool: it serves the waiting query
    served = await asyncio.wait_for(waiting, HANG)
    await engine.release(served)
    first = await engine.acquire()
    second = asyncio.create_task(engine.acquire())
    await asyncio.sleep(0.05)
    assert not second.done()  # the new pool holds one, as opened
    await engine.release(first)
    await engine.release(await asyncio.wait_for(second, HANG))
    await engine.close_pool()
