"""The MIME message of an e-mail: text, HTML, and the calendars of a booking.

Built with the standard library's classic (``compat32``) MIME classes, whose headers
are plain strings: the modern ``EmailMessage`` parses and refolds every header it is
given and every one it makes, which was the largest part of a worker's time per
e-mail (``python -m bench.outbox_drain --py-spy FILE`` shows it as "render.email").
What arrives is the same message: the visitor's text as ``text/plain`` and
``text/html`` alternatives, the invitation as the ``text/calendar`` alternative mail
clients act on, and each calendar attached.

The classic classes cannot write raw UTF-8 headers, which a recipient whose local
part goes beyond ASCII needs (SMTPUTF8, RFC 6531): that rare message is parsed into
an ``EmailMessage`` at the end and given its ``To`` there.
"""

from __future__ import annotations

import email
import io
import secrets
from collections.abc import Sequence
from email import charset, policy
from email.generator import BytesGenerator
from email.header import Header
from email.message import EmailMessage, Message
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.utils import format_datetime, formataddr, parseaddr

from wcr.clock import now

# The texts as quoted-printable (mostly readable ASCII in German, French, Turkish);
# the calendars in base64, which keeps their folded lines exactly as icalendar wrote them.
READABLE = charset.Charset("utf-8")
READABLE.body_encoding = charset.QP
EXACT = charset.Charset("utf-8")
EXACT.body_encoding = charset.BASE64


class _PlainHeaders(policy.Compat32):
    """compat32, except that a header of short ASCII on one line is written as it is.

    compat32 runs every header through the ``Header`` class to fold it, which leaves
    such a header unchanged and was, with the search for a boundary, most of the time
    of flattening a mail; every other header is folded by compat32 as before
    (``tests/notifications/test_mime_flatten.py`` compares the bytes)."""

    def fold_binary(self, name: str, value: str) -> bytes:
        line = f"{name}: {value}"
        if (
            isinstance(value, str)
            and value.isascii()
            and len(line) <= (self.max_line_length or 78)
            and "\n" not in value
            and "\r" not in value
        ):
            return (line + self.linesep).encode("ascii")
        return super().fold_binary(name, value)


FLATTEN = _PlainHeaders()


def flatten(mail: Message) -> bytes:
    """The mail as SMTP takes it (``sendmail``), written as compat32 writes it."""
    with io.BytesIO() as out:
        BytesGenerator(out, mangle_from_=False, policy=FLATTEN).flatten(mail)
        return out.getvalue()


def _boundary() -> str:
    """A boundary no part can contain: the texts are quoted-printable, where ``=`` is
    always followed by two hex digits or a line break, and the calendars base64, which
    has neither ``=_`` nor ``_``. Given, it spares the generator its search of every
    part for a random one that does not occur (a regular expression compiled per mail)."""
    return "=_" + secrets.token_hex(16)


def _text(content: str, subtype: str, encoding: charset.Charset, method: str = "") -> Message:
    part = MIMENonMultipart("text", subtype)
    part.set_payload(content, encoding)
    if method:
        part.set_param("method", method)
    del part["MIME-Version"]  # once, on the message itself
    return part


def _header(value: str) -> str | Header:
    """ASCII as it is, anything else as RFC 2047 encoded words, folded by the
    generator (a string of encoded words would be folded once more, after a space)."""
    return value if value.isascii() else Header(value, "utf-8", header_name="Subject")


def _address(value: str) -> str:
    """``Name <box@domain>`` with a display name beyond ASCII encoded (RFC 2047)."""
    name, address = parseaddr(value)
    return formataddr((name, address), charset="utf-8") if name else value


def compose(
    *,
    sender: str,
    recipient: str,
    subject: str,
    message_id: str,
    text: str,
    html: str,
    calendars: Sequence[tuple[str, bytes]] = (),
) -> Message:
    """The e-mail to ``recipient`` (as it goes in the ``To`` header); ``calendars``
    are (METHOD, .ics) pairs, the first of them also the calendar alternative."""
    body = MIMEMultipart("alternative", boundary=_boundary())
    body.attach(_text(text, "plain", READABLE))
    body.attach(_text(html, "html", READABLE))
    if calendars:
        method, ics = calendars[0]
        body.attach(_text(ics.decode(), "calendar", EXACT, method=method))
        mail: Message = MIMEMultipart("mixed", boundary=_boundary())
        del body["MIME-Version"]
        mail.attach(body)
        for method, ics in calendars:
            name = "invite.ics" if method == "REQUEST" else "cancel.ics"
            attached = MIMEApplication(ics, "ics")
            del attached["MIME-Version"]
            attached.add_header("Content-Disposition", "attachment", filename=name)
            mail.attach(attached)
    else:
        mail = body
    mail["From"] = _address(sender)
    mail["Subject"] = _header(subject)  # type: ignore[assignment] # compat32 takes a Header
    mail["Date"] = format_datetime(now())
    mail["Message-ID"] = message_id
    if recipient.isascii():
        mail["To"] = recipient
        return mail
    unicode = email.message_from_bytes(mail.as_bytes(), _class=EmailMessage, policy=policy.default)
    unicode["To"] = recipient
    return unicode
