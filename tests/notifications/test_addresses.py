"""Internationalised e-mail addresses, through the real aiosmtpd server with and without
SMTPUTF8: the domain always goes as punycode; a local part beyond ASCII needs SMTPUTF8,
which the booking refuses when the server is not known to offer it."""

from dataclasses import replace

import httpx
import pytest
from litestar import Litestar

from tests.conftest import World, local, next_weekday
from tests.notifications.servers import SmtpServer
from wcr.config import Settings
from wcr.notifications.dispatcher import Dispatcher
from wcr.notifications.tables import Message, MessageAttempt


async def send_through(app: Litestar, settings: Settings, server: SmtpServer) -> None:
    to = replace(settings, smtp={**settings.smtp, "PORT": str(server.port)})
    dispatcher = Dispatcher.from_settings(app.state.engine, to, name="idn")
    while await dispatcher.run_once():
        pass
    await dispatcher.sms.close()


async def booked_mail() -> tuple[str, int, str | None]:
    [row] = await Message.select(Message.status, Message.attempts, Message.last_error).where(
        Message.kind == "booked", Message.channel == "email"
    )
    return row["status"], row["attempts"], row["last_error"]


async def test_an_idn_domain_goes_as_punycode(
    world: World, app: Litestar, message_settings: Settings
) -> None:
    slot = await world.slot(local(next_weekday(3), 9))
    created = await world.book(slot, email="jo@münchen.de", phone=None)
    assert created.status_code == 201, created.text  # no SMTPUTF8 needed
    with SmtpServer() as server:  # one that does not offer SMTPUTF8
        await send_through(app, message_settings, server)
    [envelope] = server.inbox.envelopes
    assert envelope.rcpt_tos == ["jo@xn--mnchen-3ya.de"]
    assert "SMTPUTF8" not in envelope.mail_options
    assert b"To: jo@xn--mnchen-3ya.de\r\n" in envelope.content  # no raw UTF-8 header
    assert await booked_mail() == ("sent", 1, None)


async def test_a_local_part_beyond_ascii_is_refused_when_smtputf8_is_not_known(
    world: World, client: httpx.AsyncClient
) -> None:
    slot = await world.slot(local(next_weekday(3), 9))
    refused = await world.book(slot, email="jürgen@münchen.de", phone=None)
    assert refused.status_code == 422
    [error] = refused.json()["errors"]
    assert (error["field"], error["code"]) == ("email", "needs-smtputf8")
    assert "SMTPUTF8" in error["message"]
    assert await Message.count() == 0  # nothing booked, nothing planned
    page = await client.post(
        f"/en/sites/{world.site}/book",
        data={
            "services": world.registration,
            "choice": str(slot),
            "name": "Jürgen",
            "email": "jürgen@münchen.de",
        },
    )
    assert page.status_code == 200
    assert "letters other than a to z before the @" in page.text
    assert 'id="reference"' not in page.text


class TestSmtputf8Declared:
    """WCR_SMTP_SMTPUTF8=on: the operator says the mail server offers SMTPUTF8."""

    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return replace(settings, smtp={**settings.smtp, "SMTPUTF8": "on"})

    async def test_it_goes_with_smtputf8(
        self, world: World, app: Litestar, message_settings: Settings
    ) -> None:
        slot = await world.slot(local(next_weekday(3), 9))
        created = await world.book(slot, email="jürgen@münchen.de", phone=None)
        assert created.status_code == 201, created.text
        with SmtpServer(smtputf8=True) as server:
            await send_through(app, message_settings, server)
        [envelope] = server.inbox.envelopes
        assert envelope.rcpt_tos == ["jürgen@xn--mnchen-3ya.de"]
        assert "SMTPUTF8" in envelope.mail_options
        assert "To: jürgen@münchen.de\r\n".encode() in envelope.content
        assert await booked_mail() == ("sent", 1, None)

    async def test_a_server_without_it_fails_the_message_at_once(
        self, world: World, app: Litestar, message_settings: Settings
    ) -> None:
        slot = await world.slot(local(next_weekday(3), 9))
        assert (await world.book(slot, email="jürgen@münchen.de", phone=None)).status_code == 201
        with SmtpServer(smtputf8=False) as server:
            await send_through(app, message_settings, server)
        assert server.inbox.envelopes == []
        status, attempts, error = await booked_mail()
        assert (status, attempts) == ("failed", 1)  # for good, not a retry loop
        assert error is not None
        assert "SMTPUTF8" in error
        outcomes = [a["ok"] for a in await MessageAttempt.select(MessageAttempt.ok)]
        assert outcomes == ["failed"]
