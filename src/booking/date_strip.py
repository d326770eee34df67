"""The week of the times step: which day is shown, the seven days as a strip (each
with its number of free times) and the links to the weeks before and after."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from wcr.i18n import Language

WEEK = 7


@dataclass(frozen=True)
class Week:
    first: date
    today: date
    latest: date  # the last week that may be shown starts here

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range(WEEK)]

    @property
    def last(self) -> date:
        return self.first + timedelta(days=WEEK - 1)

    @property
    def earlier(self) -> date | None:
        """Where the week before starts (never before today); None on today's week."""
        if self.first <= self.today:
            return None
        return max(self.first - timedelta(days=WEEK), self.today)

    @property
    def later(self) -> date | None:
        later = self.first + timedelta(days=WEEK)
        return later if later <= self.latest else None

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first <= day <= self.last


def chosen_day(week: Week, counts: Counter[date], asked: date | None) -> date:
    """The day asked for when it has free times (a filter or a booking meanwhile may
    have emptied it), else the week's first with free times, else its first day
    (which then says there are none)."""
    if asked is not None and asked in week and counts[asked]:
        return asked
    return next((day for day in week.days if counts[day]), week.first)


def strip(
    lang: Language,
    week: Week,
    counts: Counter[date],
    chosen: date,
    url: Callable[[date], str],
) -> list[dict[str, Any]]:
    """The seven days for templates/times.html: a day without free times gets no link."""
    return [
        {
            "date": day.isoformat(),
            "weekday": lang.weekday(day),
            "numeric": lang.numeric_day(day),
            "full": lang.day(day),
            "count": counts[day],
            "url": url(day) if counts[day] else None,
            "current": day == chosen,
        }
        for day in week.days
    ]
