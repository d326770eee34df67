"""Whether we can reach a contact: SMS to a phone number, e-mail to an address.

One rule each, used where a booking is made (to refuse or to say what will not be
sent) and where messages are sent (the dispatcher's last check before any cost):

- **SMS** go only to numbers that phonenumbers types as mobile (or "fixed line or
  mobile", as it types some countries' numbers) in one of the regions of
  ``WCR_SMS_REGIONS``. Premium-rate, toll-free, shared-cost, personal, VoIP, UAN,
  pager and landline numbers, and non-geographic ones such as ``+800``, are still
  a contact we can call; they get no SMS.
- **E-mail** to an address whose local part (before the ``@``) is not ASCII needs
  SMTPUTF8 all the way. An internationalised domain is no obstacle: it travels as
  punycode.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers

from wcr.config import Settings
from wcr.errors import InvalidInput
from wcr.i18n import Language

# The code of the refusal at booking time, for forms that explain it in the visitor's
# language (the problem's per-field error carries it).
NEEDS_SMTPUTF8 = "needs-smtputf8"

SMS_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


class NoSms(StrEnum):
    """Why a number gets no SMS."""

    NOT_MOBILE = "not-mobile"
    REGION = "region"  # a mobile number, of a region outside WCR_SMS_REGIONS


def sms_refusal(phone: str, regions: Collection[str]) -> NoSms | None:
    """None when ``phone`` (E.164, as stored) may get SMS; otherwise why not."""
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return NoSms.NOT_MOBILE
    if phonenumbers.number_type(number) not in SMS_TYPES:
        return NoSms.NOT_MOBILE
    if phonenumbers.region_code_for_number(number) not in regions:
        return NoSms.REGION
    return None


def number_kind(phone: str) -> str:
    """What phonenumbers calls the number (``PREMIUM_RATE``, ``FIXED_LINE``, …), for logs."""
    try:
        kind = phonenumbers.number_type(phonenumbers.parse(phone, None))
    except phonenumbers.NumberParseException:
        return "UNPARSABLE"
    names = {
        value: name
        for name, value in vars(phonenumbers.PhoneNumberType).items()
        if name.isupper() and isinstance(value, int)
    }
    return names.get(kind, str(kind))


def no_sms_text(reason: NoSms, lang: Language) -> str:
    """What the visitor reads about it, in their language."""
    if reason == NoSms.REGION:
        return lang.gettext(
            "We can call this number, but we do not send text messages to numbers of this country."
        )
    return lang.gettext(
        "We can call this number, but we do not send text messages to it: it is not a "
        "mobile number."
    )


def needs_smtputf8(email: str) -> bool:
    """The address has letters beyond ASCII before the ``@`` (only SMTPUTF8 carries it)."""
    local, _, _ = email.rpartition("@")
    return not local.isascii()


def mail_carries_utf8(settings: Settings) -> bool:
    """Whether our mail can go to such an address: the files written without SMTP
    can, an SMTP server only when the operator says it offers SMTPUTF8
    (``WCR_SMTP_SMTPUTF8=on``); a booking cannot ask the server, and a message that
    cannot go out is worse than a refusal the visitor sees."""
    if not settings.smtp.get("HOST"):
        return True
    return settings.smtp.get("SMTPUTF8", "").lower() in {"1", "on", "true", "yes"}


@dataclass(frozen=True)
class Reach:
    """What the contact of a new booking will get from us."""

    email: bool  # e-mail will be sent to the address given
    sms: bool  # SMS will be sent to the phone given
    no_sms: NoSms | None  # why the phone given gets none

    @property
    def told(self) -> bool:
        """Whether anything reaches the visitor at all (a confirmation, reminders)."""
        return self.email or self.sms

    def notices(self, lang: Language) -> list[tuple[str, str, str]]:
        """(field, code, text) of each thing the visitor should know, in their language."""
        if self.no_sms is None:
            return []
        return [("phone", f"no-sms-{self.no_sms}", no_sms_text(self.no_sms, lang))]


def check_contact(email: str | None, phone: str | None, settings: Settings) -> Reach:
    """Refuse an address we cannot send to (422 on ``email``); say whether the phone
    gets SMS. ``email`` and ``phone`` as the contact check normalised them."""
    if email and needs_smtputf8(email) and not mail_carries_utf8(settings):
        message = (
            "letters beyond ASCII before the @ need SMTPUTF8, which our mail server is "
            "not known to offer; give another address or a phone number"
        )
        raise InvalidInput(
            f"email: {message}",
            errors=[{"field": "email", "message": message, "code": NEEDS_SMTPUTF8}],
        )
    refusal = sms_refusal(phone, settings.sms_regions) if phone else None
    return Reach(email=email is not None, sms=phone is not None and refusal is None, no_sms=refusal)
