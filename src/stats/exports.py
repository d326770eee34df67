"""The statistics as CSV: UTF-8 with a byte-order mark (which Excel needs), a header
row of fixed machine names, slugs rather than names (they never change with the
language), dates as YYYY-MM-DD, durations in minutes with one decimal (empty when
nothing was measured). No cell holds text anybody typed."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from .figures import LANGUAGES
from .records import MonthRow, ServiceDayRow

WAITLIST_COLUMNS = ("waitlist_offers", "waitlist_claimed", "waitlist_lapsed")
DAILY_COLUMNS = (
    "day",
    "site",
    "agency",
    "service",
    "booked",
    "cancelled",
    "no_shows",
    "walk_ins",
    "served",
    "one_stop",
    "wait_median_min",
    "wait_p90_min",
    "transaction_median_min",
    "transaction_p90_min",
    *(f"lang_{code}" for code in LANGUAGES),
    # Added later, so at the end: the waitlist's offers of the day's places.
    *WAITLIST_COLUMNS,
)
MONTHLY_COLUMNS = (
    "site",
    "month",
    "people_advised",
    "bookings_attended",
    "walk_ins_served",
    "one_stop_visits",
    "no_shows",
    *(f"advised_{code}" for code in LANGUAGES),
    *WAITLIST_COLUMNS,
)
TENTH = Decimal("0.1")


def minutes(seconds: int | None) -> Decimal | None:
    """Seconds as minutes, to a tenth (half up)."""
    if seconds is None:
        return None
    return (Decimal(seconds) / 60).quantize(TENTH, rounding=ROUND_HALF_UP)


def _cell(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def _write(columns: tuple[str, ...], rows: Iterable[Iterable[object]]) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue()


def daily_csv(rows: Iterable[ServiceDayRow]) -> str:
    return _write(
        DAILY_COLUMNS,
        (
            (
                row.day.isoformat(),
                row.where.site,
                row.where.agency,
                row.where.service,
                row.counts.booked,
                row.counts.cancelled,
                row.counts.no_shows,
                row.counts.walk_ins,
                row.counts.served,
                row.counts.one_stop,
                _cell(minutes(row.waits.median)),
                _cell(minutes(row.waits.p90)),
                _cell(minutes(row.transactions.median)),
                _cell(minutes(row.transactions.p90)),
                *(row.counts.languages.get(code, 0) for code in LANGUAGES),
                row.counts.waitlist_offers,
                row.counts.waitlist_claimed,
                row.counts.waitlist_lapsed,
            )
            for row in rows
        ),
    )


def monthly_csv(rows: Iterable[MonthRow]) -> str:
    return _write(
        MONTHLY_COLUMNS,
        (
            (
                row.site,
                row.month.strftime("%Y-%m"),
                row.advised,
                row.attended,
                row.walk_ins_served,
                row.one_stop,
                row.no_shows,
                *(row.languages.get(code, 0) for code in LANGUAGES),
                row.waitlist_offers,
                row.waitlist_claimed,
                row.waitlist_lapsed,
            )
            for row in rows
        ),
    )
