"""Fresh, migrated databases for tests: one template per engine, copied per test.

The template is migrated once per run with the real ``wcr migrate`` command, so every
test also proves that the migrations run forward from empty. PostgreSQL copies come
from ``CREATE DATABASE … TEMPLATE``; SQLite copies are file copies.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg

from wcr.database import postgres_config

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
WCR = str(Path(sys.executable).with_name("wcr"))


def postgres_admin_url() -> str:
    return os.environ.get("WCR_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def with_database(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


def migrate(database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WCR_DATABASE_URL": database_url}
    env.pop("PICCOLO_CONF", None)
    return subprocess.run(
        [WCR, "migrate"], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def seed_demo(database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WCR_DATABASE_URL": database_url}
    env.pop("PICCOLO_CONF", None)
    return subprocess.run(
        [WCR, "seed-demo"], env=env, capture_output=True, text=True, timeout=300, check=False
    )


_DEMO: dict[str, Path] = {}


def demo_sqlite(path: Path) -> str:
    """A SQLite database at ``path``, migrated by ``wcr migrate`` and seeded by ``wcr
    seed-demo``: a copy of one made so once per test process (the seed takes seconds,
    and the page tests of a dozen modules each want one of their own)."""
    if "sqlite" not in _DEMO:
        made = path.with_name(f"demo-{uuid.uuid4().hex[:8]}.sqlite3")
        url = f"sqlite:///{made}"
        for step in (migrate, seed_demo):
            result = step(url)
            if result.returncode != 0:
                msg = f"{step.__name__} failed on SQLite:\n{result.stdout}\n{result.stderr}"
                raise RuntimeError(msg)
        _DEMO["sqlite"] = made
    shutil.copyfile(_DEMO["sqlite"], path)
    return f"sqlite:///{path}"


async def postgres_problem() -> str | None:
    """Why the test server cannot be used (refused, a wrong password, …), or None."""
    try:
        connection = await asyncpg.connect(**postgres_config(postgres_admin_url()), timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        return f"{type(error).__name__}: {error}"
    await connection.close()
    return None


async def postgres_available() -> bool:
    return await postgres_problem() is None


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(**postgres_config(postgres_admin_url()))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


class DatabaseFactory:
    """Hands out empty, migrated databases of one kind ('sqlite' or 'postgres')."""

    def __init__(self, kind: str, workdir: Path) -> None:
        self.kind = kind
        self.workdir = workdir
        self.tag = f"wcr_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.counter = itertools.count()
        self.created: list[str] = []
        self.template_url = ""

    async def prepare(self) -> None:
        if self.kind == "sqlite":
            self.template_url = f"sqlite:///{self.workdir / 'template.sqlite3'}"
        else:
            await _admin(f'CREATE DATABASE "{self.tag}"')
            self.created.append(self.tag)
            self.template_url = with_database(postgres_admin_url(), self.tag)
        result = migrate(self.template_url)
        if result.returncode != 0:
            msg = f"wcr migrate failed on {self.kind}:\n{result.stdout}\n{result.stderr}"
            raise RuntimeError(msg)

    async def new(self) -> str:
        n = next(self.counter)
        if self.kind == "sqlite":
            path = self.workdir / f"db{n}.sqlite3"
            shutil.copyfile(self.workdir / "template.sqlite3", path)
            return f"sqlite:///{path}"
        name = f"{self.tag}_{n}"
        await _admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.tag}"')
        self.created.append(name)
        return with_database(postgres_admin_url(), name)

    async def drop(self, url: str) -> None:
        if self.kind == "postgres":
            name = url.rsplit("/", 1)[1]
            await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            self.created.remove(name)

    async def close(self) -> None:
        for name in reversed(self.created):
            await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.clear()
