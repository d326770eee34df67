"""What the statistics and the staff pages count of the waitlist: offers per service
and local day (made, claimed, lapsed), and the entries waiting per service."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

from . import repository as repo
from .records import HoldStatus, OfferDay


async def offer_days(site_id: int, tz: ZoneInfo, start: datetime, end: datetime) -> list[OfferDay]:
    """Offers of the site's places starting in [start, end), per service and local day
    of the place (in ``tz``): made, claimed, and run out unanswered."""
    tally: dict[tuple[int, date], list[int]] = defaultdict(lambda: [0, 0, 0])
    for fact in await repo.hold_facts(site_id, start, end):
        if fact.status == HoldStatus.WITHDRAWN:
            continue  # the agency withdrew the place: no offer the visitor could take
        counted = tally[fact.service_id, fact.starts_at.astimezone(tz).date()]
        counted[0] += 1
        counted[1] += fact.status == HoldStatus.CLAIMED
        counted[2] += fact.status == HoldStatus.EXPIRED
    return [
        OfferDay(service_id=service_id, day=day, offered=n[0], claimed=n[1], lapsed=n[2])
        for (service_id, day), n in sorted(tally.items())
    ]


async def waiting(
    site_id: int | None, service_ids: list[int], first: date | None = None, last: date | None = None
) -> dict[int, int]:
    """Entries on the list per service (of one site, or all; a one-stop entry in each
    of its services): all of them, or those that accept a day from ``first`` to ``last``."""
    return await repo.waiting_per_service(site_id, service_ids, first, last)
