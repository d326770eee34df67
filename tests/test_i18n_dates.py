"""Dates and times in each locale's own form (Babel's data): the booking pages' date
strip, time grid and itinerary use these."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from wcr.i18n import Language

BERLIN = ZoneInfo("Europe/Berlin")
AFTERNOON = datetime(2026, 12, 2, 13, 5, tzinfo=UTC)  # 14:05 in Berlin
LATER = datetime(2026, 12, 2, 13, 35, tzinfo=UTC)
WEDNESDAY = date(2026, 12, 2)


def test_an_arabic_date_and_time_use_only_the_arabic_comma() -> None:
    moment = Language("ar").moment(AFTERNOON, BERLIN)
    assert moment.startswith("الأربعاء، 2 ديسمبر 2026")
    assert "،" in moment
    assert "," not in moment


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("de", "Mittwoch, 2. Dezember 2026, 14:05"),
        ("en", "Wednesday, December 2, 2026, 2:05\u202fPM"),
        ("tr", "2 Aralık 2026 Çarşamba 14:05"),
    ],
)
def test_date_and_time_are_joined_the_locales_way(code: str, expected: str) -> None:
    assert Language(code).moment(AFTERNOON, BERLIN) == expected


@pytest.mark.parametrize("code", ["de", "fr", "tr", "uk"])
def test_spans_are_in_the_24_hour_clock_where_the_locale_uses_it(code: str) -> None:
    span = Language(code).time_span(AFTERNOON, LATER, BERLIN)
    assert "14:05" in span
    assert "14:35" in span


@pytest.mark.parametrize("code", ["en", "ar"])
def test_spans_keep_the_12_hour_clock_where_the_locale_uses_it(code: str) -> None:
    span = Language(code).time_span(AFTERNOON, LATER, BERLIN)
    assert "2:05" in span
    assert "14" not in span


def test_weekdays_are_short_enough_for_a_strip_of_seven() -> None:
    # Arabic abbreviates no weekday: its short form stands in.
    assert Language("ar").weekday(WEDNESDAY) == "أربعاء"
    assert Language("de").weekday(WEDNESDAY) == "Mi"
    assert Language("en").weekday(WEDNESDAY) == "Wed"
    assert Language("de").numeric_day(WEDNESDAY) == "2.12."
    assert Language("de").day_span(WEDNESDAY, date(2026, 12, 8)) == "2.–8. Dez."
