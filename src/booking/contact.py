"""Checks a visitor's contact details; the errors name the field for the form."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from wcr.config import SUPPORTED_LANGUAGES
from wcr.errors import ErrorCode, InvalidInput
from wcr.tokens import digest

# Numbers typed without a country code are taken as German ones.
DEFAULT_REGION = "DE"
MAX_NAME_LENGTH = 200


@dataclass(frozen=True)
class Contact:
    name: str
    email: str | None
    phone: str | None
    language: str

    # What the booking limits count by: the e-mail as its mailbox and the E.164
    # number, each hashed (the limits need equality, not the address).
    @property
    def email_key(self) -> str | None:
        return digest(f"email:{mailbox(self.email)}") if self.email else None

    @property
    def phone_key(self) -> str | None:
        return digest(f"phone:{self.phone}") if self.phone else None

    def lock_keys(self) -> list[str]:
        """Both keys in one order, the order their lock rows are taken in."""
        return sorted(key for key in (self.email_key, self.phone_key) if key)


# Providers whose mailboxes ignore dots in the local part, and those that deliver
# "name+tag@" to "name@"; elsewhere both may be meaningful and are kept.
DOTS_IGNORED = frozenset({"gmail.com"})
PLUS_TAGS = frozenset(
    {
        "gmail.com",
        "outlook.com",
        "outlook.de",
        "hotmail.com",
        "hotmail.de",
        "live.com",
        "live.de",
        "msn.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "proton.me",
        "protonmail.com",
        "pm.me",
        "fastmail.com",
        "posteo.de",
        "mailbox.org",
    }
)
SAME_PROVIDER = {"googlemail.com": "gmail.com"}


def mailbox(email: str) -> str:
    """The mailbox an address delivers to, for counting: ``J.Doe+x@GoogleMail.com``
    and ``jdoe@gmail.com`` are one person's."""
    local, _, domain = email.casefold().rpartition("@")
    domain = SAME_PROVIDER.get(domain, domain)
    if domain in PLUS_TAGS:
        local = local.split("+", 1)[0]
    if domain in DOTS_IGNORED:
        local = local.replace(".", "")
    return f"{local}@{domain}"


def clean_name(raw: str) -> str:
    name = " ".join(raw.split())
    if not name:
        raise InvalidInput.field("name", "please give a name")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput.field(
            "name", f"at most {MAX_NAME_LENGTH} characters", ErrorCode.TOO_LONG, n=MAX_NAME_LENGTH
        )
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn"} for ch in name):
        raise InvalidInput.field("name", "contains characters that are not letters or marks")
    return name


# Addresses checked lately, with their verdict. The same address comes back: the
# visitor whose time was taken tries the next one, a firm books its employees, a bot
# hammers; and the check is a tenth of a refused booking's cost.
CHECKED_EMAILS = 4096


@lru_cache(maxsize=CHECKED_EMAILS)
def _checked_email(address: str) -> tuple[str, str]:
    """(the normalised address, "") or ("", why it is none)."""
    try:
        # No DNS look-ups: the service must answer fast and works offline.
        return validate_email(address, check_deliverability=False).normalized, ""
    except EmailNotValidError as error:
        return "", str(error)


def clean_email(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    normalised, problem = _checked_email(raw.strip())
    if problem:
        raise InvalidInput.field("email", problem)
    return normalised


def clean_phone(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise InvalidInput.field("phone", "not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput.field("phone", "not a valid phone number (add the country code)")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def clean_language(raw: str | None) -> str:
    language = (raw or "de").strip().lower()
    if language not in SUPPORTED_LANGUAGES:
        supported = ", ".join(SUPPORTED_LANGUAGES)
        raise InvalidInput.field("language", f"one of {supported}")
    return language


def clean_contact(name: str, email: str | None, phone: str | None, language: str | None) -> Contact:
    contact = Contact(
        name=clean_name(name),
        email=clean_email(email),
        phone=clean_phone(phone),
        language=clean_language(language),
    )
    if contact.email is None and contact.phone is None:
        raise InvalidInput(
            "email or phone: give at least one, so that we can reach you",
            errors=[
                {"field": "email", "message": "give an e-mail address or a phone number"},
                {"field": "phone", "message": "give an e-mail address or a phone number"},
            ],
        )
    return contact
