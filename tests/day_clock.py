"""A simulated clock for tests whose times must fall on one local day.

Tickets are numbered per local day and check-in takes today's appointments only, so a
test that makes appointments from half an hour before to an hour after "now" fails
(or used to skip itself) when the machine's clock is near local midnight. These tests
read instead a :class:`DayClock`: it starts at 10:00 Berlin time on a weekday a few
days after the machine's today and runs on with real elapsed time (the order of
timestamps a test makes stays real), and a test may step it on with
:meth:`DayClock.advance`. It is installed as the source of ``wcr.clock.now``, which
every code path of the app reads, also the app driven through httpx's ASGI transport
in the test's process (not a server in another process: see tests/live_server.py).

The machine's clock the day is chosen from is :func:`machine_now`; set
``WCR_TEST_MACHINE_NOW`` (an ISO 8601 instant with its offset, e.g.
``2026-12-07T23:50+01:00``) to run tests as if the machine's clock had said that at
the start of the run, or pass ``base`` to :class:`DayClock`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

from wcr import clock

BERLIN = ZoneInfo("Europe/Berlin")
START = clock_time(10, 0)
DAYS_AHEAD = 2  # at least: the simulated day is always after the machine's today
MACHINE_NOW = "WCR_TEST_MACHINE_NOW"

Base = Callable[[], datetime]


def from_moment(moment: datetime) -> Base:
    """A machine's clock that says ``moment`` now and runs on with real elapsed time."""
    if moment.tzinfo is None:
        raise ValueError(f"the moment must be aware: {moment}")
    origin = time.monotonic()
    return lambda: moment + timedelta(seconds=time.monotonic() - origin)


def machine_now() -> Base:
    """The system's clock, or the one ``WCR_TEST_MACHINE_NOW`` says."""
    value = os.environ.get(MACHINE_NOW)
    return clock.system if not value else from_moment(datetime.fromisoformat(value))


def safe_day(today: date) -> date:
    """The first weekday (Monday to Friday) at least :data:`DAYS_AHEAD` after ``today``:
    no switch to or from summer time (those are on Sundays), opening hours of a
    weekday."""
    day = today + timedelta(days=DAYS_AHEAD)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    return day


class DayClock:
    """10:00 Berlin time on :func:`safe_day` of the base's today, running on with the
    base (real elapsed time) plus what :meth:`advance` added."""

    def __init__(self, base: Base = clock.system) -> None:
        self.base = base
        machine = base()
        self.day = safe_day(machine.astimezone(BERLIN).date())
        self.start = datetime.combine(self.day, START, tzinfo=BERLIN).astimezone(UTC)
        self.origin = machine
        self.stepped = timedelta(0)

    def now(self) -> datetime:
        return self.start + (self.base() - self.origin) + self.stepped

    def advance(self, by: timedelta) -> None:
        if by < timedelta(0):
            raise ValueError(f"the clock does not go back ({by})")
        self.stepped += by

    def today(self, tz: ZoneInfo = BERLIN) -> date:
        return self.now().astimezone(tz).date()


@contextmanager
def installed(day_clock: DayClock) -> Iterator[DayClock]:
    """``wcr.clock.now`` reads ``day_clock`` until the block ends."""
    with clock.using(day_clock.now):
        yield day_clock
