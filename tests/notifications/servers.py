"""Real peers on loopback: an SMTP server (aiosmtpd) and a Twilio-compatible API."""

from __future__ import annotations

import asyncio
import base64
import email
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default

from aiohttp import web
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.live_server import free_port


@dataclass
class Delivery:
    """What the SMTP dialogue carried besides the message: ``RCPT TO`` and the MAIL
    FROM options (SMTPUTF8, BODY=8BITMIME), and the message's bytes as sent."""

    rcpt_tos: list[str]
    mail_options: list[str]
    content: bytes


@dataclass
class Inbox:
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[Delivery] = field(default_factory=list)
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Hang up after each mail, as servers with a limit of mails per connection do.
    one_per_connection: bool = False
    # The client's address and port of each mail: one per connection it came on.
    peers: list[str] = field(default_factory=list)

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        if self.delay:
            time.sleep(self.delay)  # a slow server (the controller runs its own thread)
        self.peers.append(repr(session.peer))
        if self.one_per_connection and server.transport is not None:
            # After the "250 OK" below has been written.
            asyncio.get_running_loop().call_soon(server.transport.close)
        assert isinstance(envelope.content, bytes)  # decode_data is off: the raw bytes
        parsed = email.message_from_bytes(envelope.content, policy=default)
        with self.lock:
            self.messages.append(parsed)
            self.envelopes.append(
                Delivery(list(envelope.rcpt_tos), list(envelope.mail_options), envelope.content)
            )
        return "250 OK"

    @property
    def connections(self) -> int:
        return len(set(self.peers))


class SmtpServer:
    def __init__(
        self,
        port: int | None = None,
        delay: float = 0.0,
        *,
        smtputf8: bool = False,
        one_per_connection: bool = False,
    ) -> None:
        self.port = port or free_port()
        self.inbox = Inbox(delay=delay, one_per_connection=one_per_connection)
        # aiosmtpd offers SMTPUTF8 only when asked to (RFC 6531 addresses).
        self.controller = Controller(
            self.inbox, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=smtputf8
        )

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


@dataclass
class TwilioFake:
    """Twilio's Messages API as far as we use it; checks what a real one would."""

    account_sid: str
    auth_token: str
    received: list[dict[str, str]] = field(default_factory=list)
    port: int = field(default_factory=free_port)
    refuse: set[str] = field(default_factory=set)  # numbers answered with a 400

    async def create_message(self, request: web.Request) -> web.Response:
        if request.match_info["sid"] != self.account_sid:
            return web.json_response({"code": 20404, "message": "not found"}, status=404)
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if request.headers.get("Authorization") != f"Basic {expected}":
            return web.json_response({"code": 20003, "message": "auth"}, status=401)
        form = {k: str(v) for k, v in (await request.post()).items()}
        for required in ("To", "From", "Body"):
            if not form.get(required):
                return web.json_response({"code": 21602, "message": required}, status=400)
        if form["To"] in self.refuse:
            return web.json_response(
                {"code": 21211, "message": "invalid 'To' number", "status": 400}, status=400
            )
        self.received.append(form)
        sid = f"SM{len(self.received):032d}"
        return web.json_response(
            {
                "sid": sid,
                "account_sid": self.account_sid,
                "to": form["To"],
                "from": form["From"],
                "body": form["Body"],
                "status": "queued",
            },
            status=201,
        )

    async def __aenter__(self) -> TwilioFake:
        app = web.Application()
        app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", self.create_message)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def calendar_parts(message: EmailMessage) -> list[tuple[str, bytes]]:
    """(content type with method, raw bytes) of every calendar part of a mail."""
    found: list[tuple[str, bytes]] = []
    for part in message.walk():
        if part.get_content_type() in ("text/calendar", "application/ics"):
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)  # a leaf part decodes to its bytes
            found.append((part.get_content_type() + ";" + str(part.get_param("method")), payload))
    return found


__all__ = ["Delivery", "SmtpServer", "TwilioFake", "calendar_parts"]
