"""Where messages go: a real SMTP server and Twilio, or files under var/outbox/.

Errors are sorted into temporary (try again later) and permanent (stop): a refused
address or an invalid number will not get better by retrying; a server that is down
or overloaded will.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.utils import parseaddr
from pathlib import Path
from typing import Any, Protocol

import aiosmtplib
from email_validator import EmailNotValidError, validate_email

from wcr.config import Settings

from .mime import flatten

# Twilio answers these for numbers that cannot receive: retrying cannot help.
TWILIO_PERMANENT_STATUSES = range(400, 429)


class TemporaryFailure(Exception):
    pass


class PermanentFailure(Exception):
    pass


def envelope_address(address: str) -> str:
    """The address for ``RCPT TO``: the domain as punycode (IDNA), the local part as
    given (``jo@münchen.de`` goes as ``jo@xn--mnchen-3ya.de``). A local part beyond
    ASCII needs a server that offers SMTPUTF8 (RFC 6531). A stored address that is
    not one will not become one: a permanent failure."""
    try:
        valid = validate_email(address, check_deliverability=False)
    except EmailNotValidError as error:
        raise PermanentFailure(f"not an e-mail address we can send to: {error}") from None
    return valid.ascii_email or f"{valid.local_part}@{valid.ascii_domain}"


def header_address(address: str) -> str:
    """The address for the To header: all ASCII when it can be (a header must not
    carry raw UTF-8 without SMTPUTF8), else as given, sent in UTF-8."""
    sent = envelope_address(address)
    return sent if sent.isascii() else address


class Mailer(Protocol):
    async def send(self, mail: Message) -> None: ...

    async def close(self) -> None: ...


class Texter(Protocol):
    async def send(self, to: str, body: str, status_callback: str | None) -> str: ...

    async def close(self) -> None: ...


@dataclass
class SmtpMailer:
    host: str
    port: int
    tls: str  # none, starttls, tls
    username: str | None
    password: str | None
    timeout: float = 30.0

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpMailer:
        smtp = settings.smtp
        tls = smtp.get("TLS", "none").lower()
        default_port = {"tls": 465, "starttls": 587}.get(tls, 25)
        return cls(
            host=smtp["HOST"],
            port=int(smtp.get("PORT", default_port)),
            tls=tls,
            username=smtp.get("USERNAME"),
            password=smtp.get("PASSWORD"),
        )

    # Connections that sent their last mail well, kept for the next one: a batch goes
    # through one connection instead of a connect, EHLO and QUIT per mail.
    _idle: list[aiosmtplib.SMTP] = field(default_factory=list, init=False, repr=False)

    def _client(self) -> aiosmtplib.SMTP:
        return aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.tls == "tls",
            start_tls=True if self.tls == "starttls" else False,  # noqa: SIM210 - aiosmtplib's None means "if offered"
            timeout=self.timeout,
        )

    async def send(self, mail: Message) -> None:
        """Send to the To header's address (see :func:`header_address`). A local part
        beyond ASCII needs SMTPUTF8; a server that does not offer it will not start
        to: a permanent failure, not a retry."""
        recipient = envelope_address(str(mail["To"]))
        kept = self._idle.pop() if self._idle else None
        if kept is not None and kept.is_connected:
            try:
                await self._send_on(kept, mail, recipient)
            except aiosmtplib.SMTPServerDisconnected:
                # The server ended the kept connection (an idle timeout, a limit of mails
                # per connection): once more on a new one. Should it have taken the mail
                # before it hung up, the mail comes twice, with one Message-ID.
                pass
            else:
                return
        try:
            await self._send_on(None, mail, recipient)
        except aiosmtplib.SMTPServerDisconnected as error:
            raise TemporaryFailure(f"SMTP unreachable: {error}") from error

    async def _send_on(self, client: aiosmtplib.SMTP | None, mail: Message, recipient: str) -> None:
        """Send on ``client`` (a new connection when None), which is kept afterwards,
        or closed after any error, whose state is unclear."""
        try:
            if client is None:
                client = self._client()
                await client.connect()
            if not recipient.isascii():
                await _require_smtputf8(client)
            if isinstance(mail, EmailMessage):
                # A local part beyond ASCII (see mime.compose): aiosmtplib flattens it
                # in UTF-8 and adds SMTPUTF8 to MAIL FROM.
                await client.send_message(mail, recipients=[recipient])
            else:
                sender = parseaddr(str(mail["From"]))[1] or str(mail["From"]).strip()
                await client.sendmail(sender, [recipient], flatten(mail))
        except aiosmtplib.SMTPServerDisconnected:
            if client is not None:
                client.close()
            raise
        except BaseException as error:
            if client is not None:
                client.close()
            failure = _sorted(error)
            if failure is error:
                raise
            raise failure from error
        self._idle.append(client)

    async def close(self) -> None:
        """Say goodbye on the kept connections (between batches, and at the end)."""
        while self._idle:
            client = self._idle.pop()
            with suppress(aiosmtplib.SMTPException, OSError, TimeoutError):
                await client.quit()
            client.close()


async def _require_smtputf8(client: aiosmtplib.SMTP) -> None:
    if client.is_ehlo_or_helo_needed:
        await client.ehlo()
    if not client.supports_extension("smtputf8"):
        raise PermanentFailure(
            "the mail server does not offer SMTPUTF8, which an address "
            "with letters beyond ASCII before the @ needs"
        )


def _sorted(error: BaseException) -> BaseException:
    """An SMTP error as a temporary or a permanent failure; anything else as it is."""
    if isinstance(error, PermanentFailure | TemporaryFailure):
        return error
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return PermanentFailure(f"recipient refused: {error}")
    if isinstance(error, aiosmtplib.SMTPResponseException):
        kind = PermanentFailure if 500 <= error.code < 600 else TemporaryFailure  # noqa: PLR2004
        return kind(f"SMTP {error.code}: {error.message}")
    if isinstance(error, TimeoutError | aiosmtplib.SMTPException | OSError):
        return TemporaryFailure(f"SMTP unreachable: {error}")
    return error


class TwilioTexter:
    """The twilio library's async client; ``base_url`` may point at another endpoint."""

    def __init__(self, account_sid: str, auth_token: str, sender: str, base_url: str) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.sender = sender
        self.base_url = base_url.rstrip("/")
        self._client: Any = None
        self._http: Any = None

    @classmethod
    def from_settings(cls, settings: Settings) -> TwilioTexter:
        twilio = settings.twilio
        return cls(
            twilio["ACCOUNT_SID"],
            twilio["AUTH_TOKEN"],
            twilio["FROM"],
            twilio.get("BASE_URL", "https://api.twilio.com"),
        )

    def _ensure_client(self) -> Any:  # twilio's client is untyped
        if self._client is None:
            from twilio.http.async_http_client import AsyncTwilioHttpClient  # noqa: PLC0415
            from twilio.rest import Client  # noqa: PLC0415

            # Created inside the running loop, as the async http client requires.
            self._http = AsyncTwilioHttpClient()
            self._client = Client(self.account_sid, self.auth_token, http_client=self._http)
            self._client.api.base_url = self.base_url
        return self._client

    async def send(self, to: str, body: str, status_callback: str | None) -> str:
        from twilio.base.exceptions import TwilioRestException  # noqa: PLC0415

        client = self._ensure_client()
        extra = {"status_callback": status_callback} if status_callback else {}
        try:
            message = await client.messages.create_async(
                to=to, from_=self.sender, body=body, **extra
            )
        except TwilioRestException as error:
            if error.status in TWILIO_PERMANENT_STATUSES:
                raise PermanentFailure(
                    f"Twilio {error.status} {error.code}: {error.msg}"
                ) from error
            raise TemporaryFailure(f"Twilio {error.status}: {error.msg}") from error
        except (TimeoutError, OSError) as error:
            raise TemporaryFailure(f"Twilio unreachable: {error}") from error
        return str(message.sid)

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None
            self._client = None


@dataclass
class OutboxFolder:
    """Without SMTP or Twilio settings: each message becomes a file to read."""

    folder: Path

    async def send(self, mail: Message) -> None:
        self._write(f"{_safe(mail['Message-ID'])}.eml", mail.as_bytes())

    async def close(self) -> None:
        return None

    async def send_sms(self, to: str, body: str) -> str:
        name = f"sms-{_safe(to)}-{abs(hash(body)) % 10**8}.txt"
        self._write(name, f"To: {to}\n\n{body}\n".encode())
        return name

    def _write(self, name: str, content: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / name).write_bytes(content)


@dataclass
class FolderTexter:
    outbox: OutboxFolder

    async def send(self, to: str, body: str, status_callback: str | None) -> str:  # noqa: ARG002
        return await self.outbox.send_sms(to, body)

    async def close(self) -> None:
        return None


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in ".-+" else "_" for ch in text)[:120]


def mailer(settings: Settings) -> Mailer:
    if settings.smtp.get("HOST"):
        return SmtpMailer.from_settings(settings)
    return OutboxFolder(settings.outbox_dir)


def texter(settings: Settings) -> Texter:
    if {"ACCOUNT_SID", "AUTH_TOKEN", "FROM"} <= settings.twilio.keys():
        return TwilioTexter.from_settings(settings)
    return FolderTexter(OutboxFolder(settings.outbox_dir))
