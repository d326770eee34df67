"""The statistics' cache of closed days (see :mod:`wcr.stats.days`): a site's figures
per local day and service, counted once the day is over, and the marks the database
sets when a counted fact of a closed day changes.

``site`` and ``service`` are plain ids, not foreign keys: a cached day is a copy of
figures, never a reason to keep or lose another feature's row.
"""

from __future__ import annotations

from piccolo.columns import Date, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class StatsDay(Table, tablename="stats_day"):
    """A closed local day of a site, counted: the visits given a service (people
    advised) that day; its services' figures are in :class:`StatsServiceDay`."""

    site = Integer()
    day = Date()
    # The zone the day was counted in: a site moved to another zone counts anew.
    timezone = Varchar(length=64)
    advised = Integer(default=0)
    attended = Integer(default=0)
    one_stop = Integer(default=0)
    languages = Text(default="{}")  # JSON: code -> visits
    counted_at = Timestamptz()
    # The day's marks when its counting began (the sum of their ``seq``): a change of
    # the day since raised it, so a row whose sum differs from the marks' now is stale.
    marks = Integer(default=0)


class StatsServiceDay(Table, tablename="stats_service_day"):
    """One row of ``daily.csv`` of a closed day, with the day's durations."""

    site = Integer()
    day = Date()
    service = Integer()
    booked = Integer(default=0)
    cancelled = Integer(default=0)
    no_shows = Integer(default=0)
    walk_ins = Integer(default=0)
    served = Integer(default=0)
    one_stop = Integer(default=0)
    waitlist_offers = Integer(default=0)
    waitlist_claimed = Integer(default=0)
    waitlist_lapsed = Integer(default=0)
    languages = Text(default="{}")  # JSON: code -> appointments held and walk-ins
    waits = Text(default="")  # seconds, sorted, comma-separated
    transactions = Text(default="")


class StatsMark(Table, tablename="stats_mark"):
    """A day of a site whose counted facts changed after it was closed: written by the
    database's triggers (migrations/stats), read (never removed) by the statistics.
    ``kind`` says what ``day`` is: ``local`` the site's local day (a ticket's),
    ``utc`` the UTC date of a place's start (a slot's, whose local day needs the zone)."""

    id: Serial

    site = Integer()
    kind = Varchar(length=8)
    day = Date()
    seq = Integer(default=1)  # raised by every further change of the day
