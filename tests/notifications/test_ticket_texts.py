"""What a ticket's SMS say, in every language, and that each fits two segments."""

import re
import string
from datetime import UTC, date, datetime
from typing import Any

import pytest
from babel.messages.pofile import read_po

from wcr.config import SUPPORTED_LANGUAGES
from wcr.i18n import LOCALES, Language
from wcr.notifications import ticket_messages
from wcr.notifications.records import (
    TICKET_KINDS,
    Channel,
    MessageKind,
    MessageRecord,
    MessageStatus,
)
from wcr.notifications.sms import is_gsm, segments
from wcr.queue.public import ticket_link

DAY = date(2026, 12, 2)
AT = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
SHORT_URL = "https://wcr.de"
# A long public address and a long ticket id: the link is 79 characters.
LONG_URL = "https://termine.wcr-rheinisches-revier.de"
# Longer still (99): no sentence in UCS-2 fits two segments with it.
LONGEST_URL = "https://termine.welcomecenter-rheinisches-revier.example.de"
LONG_QUEUE = {
    "de": "Anerkennungsberatung der Industrie- und Handelskammer",
    "en": "Recognition advice of the Chamber of Industry and Commerce",
    "ar": "استشارة الاعتراف بالمؤهلات المهنية لدى غرفة الصناعة والتجارة",
    "fr": "Conseil en reconnaissance des diplômes de la Chambre de commerce",
    "tr": "Sanayi ve Ticaret Odası mesleki yeterlilik tanıma danışmanlığı",
    "uk": "Консультація з визнання професійної кваліфікації Торгово-промислової палати",
}
LONG_SITE = "Welcome Center Rheinisches Revier – Mönchengladbach"
TICKET_TEXTS = {
    "Your number {number} for {queue} at {site}. Your place, live: {link}",
    "Your number {number} for {queue}. Your place, live: {link}",
    "{number}: you are next. Please come back to the waiting area.",
    "{number}: {ahead} person ahead of you. Please come back to the waiting area.",
    "{number}: please go to {counter} now.",
    "{number}: it is your turn. Please come to the counter now.",
}


def message(kind: MessageKind, ticket_id: int = 42, **details: Any) -> MessageRecord:
    facts = {"number": "A001", "day": DAY.isoformat(), "language": "en", "step": 0}
    return MessageRecord(
        id=1,
        dedup_key=f"ticket:{ticket_id}:{kind}:0",
        booking_id=None,
        kind=kind,
        channel=Channel.SMS,
        recipient="+4915123456789",
        version=0,
        slot_id=None,
        status=MessageStatus.SENDING,
        due_at=AT,
        attempts=1,
        lease_until=None,
        sent_at=None,
        last_error=None,
        provider_id=None,
        delivery=None,
        created_at=AT,
        ticket_id=ticket_id,
        details=facts | details,
    )


def test_the_english_texts() -> None:
    issued = message(
        MessageKind.TICKET_ISSUED, queue="Residence registration", site="Welcome Office Bochum"
    )
    link = ticket_link(SHORT_URL, 42, DAY)
    assert ticket_messages.render(issued, public_url=SHORT_URL) == (
        f"Your number A001 for Residence registration at Welcome Office Bochum. "
        f"Your place, live: {link}"
    )
    almost = message(MessageKind.TICKET_ALMOST, ahead=2)
    assert ticket_messages.render(almost, public_url=SHORT_URL) == (
        "A001: 2 people ahead of you. Please come back to the waiting area."
    )
    one = message(MessageKind.TICKET_ALMOST, ahead=1)
    assert ticket_messages.render(one, public_url=SHORT_URL).startswith("A001: 1 person ahead")
    called = message(MessageKind.TICKET_CALLED, counter="Schalter 3")
    assert ticket_messages.render(called, public_url=SHORT_URL) == (
        "A001: please go to Schalter 3 now."
    )


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
@pytest.mark.parametrize("kind", sorted(TICKET_KINDS))
def test_every_text_fits_two_segments_with_long_names(language: str, kind: MessageKind) -> None:
    ticket_id = 9_999_999
    sms = ticket_messages.render(
        message(
            kind,
            ticket_id,
            language=language,
            queue=LONG_QUEUE[language],
            site=LONG_SITE,
            counter="Schalter 12 (Erdgeschoss)",
            ahead=12,
        ),
        public_url=LONG_URL,
    )
    assert segments(sms) <= ticket_messages.MAX_SEGMENTS, (len(sms), sms)
    assert "A001" in sms
    if kind == MessageKind.TICKET_ISSUED:
        link = ticket_link(LONG_URL, ticket_id, DAY)
        assert sms.endswith(link)  # whole, never cut
        assert LONG_QUEUE[language][:5] in sms  # what is waited for, if shortened
    if kind == MessageKind.TICKET_CALLED:
        assert "Schalter 12 (Erdgeschoss)" in sms
    if language in {"ar", "uk"}:
        assert not is_gsm(sms)  # UCS-2, 67 characters a segment: counted as such


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_a_short_issued_text_keeps_the_site(language: str) -> None:
    sms = ticket_messages.render(
        message(MessageKind.TICKET_ISSUED, language=language, queue="Anmeldung", site="WCR Neuss"),
        public_url=SHORT_URL,
    )
    assert "WCR Neuss" in sms
    assert "Anmeldung" in sms
    assert segments(sms) <= ticket_messages.MAX_SEGMENTS


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_with_a_very_long_link_the_number_and_link_still_go(language: str) -> None:
    link = ticket_link(LONGEST_URL, 9_999_999, DAY)
    sms = ticket_messages.render(
        message(
            MessageKind.TICKET_ISSUED,
            9_999_999,
            language=language,
            queue=LONG_QUEUE[language],
            site=LONG_SITE,
        ),
        public_url=LONGEST_URL,
    )
    assert segments(sms) <= ticket_messages.MAX_SEGMENTS
    assert sms.startswith("A001") or "A001" in sms
    assert sms.endswith(link)


def test_a_gsm_text_is_cut_with_dots_not_an_ellipsis() -> None:
    """'…' is not GSM-7: it would turn a German text into UCS-2 and cost a segment."""
    sms = ticket_messages.fit(
        Language("de"),
        number="A001",
        queue="Wohnsitzanmeldung " * 12,
        site="Welcome Office Bochum",
        link=ticket_link(LONG_URL, 9_999_999, DAY),
    )
    assert is_gsm(sms)
    assert "..." in sms
    assert "Welcome Office Bochum" not in sms  # the site went first
    assert segments(sms) == ticket_messages.MAX_SEGMENTS


def test_the_arabic_texts_are_arabic() -> None:
    almost = message(MessageKind.TICKET_ALMOST, language="ar", ahead=2)
    sms = ticket_messages.render(almost, public_url=SHORT_URL)
    assert sms == "A001: أمامك شخصان. يرجى العودة إلى منطقة الانتظار."
    called = ticket_messages.render(
        message(MessageKind.TICKET_CALLED, language="ar", counter="Schalter 3"),
        public_url=SHORT_URL,
    )
    assert called == "A001: يرجى التوجه الآن إلى Schalter 3."


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_ticket_text_is_translated_with_its_placeholders() -> None:
    """Every plural form of every language, none fuzzy, none losing {number} or {link}."""
    for path in sorted(LOCALES.glob("*/LC_MESSAGES/messages.po")):
        language = path.parent.parent.name
        with path.open("rb") as file:
            catalog = read_po(file)
        for msgid in TICKET_TEXTS:
            entry = catalog.get(msgid)
            assert entry is not None, (language, msgid)
            assert not entry.fuzzy, (language, msgid)
            given = entry.string
            forms = [str(f) for f in given] if isinstance(given, (list, tuple)) else [given]
            assert len(forms) == catalog.num_plurals or not entry.pluralizable
            for form in forms:
                assert form, (language, msgid)
                assert placeholders(form) <= placeholders(msgid), (language, form)
                assert "number" in placeholders(form), (language, form)
                if "{link}" in msgid:
                    assert "link" in placeholders(form), (language, form)
                if "{counter}" in msgid:
                    assert "counter" in placeholders(form), (language, form)
                assert not re.search(r"[{}]", form.format(**dict.fromkeys(placeholders(form), "")))
