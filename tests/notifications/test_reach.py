"""SMS only to mobile numbers of the allowed regions: what the booking answers, what the
confirmation page says, and what reaches the Twilio-compatible server."""

from dataclasses import replace

import httpx
import pytest

from tests.conftest import World, local, next_weekday
from tests.notifications.servers import TwilioFake
from wcr.config import Settings
from wcr.i18n import Language
from wcr.notifications.dispatcher import Dispatcher
from wcr.notifications.records import Channel, MessageStatus
from wcr.notifications.tables import Message
from wcr.reach import NoSms, no_sms_text

NO_SMS = {
    "+49 900 1234567": "no-sms-not-mobile",  # premium rate
    "+800 1234 5678": "no-sms-not-mobile",  # international freephone
    "+49 30 1234567": "no-sms-not-mobile",  # a German landline
    "+7 912 345 6789": "no-sms-region",  # a Russian mobile
    "+1 202 555 0123": "no-sms-region",  # a US number, "fixed line or mobile"
}
SMS = {
    "+49 151 23456789": "+4915123456789",
    "+380 50 123 4567": "+380501234567",
    "+90 532 123 4567": "+905321234567",
}


async def drain(dispatcher: Dispatcher) -> None:
    while await dispatcher.run_once():
        pass


async def sms_rows() -> dict[str, tuple[str, str | None]]:
    """The booked message of each number: (status, last_error)."""
    rows = await Message.select(Message.recipient, Message.status, Message.last_error).where(
        Message.channel == Channel.SMS, Message.kind == "booked"
    )
    return {r["recipient"]: (r["status"], r["last_error"]) for r in rows}


async def test_only_mobiles_of_the_regions_get_sms(
    world: World, dispatcher: Dispatcher, twilio: TwilioFake
) -> None:
    day = next_weekday(2)
    answers = {}
    for n, phone in enumerate([*NO_SMS, *SMS]):
        slot = await world.slot(local(day, 8 + n // 2, (n % 2) * 30))
        response = await world.book(slot, phone=phone, email=None, language="de")
        assert response.status_code == 201, response.text  # a contact we can call
        answers[phone] = response.json()
    for phone, code in NO_SMS.items():
        assert answers[phone]["sms"] is False
        [warning] = answers[phone]["warnings"]
        assert (warning["field"], warning["code"]) == ("phone", code)
        reason = NoSms.REGION if code == "no-sms-region" else NoSms.NOT_MOBILE
        assert warning["message"] == no_sms_text(reason, Language("de"))  # in German
    for phone in SMS:
        assert (answers[phone]["sms"], answers[phone]["warnings"]) == (True, [])

    await drain(dispatcher)
    assert sorted(m["To"] for m in twilio.received) == sorted(SMS.values())
    rows = await sms_rows()
    assert len(rows) == len(NO_SMS) + len(SMS)
    for number, (status, error) in rows.items():
        if number in SMS.values():
            assert status == MessageStatus.SENT
        else:
            assert status == MessageStatus.SUPPRESSED
            assert error is not None
            assert error.startswith("no SMS to this number")
    premium = rows["+499001234567"][1]
    assert premium is not None
    assert "PREMIUM_RATE" in premium  # the operator sees why


class TestOnlyGermany:
    """WCR_SMS_REGIONS=DE: the booking answer and the dispatcher follow the setting."""

    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return replace(settings, sms_regions=frozenset({"DE"}))

    async def test_the_setting_decides_at_booking_and_at_sending(
        self, world: World, dispatcher: Dispatcher, twilio: TwilioFake
    ) -> None:
        day = next_weekday(2)
        ukrainian = await world.book(
            await world.slot(local(day, 9)), phone="+380 50 123 4567", email=None
        )
        german = await world.book(
            await world.slot(local(day, 10)), phone="+49 151 23456789", email=None
        )
        assert ukrainian.json()["sms"] is False
        assert [w["code"] for w in ukrainian.json()["warnings"]] == ["no-sms-region"]
        assert german.json()["sms"] is True
        await drain(dispatcher)
        assert [m["To"] for m in twilio.received] == ["+4915123456789"]
        assert (await sms_rows())["+380501234567"][0] == MessageStatus.SUPPRESSED


async def test_the_confirmation_page_says_no_sms_will_come(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(2)
    pages = {}
    for n, (lang, phone, email) in enumerate(
        [
            ("de", "+49 900 1234567", ""),
            ("en", "+49 30 1234567", "visitor@example.org"),
            ("en", "+49 151 23456789", ""),
        ]
    ):
        slot = await world.slot(local(day, 9 + n))
        form = {
            "services": world.registration,
            "choice": str(slot),
            "name": "Test Person",
            "email": email,
            "phone": phone,
        }
        page = await client.post(f"/{lang}/sites/{world.site}/book", data=form)
        assert page.status_code == 200
        assert 'id="reference"' in page.text, page.text
        pages[phone] = page.text
    german = Language("de")
    assert no_sms_text(NoSms.NOT_MOBILE, german) in pages["+49 900 1234567"]
    # Only a premium number given: nothing at all will come, and the page says so.
    assert (
        german.gettext("Show the reference at the front desk. We have sent you a confirmation.")
        not in pages["+49 900 1234567"]
    )
    assert (
        german.gettext(
            "Show the reference at the front desk. Please note it down: we cannot send you a "
            "confirmation."
        )
        in pages["+49 900 1234567"]
    )
    assert no_sms_text(NoSms.NOT_MOBILE, Language("en")) in pages["+49 30 1234567"]
    assert "We have sent you a confirmation." in pages["+49 30 1234567"]  # by e-mail
    assert 'id="no-sms"' not in pages["+49 151 23456789"]
