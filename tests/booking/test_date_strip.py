"""The week of the times step: its days, the chosen day and the paging."""

from collections import Counter
from datetime import date, timedelta

from wcr.booking.date_strip import Week, chosen_day, strip
from wcr.i18n import Language

TODAY = date(2026, 12, 3)  # a Thursday
LATEST = date(2027, 12, 31)


def test_the_first_week_has_no_earlier_one_and_a_later_one() -> None:
    week = Week(TODAY, TODAY, LATEST)
    assert week.days[0] == TODAY
    assert week.last == TODAY + timedelta(days=6)
    assert week.earlier is None
    assert week.later == TODAY + timedelta(days=7)


def test_earlier_never_goes_before_today() -> None:
    assert Week(TODAY + timedelta(days=3), TODAY, LATEST).earlier == TODAY
    assert Week(TODAY + timedelta(days=14), TODAY, LATEST).earlier == TODAY + timedelta(days=7)


def test_no_later_week_beyond_the_latest() -> None:
    assert Week(LATEST, TODAY, LATEST).later is None


def test_the_day_shown_is_the_one_asked_when_it_has_free_times() -> None:
    week = Week(TODAY, TODAY, LATEST)
    friday, monday = TODAY + timedelta(days=1), TODAY + timedelta(days=4)
    counts = Counter({friday: 3, monday: 2})
    assert chosen_day(week, counts, monday) == monday
    assert chosen_day(week, counts, None) == friday  # the first with free times
    assert chosen_day(week, counts, TODAY) == friday  # asked, but empty
    assert chosen_day(week, counts, monday + timedelta(days=30)) == friday  # not this week
    assert chosen_day(week, Counter(), None) == TODAY


def test_a_day_without_free_times_gets_no_link() -> None:
    week = Week(TODAY, TODAY, LATEST)
    friday = TODAY + timedelta(days=1)
    days = strip(Language("en"), week, Counter({friday: 4}), friday, lambda d: f"/{d}")
    assert [d["url"] for d in days][:2] == [None, f"/{friday}"]
    assert [d["current"] for d in days].count(True) == 1
    assert days[1]["count"] == 4
    assert days[1]["weekday"] == "Fri"
