"""The mail as it goes to SMTP: written as compat32 writes it (the same bytes for every
header, short or folded, ASCII or encoded), with boundaries no part contains, and read
back by the modern parser as composed."""

from __future__ import annotations

import email
import io
from email import policy
from email.generator import BytesGenerator
from email.message import EmailMessage, Message

import pytest

from wcr.notifications.mime import compose, flatten

ICS = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\n"
    b"DESCRIPTION:Welcome Office Bochum\\nhttps://example.org/de/manage/ABCD2345#t=\r\n"
    b" abcdefabcdef--=_\r\nEND:VCALENDAR\r\n"
)
# Lines a text may have that a careless boundary or writer would break.
TEXT = (
    "Guten Tag,\n\nFrom here on: Ihr Termin.\n--=_ not a boundary\n=_ a=b == c\n"
    "Übermorgen, 09:00–09:30\n"
)
HTML = "<p>Guten Tag,</p>\n<p>From here on =_ --=_ a=b</p>\n<p>مرحبا</p>\n"


def compat32(mail: Message) -> bytes:
    with io.BytesIO() as out:
        BytesGenerator(out, mangle_from_=False, policy=policy.compat32).flatten(mail)
        return out.getvalue()


Calendars = list[tuple[str, bytes]]
CASES: dict[str, tuple[str, Calendars]] = {
    "ascii, no calendar": ("Appointment confirmed: ABCD2345", []),
    "encoded subject": ("Termin bestätigt: ABCD2345", [("REQUEST", ICS)]),
    "long subject": (
        (
            "Appointment changed: ABCD2345, residence registration and recognition advice"
            " at the Welcome Office Bochum"
        ),
        [("REQUEST", ICS), ("CANCEL", ICS.replace(b"REQUEST", b"CANCEL"))],
    ),
    "arabic subject": ("تم تأكيد الموعد: ABCD2345", [("REQUEST", ICS)]),
}


def payload(part: Message) -> bytes:
    data = part.get_payload(decode=True)
    assert isinstance(data, bytes)
    return data


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize(
    "sender", ["termine@wcr.example", "Welcome Centre Bochum – Termine <termine@wcr.example>"]
)
def test_the_bytes_are_compat32s_and_read_back_as_composed(case: str, sender: str) -> None:
    subject, calendars = CASES[case]
    mail = compose(
        sender=sender,
        recipient="amira@example.org",
        subject=subject,
        message_id="<ABCD2345.1.confirmation@wcr.example>",
        text=TEXT,
        html=HTML,
        calendars=calendars,
    )
    flat = flatten(mail)
    assert flat == compat32(mail)
    back = email.message_from_bytes(flat, _class=EmailMessage, policy=policy.default)
    assert back["Subject"] == subject
    assert back["To"] == "amira@example.org"
    plain, html = back.get_body(("plain",)), back.get_body(("html",))
    assert plain is not None
    assert html is not None
    assert plain.get_content() == TEXT
    assert html.get_content() == HTML
    inline = [p for p in back.walk() if p.get_content_type() == "text/calendar"]
    attached = [p for p in back.walk() if p.get_filename()]
    assert len(inline) == (1 if calendars else 0)
    assert [payload(p) for p in attached] == [ics for _, ics in calendars]
    # Every part found, none cut short by a boundary inside a text.
    boundaries = {p.get_boundary() for p in back.walk() if p.is_multipart()}
    assert all(b and b.startswith("=_") for b in boundaries)
    leaves = [payload(p) for p in back.walk() if not p.is_multipart()]
    assert not [b for b in boundaries for leaf in leaves if f"--{b}".encode() in leaf]


def test_each_mail_has_boundaries_of_its_own() -> None:
    def boundaries() -> set[str | None]:
        mail = compose(
            sender="termine@wcr.example",
            recipient="amira@example.org",
            subject="Appointment confirmed",
            message_id="<x@wcr.example>",
            text=TEXT,
            html=HTML,
            calendars=[("REQUEST", ICS)],
        )
        return {p.get_boundary() for p in mail.walk() if p.is_multipart()}

    first, second = boundaries(), boundaries()
    assert len(first) == len(second) == 2
    assert not first & second
