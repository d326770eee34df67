"""The MIME message as a mail client reads it back (the standard library's modern
parser): headers beyond ASCII, the parts, the calendars byte for byte."""

import email
from email import policy
from email.message import EmailMessage, Message

from wcr.notifications.mime import compose

FOLDED = b"X-LONG:" + b"x" * 67 + b"\r\n " + b"y" * 30 + b"\r\n"  # a folded line
ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\n" + FOLDED + b"END:VCALENDAR\r\n"
SUBJECT = "تم حجز موعدك في مركز الترحيب ACDEFGHJ – الأربعاء 9 ديسمبر 2026 الساعة 09:00"


def read_back(mail: Message) -> EmailMessage:
    raw = mail.as_bytes()
    parsed = email.message_from_bytes(raw, _class=EmailMessage, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_headers_beyond_ascii_read_back_as_written() -> None:
    mail = read_back(
        compose(
            sender="Welcome Centre Mönchengladbach <termine@wcr.example>",
            recipient="amira@example.org",
            subject=SUBJECT,
            message_id="<booked.7.v0.email@wcr-welcome>",
            text="مرحبا",
            html="<p>مرحبا</p>",
        )
    )
    assert mail["Subject"] == SUBJECT  # folded over lines, nothing added
    assert mail["From"].addresses[0].display_name == "Welcome Centre Mönchengladbach"
    assert mail["From"].addresses[0].addr_spec == "termine@wcr.example"
    assert mail["To"] == "amira@example.org"
    assert mail["Message-ID"] == "<booked.7.v0.email@wcr-welcome>"
    assert mail.get_content_type() == "multipart/alternative"
    plain = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert plain is not None
    assert html is not None
    assert plain.get_content() == "مرحبا"
    assert html.get_content() == "<p>مرحبا</p>"


def test_the_calendars_go_byte_for_byte_as_alternative_and_attachments() -> None:
    cancel = ICS.replace(b"REQUEST", b"CANCEL")
    mail = read_back(
        compose(
            sender="termine@wcr.example",
            recipient="jo@xn--mnchen-3ya.de",
            subject="Booked",
            message_id="<m@wcr-welcome>",
            text="Hello",
            html="<p>Hello</p>",
            calendars=[("REQUEST", ICS), ("CANCEL", cancel)],
        )
    )
    assert mail.get_content_type() == "multipart/mixed"
    alternative = next(p for p in mail.walk() if p.get_content_type() == "multipart/alternative")
    kinds = [p.get_content_type() for p in alternative.iter_parts()]
    assert kinds == ["text/plain", "text/html", "text/calendar"]
    invitation = list(alternative.iter_parts())[2]
    assert invitation.get_param("method") == "REQUEST"
    assert invitation.get_payload(decode=True) == ICS
    attached = {p.get_filename(): p.get_payload(decode=True) for p in mail.iter_attachments()}
    assert attached == {"invite.ics": ICS, "cancel.ics": cancel}


def test_a_local_part_beyond_ascii_goes_in_a_raw_utf8_header() -> None:
    mail = compose(
        sender="termine@wcr.example",
        recipient="jürgen@münchen.de",
        subject="Gebucht",
        message_id="<m@wcr-welcome>",
        text="Hallo",
        html="<p>Hallo</p>",
    )
    assert isinstance(mail, EmailMessage)  # what can carry SMTPUTF8 headers
    assert "To: jürgen@münchen.de".encode() in mail.as_bytes(policy=policy.SMTPUTF8)
    plain = read_back(mail).get_body(("plain",))
    assert plain is not None
    assert plain.get_content() == "Hallo"
