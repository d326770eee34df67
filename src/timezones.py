"""UTC in the database, the site's zone at the edges.

Local wall times are checked against the site's zone: a time in the spring-forward
gap does not exist and is refused; an autumn time given with its offset is exact,
and one given without (which occurs twice) is refused as ambiguous.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from . import clock
from .errors import InvalidInput


@cache
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def wall_time_exists(naive: datetime, tz: ZoneInfo) -> bool:
    roundtrip = naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    return roundtrip == naive


def is_ambiguous(naive: datetime, tz: ZoneInfo) -> bool:
    first = naive.replace(tzinfo=tz, fold=0).utcoffset()
    second = naive.replace(tzinfo=tz, fold=1).utcoffset()
    return first != second


def local_instant(value: datetime, tz: ZoneInfo, field: str) -> datetime:
    """A client's time at a site → aware UTC, refusing times the site's clocks never show
    and times out of the calendar's range (year 1 at +14:00 is before year 1 in UTC)."""
    try:
        return _local_instant(value, tz, field)
    except OverflowError:
        raise InvalidInput.field(field, "out of range") from None


def _local_instant(value: datetime, tz: ZoneInfo, field: str) -> datetime:
    if value.tzinfo is None:
        if not wall_time_exists(value, tz):
            raise InvalidInput.field(
                field, f"{value:%Y-%m-%d %H:%M} does not exist in {tz.key} (clocks go forward)"
            )
        if is_ambiguous(value, tz):
            raise InvalidInput.field(
                field, f"{value:%Y-%m-%d %H:%M} occurs twice in {tz.key}; give the UTC offset"
            )
        return value.replace(tzinfo=tz).astimezone(UTC)
    offset = value.utcoffset()
    if offset and value.astimezone(tz).utcoffset() != offset:
        raise InvalidInput.field(
            field,
            f"{value.isoformat()} is not a local time in {tz.key}: "
            f"the offset there is {value.astimezone(tz):%z} at that moment",
        )
    return value.astimezone(UTC)


def combine(day: date, wall: time, tz: ZoneInfo) -> datetime | None:
    """The UTC instant of a wall time on a day, None when the clocks skip it.

    On the autumn day the earlier of the two occurrences is taken (fold=0).
    """
    naive = datetime.combine(day, wall)
    if not wall_time_exists(naive, tz):
        return None
    return naive.replace(tzinfo=tz).astimezone(UTC)


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """UTC instant of local midnight (midnight always exists in Europe's zones)."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def local_range(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC bounds [start, end) covering local days ``first`` through ``last``."""
    return day_start(first, tz), day_start(last + timedelta(days=1), tz)


def today(tz: ZoneInfo) -> date:
    """The local date in ``tz`` of the one clock's now (``wcr.clock``)."""
    return clock.now().astimezone(tz).date()


def as_utc(value: datetime) -> datetime:
    """Rows from SQLite may come back naive; they are UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
