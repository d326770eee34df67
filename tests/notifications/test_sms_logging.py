"""An SMS sent through the real twilio client leaves no line of Twilio's own in the
service's log at INFO (it logs each request's URL with the account and the headers, and
each response's): the log keeps what the service says, and Twilio's warnings."""

from __future__ import annotations

import logging

import pytest

from tests.notifications.conftest import SID, TOKEN
from tests.notifications.servers import TwilioFake
from wcr.app import configure_logging
from wcr.notifications.transports import TwilioTexter


async def test_twilio_logs_nothing_at_info_and_still_warns(
    twilio: TwilioFake, caplog: pytest.LogCaptureFixture
) -> None:
    configure_logging()
    texter = TwilioTexter(SID, TOKEN, "+4915199999999", twilio.base_url)
    try:
        with caplog.at_level(logging.INFO):
            sid = await texter.send("+4915112345678", "Ihr Termin", None)
    finally:
        await texter.close()
    assert sid
    assert [r["To"] for r in twilio.received] == ["+4915112345678"]
    assert [r for r in caplog.records if r.name.startswith("twilio")] == []
    assert logging.getLogger("twilio.async_http_client").isEnabledFor(logging.WARNING)
