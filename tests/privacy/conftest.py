"""Fixtures of the data protection tests: the moved clock, the folder outbox, the
booking limits on, a dispatcher, and the front desk of tests/queue."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from litestar import Litestar

from tests.privacy.visits import Sim
from tests.queue import conftest as queue_fixtures
from wcr import clock
from wcr.config import Settings
from wcr.notifications.dispatcher import Dispatcher

desk = queue_fixtures.desk  # Bochum's two counters and a clerk, signed in


@pytest.fixture
def sim() -> Iterator[Sim]:
    source = Sim()
    with clock.using(source):
        yield source


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    return tmp_path / "outbox"


@pytest.fixture
def settings(settings: Settings, outbox: Path) -> Settings:
    """The folder outbox (every message a file), and the booking limits on, as deployed:
    they write the contacts' lock rows (hashed keys) that a purge must also remove."""
    return replace(settings, outbox_dir=outbox, max_active_bookings_per_contact=3)


@pytest.fixture
async def dispatcher(app: Litestar) -> AsyncIterator[Dispatcher]:
    worker = Dispatcher.from_settings(app.state.engine, app.state.settings, name="test")
    yield worker
    await worker.sms.close()
