"""Setting up a site's front desk: queues (with letters) and counters (work profiles)."""

from __future__ import annotations

import string
from collections.abc import Sequence

from wcr.catalogue import public as catalogue
from wcr.errors import Conflict, InvalidInput

from .tables import Counter, CounterService, SiteQueue


async def ensure_queue(site_id: int, service_id: int) -> str:
    """The service's queue letter at the site, given the next free letter if new."""
    row = (
        await SiteQueue.select(SiteQueue.letter)
        .where(SiteQueue.site == site_id, SiteQueue.service == service_id)
        .first()
    )
    if row:
        return str(row["letter"])
    used = {
        r["letter"]
        for r in await SiteQueue.select(SiteQueue.letter).where(SiteQueue.site == site_id)
    }
    free = [letter for letter in string.ascii_uppercase if letter not in used]
    if not free:
        raise Conflict("the site has 26 queues already")
    await SiteQueue.insert(SiteQueue(site=site_id, service=service_id, letter=free[0]))
    return free[0]


async def add_counter(site: str, name: str, services: Sequence[str]) -> int:
    """A counter serving ``services`` in that order of preference; returns its id."""
    site_row = await catalogue.site_by_slug(site)
    if not services:
        raise InvalidInput.field("services", "a counter serves at least one service")
    if await Counter.exists().where(Counter.site == site_row.id, Counter.name == name):
        raise Conflict(f"{site} has a counter {name!r} already")
    rows = [await catalogue.service_by_slug(s, field="services") for s in services]
    for row in rows:
        await ensure_queue(site_row.id, row.id)
    created = await Counter.insert(Counter(site=site_row.id, name=name)).returning(Counter.id)
    counter_id = int(created[0]["id"])
    await CounterService.insert(
        *(
            CounterService(counter=counter_id, service=row.id, rank=rank)
            for rank, row in enumerate(rows, start=1)
        )
    )
    return counter_id
