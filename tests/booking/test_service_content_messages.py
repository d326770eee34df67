"""The confirmation e-mail lists what to bring and the language of the appointment;
the reminder gives the list in one line; a text that fell back to German says so in
the HTML part (lang="de")."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from tests.conftest import BERLIN
from wcr.booking.records import BookingRecord, BookingStatus, SlotFacts
from wcr.notifications import render
from wcr.notifications.records import Channel, MessageKind, MessageRecord, MessageStatus

START = datetime(2026, 12, 9, 8, 30, tzinfo=UTC)
SLOT = SlotFacts(
    id=1,
    site_id=1,
    site="bochum",
    site_name="Welcome Office Bochum",
    address="Universitätsstraße 43–49, 44789 Bochum",
    tz=BERLIN,
    agency_id=1,
    agency="buergerbuero-bochum",
    service_id=1,
    service="residence-registration",
    service_names={"de": "Wohnsitzanmeldung", "ar": "تسجيل السكن"},
    service_descriptions={"de": "Wer umzieht, meldet sich an."},
    service_bring={
        "de": ["Reisepass", "Wohnungsgeberbestätigung"],
        "en": ["Passport", "Landlord's confirmation (Wohnungsgeberbestätigung)"],
        "ar": ["جواز السفر", "تأكيد المؤجر (Wohnungsgeberbestätigung)"],
    },
    starts_at=START,
    ends_at=START + timedelta(minutes=20),
    capacity=1,
    booked=1,
    withdrawn=False,
    languages=("ar",),
)


def context(
    kind: MessageKind, language: str, slot: SlotFacts = SLOT, advice: str | None = "ar"
) -> render.Context:
    message = MessageRecord(
        id=1,
        dedup_key="k",
        booking_id=1,
        kind=kind,
        channel=Channel.EMAIL,
        recipient="amira@example.org",
        version=0,
        slot_id=1,
        status=MessageStatus.SENDING,
        due_at=START,
        attempts=1,
        lease_until=None,
        sent_at=None,
        last_error=None,
        provider_id=None,
        delivery=None,
        created_at=START,
    )
    booking = BookingRecord(
        id=1,
        reference="ACDEFGHJ",
        token_hash="0" * 64,
        name="Amira Haddad",
        email="amira@example.org",
        phone=None,
        language=language,
        status=BookingStatus.CONFIRMED,
        version=0,
        created_at=START,
        advice_language=advice,
    )
    return render.Context(message=message, booking=booking, visit=[(0, slot)], removed=[])


def rendered(ctx: render.Context) -> render.Rendered:
    return render.render(ctx, public_url="https://termine.example", mail_from="t@example.org")


def test_the_confirmation_lists_what_to_bring_and_the_language_it_is_held_in() -> None:
    mail = rendered(context(MessageKind.BOOKED, "ar"))
    assert "ما يجب إحضاره:" in mail.text
    assert "  - جواز السفر" in mail.text
    assert "  - تأكيد المؤجر (Wohnungsgeberbestätigung)" in mail.text
    assert "لغة الموعد: العربية" in mail.text
    assert "lang=" not in mail.html.split("<body>")[1]  # all of it is Arabic
    english = rendered(context(MessageKind.BOOKED, "en", advice=None))
    assert "What to bring:" in english.text
    assert "  - Passport" in english.text
    assert "Language of the appointment" not in english.text  # German, as ever


def test_the_reminder_gives_the_list_in_one_line() -> None:
    reminder = rendered(context(MessageKind.REMINDER, "de"))
    assert "  Reisepass, Wohnungsgeberbestätigung" in reminder.text
    assert "  - Reisepass" not in reminder.text
    assert "Sprache des Termins: Arabisch" in reminder.text
    assert len(reminder.text.splitlines()) <= len(
        rendered(context(MessageKind.BOOKED, "de")).text.splitlines()
    )


def test_a_cancellation_asks_nothing_to_be_brought() -> None:
    for kind in (MessageKind.CANCELLED, MessageKind.WITHDRAWN):
        mail = rendered(context(kind, "de"))
        assert "Reisepass" not in mail.text
        assert "Sprache des Termins" not in mail.text


def test_a_list_only_in_german_is_marked_german_in_the_html() -> None:
    german_only = replace(SLOT, service_bring={"de": ["Reisepass", "Mietvertrag"]})
    mail = rendered(context(MessageKind.BOOKED, "uk", german_only))
    assert "Що взяти з собою:" in mail.text
    assert '<p lang="de">  - Reisepass</p>' in mail.html
    assert '<p lang="de">  - Mietvertrag</p>' in mail.html
    assert "<p>  Що взяти з собою:</p>" in mail.html  # the label is the visitor's
