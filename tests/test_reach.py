"""Who can be reached how (wcr.reach), and the settings of it."""

import pytest

from wcr.config import DEFAULT_SMS_REGIONS, Settings
from wcr.errors import InvalidInput
from wcr.i18n import Language
from wcr.reach import NEEDS_SMTPUTF8, NoSms, check_contact, needs_smtputf8, sms_refusal

NO_SMS = {
    "+499001234567": NoSms.NOT_MOBILE,  # premium rate
    "+80012345678": NoSms.NOT_MOBILE,  # international freephone, no region
    "+498001234567": NoSms.NOT_MOBILE,  # toll-free
    "+491801234567": NoSms.NOT_MOBILE,  # shared cost
    "+49301234567": NoSms.NOT_MOBILE,  # a Berlin landline
    "+12025550123": NoSms.REGION,  # "fixed line or mobile", but the United States
    "+79123456789": NoSms.REGION,  # a Russian mobile
}
SMS = ["+4915123456789", "+380501234567", "+905321234567", "+447400123456"]


@pytest.mark.parametrize(("phone", "reason"), NO_SMS.items())
def test_numbers_that_get_no_sms(phone: str, reason: NoSms) -> None:
    assert sms_refusal(phone, DEFAULT_SMS_REGIONS) == reason


@pytest.mark.parametrize("phone", SMS)
def test_mobiles_of_the_regions_get_sms(phone: str) -> None:
    assert sms_refusal(phone, DEFAULT_SMS_REGIONS) is None


def test_the_regions_come_from_the_setting() -> None:
    settings = Settings.from_env({"WCR_SMS_REGIONS": " de, at "})
    assert settings.sms_regions == {"DE", "AT"}
    assert sms_refusal("+4915123456789", settings.sms_regions) is None
    assert sms_refusal("+380501234567", settings.sms_regions) == NoSms.REGION
    assert Settings.from_env({}).sms_regions == DEFAULT_SMS_REGIONS
    assert len(DEFAULT_SMS_REGIONS) == 27 + 3 + 7  # EU, the rest of the EEA, seven more
    with pytest.raises(ValueError, match="UK"):
        Settings.from_env({"WCR_SMS_REGIONS": "DE,UK"})  # the UK is GB


def test_the_daily_cap_setting() -> None:
    assert Settings.from_env({}).max_messages_per_recipient_per_day == 10
    env = {"WCR_MAX_MESSAGES_PER_RECIPIENT_PER_DAY": "0"}
    assert Settings.from_env(env).max_messages_per_recipient_per_day == 0


def test_a_local_part_beyond_ascii_needs_smtputf8() -> None:
    assert needs_smtputf8("jürgen@example.org")
    assert not needs_smtputf8("jo@münchen.de")  # the domain goes as punycode
    assert not needs_smtputf8("jo@example.org")


def test_booking_refuses_what_the_mail_server_cannot_carry() -> None:
    relay = Settings(smtp={"HOST": "mail.example.org"})
    with pytest.raises(InvalidInput) as refused:
        check_contact("jürgen@example.org", None, relay)
    [error] = refused.value.errors
    assert (error["field"], error["code"]) == ("email", NEEDS_SMTPUTF8)
    utf8_relay = Settings(smtp={"HOST": "mail.example.org", "SMTPUTF8": "on"})
    assert check_contact("jürgen@example.org", None, utf8_relay).email
    files = Settings()  # no SMTP: messages become files, which carry anything
    assert check_contact("jürgen@example.org", None, files).email
    assert check_contact("jo@münchen.de", None, relay).email


def test_what_the_booking_answer_says_of_a_phone() -> None:
    settings = Settings()
    landline = check_contact(None, "+49301234567", settings)
    assert (landline.sms, landline.no_sms, landline.told) == (False, NoSms.NOT_MOBILE, False)
    [(field, code, text)] = landline.notices(Language("de"))
    assert (field, code) == ("phone", "no-sms-not-mobile")
    assert text != landline.notices(Language("en"))[0][2]  # said in the visitor's language
    abroad = check_contact("a@example.org", "+79123456789", settings)
    assert (abroad.sms, abroad.no_sms, abroad.told) == (False, NoSms.REGION, True)
    mobile = check_contact(None, "+4915123456789", settings)
    assert (mobile.sms, mobile.notices(Language("en")), mobile.told) == (True, [], True)
