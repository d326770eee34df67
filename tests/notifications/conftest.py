from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from litestar import Litestar

from tests.notifications.servers import SmtpServer, TwilioFake
from wcr.config import Settings
from wcr.notifications.dispatcher import Dispatcher

SID = "AC" + "1" * 32
TOKEN = "twilio-auth-token-for-tests"


@pytest.fixture
async def twilio() -> AsyncIterator[TwilioFake]:
    async with TwilioFake(account_sid=SID, auth_token=TOKEN) as fake:
        yield fake


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def settings(settings: Settings, smtp: SmtpServer, twilio: TwilioFake, tmp_path: Path) -> Settings:
    """The app of these tests knows both transports (the status callback needs Twilio's)."""
    return replace(
        settings,
        smtp={
            "HOST": "127.0.0.1",
            "PORT": str(smtp.port),
            "TLS": "none",
            "FROM": "termine@wcr.example",
        },
        twilio={
            "ACCOUNT_SID": SID,
            "AUTH_TOKEN": TOKEN,
            "FROM": "+4915199999999",
            "BASE_URL": twilio.base_url,
        },
        outbox_dir=tmp_path / "outbox",
    )


@pytest.fixture
def message_settings(app: Litestar) -> Settings:
    settings: Settings = app.state.settings
    return settings


@pytest.fixture
async def dispatcher(app: Litestar, message_settings: Settings) -> AsyncIterator[Dispatcher]:
    worker = Dispatcher.from_settings(app.state.engine, message_settings, name="test")
    yield worker
    await worker.sms.close()
