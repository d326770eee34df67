"""Today's figures of a site for the console: its local day so far."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from wcr.catalogue import public as catalogue
from wcr.clock import now

from . import repository as repo
from . import views
from .schemas import TodayView


async def today(site: catalogue.Site) -> TodayView:
    """Served, waiting, no-shows, the median wait and the longest wait now, for the
    site's local day (midnight to midnight in its zone, whatever the server's)."""
    at = now()
    day = at.astimezone(site.tz).date()
    start = datetime.combine(day, time(), tzinfo=site.tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=site.tz).astimezone(UTC)
    counts = await repo.day_counts(site.id, day, start, end)
    return views.today(site, day.isoformat(), counts, at)
