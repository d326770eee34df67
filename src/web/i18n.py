"""Languages of the visitor pages: the URL says which, else the browser's
Accept-Language; texts come from Babel message catalogs (src/web/locales, compiled by
`make install`), dates and times from Babel's locale data in the site's zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, negotiate_locale
from babel.dates import format_date, format_skeleton, format_time
from babel.support import NullTranslations, Translations

from wcr.config import SUPPORTED_LANGUAGES

LOCALES = Path(__file__).parent / "locales"
DEFAULT = "de"
RIGHT_TO_LEFT = {"ar"}


@cache
def catalog(language: str) -> NullTranslations:
    return Translations.load(str(LOCALES), [language], domain="messages")


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


@dataclass(frozen=True)
class Language:
    code: str

    @property
    def direction(self) -> str:
        return "rtl" if self.code in RIGHT_TO_LEFT else "ltr"

    def gettext(self, message: str) -> str:
        return catalog(self.code).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return catalog(self.code).ngettext(singular, plural, n)

    def day(self, value: date | datetime, tz: ZoneInfo | None = None) -> str:
        moment = value.astimezone(tz).date() if isinstance(value, datetime) else value
        return format_date(moment, "full", locale=self.code)

    def short_day(self, value: date) -> str:
        return format_skeleton("MMMEd", value, locale=self.code)

    def time(self, value: datetime, tz: ZoneInfo) -> str:
        return format_time(value.astimezone(tz), "short", locale=self.code)

    def context(self) -> dict[str, object]:
        """What every page template gets: _(), the language, and its neighbours."""
        return {
            "_": self.gettext,
            "ngettext": self.ngettext,
            "lang": self.code,
            "dir": self.direction,
            "language": self,
            "languages": [
                (code, Locale.parse(code).get_display_name(code)) for code in SUPPORTED_LANGUAGES
            ],
        }
