"""Advice in the visitor's language: the ISO 639 codes a slot's adviser speaks, and
the language a visitor asks for. Every office holds its appointments in German, so a
slot lists the languages besides (it may list ``de`` too) and German always matches."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from babel import Locale

from wcr.errors import InvalidInput

from .records import GERMAN

MAX_LANGUAGES = 8


@cache
def known_codes() -> frozenset[str]:
    """Two- and three-letter language codes Babel names (ISO 639)."""
    codes = (str(code) for code in Locale("en").languages)
    return frozenset(code for code in codes if code.isalpha() and code.islower())


def clean_code(code: str | None, field: str) -> str | None:
    """A language code a visitor or client asked for, lower-cased; 422 on ``field``."""
    if code is None or not code.strip():
        return None
    code = code.strip().lower()
    if code not in known_codes():
        raise InvalidInput.field(field, f"not an ISO 639 language code: {code[:16]!r}")
    return code


def clean_codes(codes: Iterable[str] | None, field: str = "languages") -> tuple[str, ...]:
    """The languages of a slot's adviser: known codes, each once, in the given order."""
    cleaned: list[str] = []
    for code in codes or ():
        known = clean_code(code, field)
        if known is None:
            raise InvalidInput.field(field, "an empty language code")
        if known not in cleaned:
            cleaned.append(known)
    if len(cleaned) > MAX_LANGUAGES:
        raise InvalidInput.field(field, f"at most {MAX_LANGUAGES} languages")
    return tuple(cleaned)


def display_name(code: str, in_language: str) -> str:
    """The language's own name in the page's language, e.g. "العربية" on an Arabic page."""
    return str(Locale(in_language).languages.get(code) or Locale("en").languages.get(code, code))


def besides_german(codes: Iterable[str]) -> list[str]:
    return sorted({code for code in codes if code != GERMAN})
