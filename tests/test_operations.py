"""The operator commands, run as an operator would: as processes."""

import os
import sqlite3
import subprocess
from pathlib import Path

import asyncpg
import httpx

from tests.databases import WCR, DatabaseFactory, migrate
from wcr.app import create_app
from wcr.booking.tables import Booking
from wcr.config import Settings
from wcr.database import postgres_config
from wcr.notifications.tables import Message


def wcr(
    database_url: str, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WCR_DATABASE_URL": database_url}
    return subprocess.run(
        [WCR, *args], env=env, capture_output=True, text=True, input=stdin, timeout=120, check=False
    )


async def table_names(database_url: str) -> set[str]:
    if database_url.startswith("sqlite"):
        path = database_url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as connection:
            rows = connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
            return {r[0] for r in rows}
    connection = await asyncpg.connect(**postgres_config(database_url))
    try:
        rows = await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname='public'")
        return {r[0] for r in rows}
    finally:
        await connection.close()


async def test_migrations_run_from_empty_and_again(
    databases: DatabaseFactory, tmp_path: Path
) -> None:
    if databases.kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    else:
        url = await databases.new()
        connection = await asyncpg.connect(**postgres_config(url))
        await connection.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        await connection.close()
    first = migrate(url)
    assert first.returncode == 0, first.stderr
    assert {"site", "agency", "service", "agency_key", "slot", "booking", "appointment"} <= (
        await table_names(url)
    )
    second = migrate(url)
    assert second.returncode == 0
    assert "already complete" in second.stdout


async def test_demo_seed_is_idempotent_and_bookable_with_a_minted_key(
    database_url: str, settings: Settings
) -> None:
    first = wcr(database_url, "seed-demo")
    assert first.returncode == 0, first.stderr
    assert "slots: 0" not in first.stdout
    second = wcr(database_url, "seed-demo")
    assert "slots: 0, bookings: 0" in second.stdout
    minted = wcr(database_url, "agency-key", "buergerbuero-bochum")
    key = minted.stdout.strip().splitlines()[-1]
    assert key.startswith("wcr_ak_")
    assert wcr(database_url, "agency-key", "nobody").returncode != 0

    app = create_app(Settings(**{**settings.__dict__, "database_url": database_url}))
    async with app.lifespan():
        # httpx types the ASGI callable with plain dicts, Litestar with TypedDict events:
        # the same protocol, but the parameter types do not line up for mypy.
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            sites = (await client.get("/api/v1/sites")).json()
            assert {"wcr-aachen", "wcr-moenchengladbach", "wcr-neuss", "bochum"} <= {
                s["slug"] for s in sites
            }
            slots = (
                await client.get(
                    "/api/v1/availability",
                    params={"site": "bochum", "service": "residence-registration"},
                )
            ).json()["slots"]
            assert slots, "the demo has free Bochum slots in the next 14 days"
            booked = await client.post(
                "/api/v1/bookings",
                json={"slot_id": slots[0]["id"], "name": "Demo", "email": "demo@example.org"},
            )
            assert booked.status_code == 201
            mine = await client.get(
                "/api/v1/agency/slots", headers={"Authorization": f"Bearer {key}"}
            )
            assert mine.status_code == 200
            assert {s["service"] for s in mine.json()} == {"residence-registration"}
            assert any(s["booked"] for s in mine.json()), "some demo slots are already booked"


async def test_the_demo_tells_nobody_even_when_its_bookings_change(
    database_url: str, settings: Settings
) -> None:
    """The demo books invented people: no message now, nor when an agency withdraws."""
    assert wcr(database_url, "seed-demo").returncode == 0
    key = wcr(database_url, "agency-key", "buergerbuero-bochum").stdout.strip().splitlines()[-1]
    app = create_app(Settings(**{**settings.__dict__, "database_url": database_url}))
    async with app.lifespan():
        # The same httpx/Litestar ASGI typing gap as above.
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            assert await Booking.count() > 0
            assert await Message.count() == 0
            headers = {"Authorization": f"Bearer {key}"}
            mine = (await client.get("/api/v1/agency/slots", headers=headers)).json()
            taken = next(s for s in mine if s["booked"])
            withdrawn = await client.delete(
                f"/api/v1/agency/slots/{taken['id']}?force=true", headers=headers
            )
            assert withdrawn.status_code == 204
            assert await Message.count() == 0
            free = next(s for s in mine if not s["booked"] and s["id"] != taken["id"])
            booked = await client.post(
                "/api/v1/bookings",
                json={"slot_id": free["id"], "name": "Real", "email": "real@example.org"},
            )
            assert booked.status_code == 201
            assert await Message.count() > 0  # a real visitor is told


async def test_packages_and_order_rules_from_the_command_line(database_url: str) -> None:
    assert wcr(database_url, "seed-demo").returncode == 0
    added = wcr(
        database_url,
        "package-add",
        "neuss-start",
        "--site",
        "wcr-neuss",
        "--services",
        "skilled-worker-advice,recognition-advice-ihk-mn",
        "--name-de",
        "Start in Neuss",
        "--name-en",
        "Starting in Neuss",
    )
    assert added.stdout.strip() == "created", added.stderr
    again = wcr(
        database_url,
        "package-add",
        "neuss-start",
        "--site",
        "wcr-neuss",
        "--services",
        "skilled-worker-advice,recognition-advice-ihk-mn",
        "--name-de",
        "x",
        "--name-en",
        "x",
    )
    assert "exists already" in again.stdout
    unknown = wcr(
        database_url,
        "package-add",
        "p2",
        "--site",
        "wcr-neuss",
        "--services",
        "skilled-worker-advice,juggling",
        "--name-de",
        "x",
        "--name-en",
        "x",
    )
    assert unknown.returncode != 0
    assert "juggling" in unknown.stderr
    assert (
        wcr(
            database_url, "order-rule", "skilled-worker-advice", "recognition-advice-ihk-mn"
        ).stdout.strip()
        == "added"
    )
    backwards = wcr(
        database_url, "order-rule", "recognition-advice-ihk-mn", "skilled-worker-advice"
    )
    assert backwards.returncode != 0
    assert "already required" in backwards.stderr
