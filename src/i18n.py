"""Languages, shared by pages and messages: texts from the gettext catalogs in
src/locales (compiled by `make install`; `make messages` extracts and merges them),
dates and times from Babel's locale data, one fallback rule for localised names."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from babel.support import NullTranslations, Translations

from wcr.config import SUPPORTED_LANGUAGES

LOCALES = Path(__file__).parent / "locales"
RIGHT_TO_LEFT = {"ar"}
_T = TypeVar("_T")


@cache
def catalog(language: str) -> NullTranslations:
    return Translations.load(str(LOCALES), [language], domain="messages")


def localised(names: Mapping[str, str], language: str, fallback: str) -> str:
    """The one fallback rule for names kept per language: the visitor's language,
    else English, else German, else ``fallback`` (usually the slug)."""
    return localised_in(names, language, fallback)[0]


def localised_in(texts: Mapping[str, _T], language: str, fallback: _T) -> tuple[_T, str]:
    """:func:`localised`, and the language of what it chose (for a ``lang`` attribute
    where it is not the page's; ``fallback`` counts as English, the slugs' language)."""
    for code in (language, "en", "de"):
        if texts.get(code):
            return texts[code], code
    return fallback, "en"


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

    def pgettext(self, context: str, message: str) -> str:
        return str(catalog(self.code).pgettext(context, message))

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
