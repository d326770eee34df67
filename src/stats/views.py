"""The figures shaped for the page: numbers in the page's language (Babel's symbols,
formatted here: thousands of cells through Babel's formatter would cost more than the
queries), dates in its words, and the charts' data block."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.numbers import get_decimal_symbol, get_group_symbol

from wcr.i18n import Language

from .exports import minutes
from .figures import LANGUAGES
from .records import Counts, DayTotal, Durations, MonthRow, Report, ServiceDayRow

# The charts' colours (Okabe and Ito's, told apart with any colour vision), each with
# at least 3:1 contrast on white.
COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9")


@dataclass(frozen=True)
class Numbers:
    """Counts and minutes in the page's language."""

    decimal: str
    group: str

    @classmethod
    def of(cls, language: Language) -> Numbers:
        return cls(get_decimal_symbol(language.code), get_group_symbol(language.code))

    def count(self, value: int) -> str:
        return f"{value:,}".replace(",", self.group)

    def minutes(self, seconds: int | None) -> str | None:
        """None when nothing was measured (the template says so in words)."""
        value = minutes(seconds)
        return None if value is None else str(value).replace(".", self.decimal)


def _figures(
    numbers: Numbers, counts: Counts, waits: Durations, transactions: Durations
) -> dict[str, Any]:
    return {
        "booked": numbers.count(counts.booked),
        "cancelled": numbers.count(counts.cancelled),
        "no_shows": numbers.count(counts.no_shows),
        "walk_ins": numbers.count(counts.walk_ins),
        "served": numbers.count(counts.served),
        "one_stop": numbers.count(counts.one_stop),
        "wait_median": numbers.minutes(waits.median),
        "wait_p90": numbers.minutes(waits.p90),
        "transaction_median": numbers.minutes(transactions.median),
        "transaction_p90": numbers.minutes(transactions.p90),
        "languages": [numbers.count(counts.languages.get(code, 0)) for code in LANGUAGES],
        "waitlist_offers": numbers.count(counts.waitlist_offers),
        "waitlist_claimed": numbers.count(counts.waitlist_claimed),
        "waitlist_lapsed": numbers.count(counts.waitlist_lapsed),
    }


def day_row(language: Language, numbers: Numbers, total: DayTotal) -> dict[str, Any]:
    return {
        "day": total.day.isoformat(),
        "label": format_skeleton("yMMMEd", total.day, locale=language.code),
        **_figures(numbers, total.counts, total.waits, total.transactions),
    }


def service_day_row(language: Language, numbers: Numbers, row: ServiceDayRow) -> dict[str, Any]:
    return {
        "day": row.day.isoformat(),
        "label": format_skeleton("yMMMEd", row.day, locale=language.code),
        "site": row.where.site_name,
        "agency": row.where.agency_name,
        "service": row.where.service_name(language.code),
        "slugs": f"{row.where.site} {row.where.agency} {row.where.service}",
        **_figures(numbers, row.counts, row.waits, row.transactions),
    }


def service_rows(language: Language, numbers: Numbers, report: Report) -> list[dict[str, Any]]:
    """Each site's services over the whole range, by agency."""
    grouped: dict[tuple[str, str, str], list[ServiceDayRow]] = {}
    for row in report.rows:
        grouped.setdefault((row.where.site, row.where.agency, row.where.service), []).append(row)
    found = []
    for key in sorted(grouped):
        rows = grouped[key]
        counts = Counts(languages=dict.fromkeys(LANGUAGES, 0))
        for row in rows:
            counts += row.counts
        where = rows[0].where
        found.append(
            {
                "site": where.site_name,
                "agency": where.agency_name,
                "service": where.service_name(language.code),
                **_figures(
                    numbers,
                    counts,
                    Durations.of(*(r.waits.seconds for r in rows)),
                    Durations.of(*(r.transactions.seconds for r in rows)),
                ),
            }
        )
    return found


def month_row(language: Language, numbers: Numbers, row: MonthRow) -> dict[str, Any]:
    return {
        "month": row.month.strftime("%Y-%m"),
        "label": format_date(row.month, "LLLL y", locale=language.code),
        "site": row.site_name,
        "advised": numbers.count(row.advised),
        "attended": numbers.count(row.attended),
        "walk_ins_served": numbers.count(row.walk_ins_served),
        "one_stop": numbers.count(row.one_stop),
        "no_shows": numbers.count(row.no_shows),
        "languages": [numbers.count(row.languages.get(code, 0)) for code in LANGUAGES],
        "waitlist_offers": numbers.count(row.waitlist_offers),
        "waitlist_claimed": numbers.count(row.waitlist_claimed),
        "waitlist_lapsed": numbers.count(row.waitlist_lapsed),
    }


def _minutes_value(seconds: int | None) -> float | None:
    value = minutes(seconds)
    return None if value is None else float(value)


def chart_data(language: Language, report: Report, words: dict[str, str]) -> dict[str, Any]:
    """What stats.js draws: the days (labels in the page's language), a series per
    figure, and the languages over the whole range."""
    days = report.days

    def short(day: date) -> str:
        return format_skeleton("MMMd", day, locale=language.code)

    return {
        "words": {"day": words["day"], "language": words["language"]},
        "colours": COLOURS,
        "days": [short(d.day) for d in days],
        "visitors": [
            {
                "label": words["booked"],
                "values": [d.counts.booked - d.counts.cancelled for d in days],
            },
            {"label": words["walk_ins"], "values": [d.counts.walk_ins for d in days]},
            {"label": words["served"], "values": [d.counts.served for d in days]},
            {"label": words["no_shows"], "values": [d.counts.no_shows for d in days]},
        ],
        "waits": [
            {
                "label": words["wait_median"],
                "values": [_minutes_value(d.waits.median) for d in days],
            },
            {"label": words["wait_p90"], "values": [_minutes_value(d.waits.p90) for d in days]},
        ],
        "languages": {
            "labels": [language_name(code, language) for code in LANGUAGES],
            "codes": [code.upper() for code in LANGUAGES],
            "label": words["visitors"],
            "values": [report.total.counts.languages.get(code, 0) for code in LANGUAGES],
        },
    }


def language_name(code: str, language: Language) -> str:
    return Locale.parse(code).get_display_name(language.code) or code
