"""Which language a visitor's page is in: the URL says which, else the browser's
Accept-Language (texts and dates themselves: :mod:`wcr.i18n`)."""

from __future__ import annotations

from babel import negotiate_locale

from wcr.config import SUPPORTED_LANGUAGES

DEFAULT = "de"


def from_header(accept_language: str | None) -> str:
    """The best supported language for an Accept-Language header (``de`` if none)."""
    preferred = []
    for part in (accept_language or "").split(","):
        tag, _, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            weight = 0.0
        if tag and weight > 0:
            preferred.append((weight, tag.replace("-", "_")))
    ranked = [tag for _, tag in sorted(preferred, key=lambda item: -item[0])]
    return negotiate_locale(ranked, list(SUPPORTED_LANGUAGES), sep="_") or DEFAULT
