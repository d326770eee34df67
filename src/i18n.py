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
from babel.dates import (
    format_date,
    format_interval,
    format_skeleton,
    format_time,
    get_datetime_format,
)
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

    def moment(self, value: datetime, tz: ZoneInfo) -> str:
        """Full date and time joined the locale's way ("{1}، {0}" in Arabic): gluing
        them with a Latin comma mixed "،" and "," in one Arabic date."""
        joined = str(get_datetime_format("full", locale=self.code))
        return joined.replace("{1}", self.day(value, tz)).replace("{0}", self.time(value, tz))

    def time_span(self, start: datetime, end: datetime, tz: ZoneInfo) -> str:
        """From start to end in the locale's own interval ("09:30-10:00" with an en
        dash), in the 24-hour clock wherever the locale's short time is."""
        clock = "Hm" if "H" in str(Locale.parse(self.code).time_formats["short"]) else "hm"
        return format_interval(
            start.astimezone(tz).time(), end.astimezone(tz).time(), clock, locale=self.code
        )

    def weekday(self, value: date) -> str:
        """The abbreviated weekday; where the locale abbreviates none (Arabic), its
        short form, so that seven of them fit a phone's width."""
        short = format_date(value, "ccc", locale=self.code)
        if short == format_date(value, "cccc", locale=self.code):
            return format_date(value, "cccccc", locale=self.code)
        return short

    def numeric_day(self, value: date) -> str:
        """Day and month in figures, the locale's way: "2.12.", "12/2", "02/12"."""
        return format_skeleton("dM", value, locale=self.code)

    def day_span(self, first: date, last: date) -> str:
        """A range of days in the locale's interval format ("2.-8. Dez.")."""
        return format_interval(first, last, "MMMd", locale=self.code)

    def script_formats(self) -> dict[str, object]:
        """How this locale writes times and joins a date and a time, for a page's script
        that formats with Intl to the same patterns as Babel on the server."""
        return {
            "hour24": "H" in str(Locale.parse(self.code).time_formats["short"]),
            # "{1}, {0}": how the locale joins a date ({1}) and a time ({0}).
            "moment": str(get_datetime_format("full", locale=self.code)),
        }

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
