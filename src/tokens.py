"""Booking references, manage tokens, agency keys and company keys.

A reference is read aloud at a front desk, so it is short and avoids look-alikes
(0/O, 1/I/L, 2/Z, 5/S, 8/B); it is no secret. Manage tokens and keys are
secrets of 128 and 256 random bits; only their SHA-256 is stored, and a presented
token is compared against it in constant time. A company key (192 bits) is looked
up by its SHA-256, which is unique.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

REFERENCE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
REFERENCE_LENGTH = 8
AGENCY_KEY_PREFIX = "wcr_ak_"
COMPANY_KEY_PREFIX = "wcr_ck_"


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def normalise_reference(text: str) -> str:
    """Accept what people type: lower case, spaces and dashes (``abcd-efgh``)."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def new_manage_token() -> str:
    # 128 bits: the floor we promise, and short enough for a link in a 2-part SMS.
    return secrets.token_urlsafe(16)


def new_agency_key() -> str:
    return AGENCY_KEY_PREFIX + secrets.token_urlsafe(32)


def new_company_key() -> str:
    return COMPANY_KEY_PREFIX + secrets.token_urlsafe(24)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def matches(secret: str, stored_digest: str) -> bool:
    return hmac.compare_digest(digest(secret), stored_digest)
