"""Setting up a site's front desk: queues (with letters) and counters (work profiles).

A counter is added in one write transaction: its row, the queues it needs and its
work profile commit together or not at all. The unique indexes decide what may
exist once: a second counter of the same name at a site finds the insert refused
(409), and two set-ups racing for a site's next free letter cannot both get it.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from typing import Any

from piccolo.engine.base import Engine

from wcr.catalogue import public as catalogue
from wcr.database import write_transaction
from wcr.errors import Conflict, InvalidInput

from . import repository as repo

LETTERS = string.ascii_uppercase


async def _ensure_queue(site_id: int, service_id: int) -> str:
    """The service's queue letter at the site, given the next free letter if new.
    Inside the caller's transaction; a letter taken meanwhile is passed over."""
    for _ in range(len(LETTERS) + 1):
        known = await repo.letters(site_id)
        if service_id in known:
            return known[service_id]
        free = [letter for letter in LETTERS if letter not in known.values()]
        if not free:
            raise Conflict("the site has 26 queues already")
        if await repo.insert_queue(site_id, service_id, free[0]):
            return free[0]
    raise Conflict("the site's queues are being changed; please try again")


async def add_counter(engine: Engine[Any], site: str, name: str, services: Sequence[str]) -> int:
    """A counter serving ``services`` in that order of preference; returns its id."""
    site_row = await catalogue.site_by_slug(site)
    if not services:
        raise InvalidInput.field("services", "a counter serves at least one service")
    async with write_transaction(engine):
        counter_id = await repo.insert_counter(site_row.id, name)
        if counter_id is None:
            raise Conflict(f"{site} has a counter {name!r} already")
        rows = [await catalogue.service_by_slug(s, field="services") for s in services]
        for row in rows:
            await _ensure_queue(site_row.id, row.id)
        await repo.insert_profile(counter_id, [row.id for row in rows])
    return counter_id
