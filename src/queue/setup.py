"""Setting up a site's front desk: queues (with letters) and counters (work profiles).

A counter is added in one write transaction: its row, the queues it needs and its
work profile commit together or not at all. The unique indexes decide what may
exist once: a second counter of the same name at a site finds the insert refused
(409), and two set-ups racing for a site's next free letter cannot both get it.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from piccolo.engine.base import Engine

from wcr.catalogue import public as catalogue
from wcr.database import is_unique_violation, write_transaction
from wcr.errors import Conflict, ErrorCode, InvalidInput, NotFound, field_error

from . import repository as repo
from .records import CounterState

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
        raise InvalidInput.field(
            "services", "a counter serves at least one service", ErrorCode.NO_SERVICE_CHOSEN
        )
    async with write_transaction(engine):
        counter_id = await repo.insert_counter(site_row.id, name)
        if counter_id is None:
            raise Conflict(f"{site} has a counter {name!r} already")
        rows = [await catalogue.service_by_slug(s, field="services") for s in services]
        for row in rows:
            await _ensure_queue(site_row.id, row.id)
        await repo.insert_profile(counter_id, [row.id for row in rows])
    return counter_id


# --- counters as an admin sets them: names, services offered at the site, ranks -------

MAX_COUNTER_NAME = 64
MIN_RANK, MAX_RANK = 1, 9


@dataclass(frozen=True)
class CounterSetup:
    """A counter and its work profile: (service slug, rank) pairs, lower rank first."""

    id: int
    name: str
    state: CounterState
    profile: tuple[tuple[str, int], ...]


async def counters_of(site: catalogue.Site) -> list[CounterSetup]:
    """The site's counters, by name, with their work profiles."""
    counters = sorted(await repo.counters_at(site.id), key=lambda c: c.name.casefold())
    entries = await repo.profile_entries([c.id for c in counters])
    services = await catalogue.services_by_id(sorted({e.service_id for e in entries}))
    profiles: dict[int, list[tuple[str, int]]] = {}
    for entry in entries:
        slug = services[entry.service_id].slug if entry.service_id in services else "?"
        profiles.setdefault(entry.counter_id, []).append((slug, entry.rank))
    return [CounterSetup(c.id, c.name, c.state, tuple(profiles.get(c.id, []))) for c in counters]


async def counter_of(site: catalogue.Site, counter_id: int) -> CounterSetup:
    """One counter of the site; 404 for any other (also another site's)."""
    for counter in await counters_of(site):
        if counter.id == counter_id:
            return counter
    raise NotFound(
        f"no counter {counter_id} at {site.slug}",
        code=ErrorCode.NO_COUNTER,
        params={"id": counter_id, "site": site.slug},
    )


def _name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidInput.field("name", "required", ErrorCode.REQUIRED)
    if len(cleaned) > MAX_COUNTER_NAME:
        raise InvalidInput.field(
            "name", f"at most {MAX_COUNTER_NAME} characters", ErrorCode.TOO_LONG, n=MAX_COUNTER_NAME
        )
    return cleaned


async def _profile(
    site: catalogue.Site, profile: Sequence[tuple[str, int]]
) -> list[tuple[int, int]]:
    """(service id, rank) of a work profile, or 422: at least one service, each once,
    each offered at the site, ranks 1 to 9 (``ranks.<service>``)."""
    if not profile:
        raise InvalidInput.field(
            "services", "a counter serves at least one service", ErrorCode.NO_SERVICE_CHOSEN
        )
    offered = {s.slug: s for s in await catalogue.list_services(site)}
    ranked: list[tuple[int, int]] = []
    seen: set[str] = set()
    for slug, rank in profile:
        if slug in seen:
            raise InvalidInput.field(
                "services",
                f"{slug[:64]} is listed twice",
                ErrorCode.LISTED_TWICE,
                service=slug[:64],
            )
        seen.add(slug)
        if slug not in offered:
            raise catalogue.not_offered(site, slug)
        if not MIN_RANK <= rank <= MAX_RANK:
            raise InvalidInput.field(
                f"ranks.{slug}",
                f"from {MIN_RANK} to {MAX_RANK}",
                ErrorCode.OUT_OF_RANGE,
                least=MIN_RANK,
                most=MAX_RANK,
            )
        ranked.append((offered[slug].id, rank))
    return ranked


def _name_taken(site: catalogue.Site, name: str) -> Conflict:
    return Conflict(
        f"{site.slug} has a counter {name!r} already",
        errors=[field_error("name", "taken", ErrorCode.TAKEN)],
    )


async def create_counter(
    engine: Engine[Any], site: catalogue.Site, name: str, profile: Sequence[tuple[str, int]]
) -> int:
    """A counter of the site with that work profile (its queues made as needed)."""
    cleaned = _name(name)
    ranked = await _profile(site, profile)
    async with write_transaction(engine):
        counter_id = await repo.insert_counter(site.id, cleaned)
        if counter_id is None:
            raise _name_taken(site, cleaned)
        for service_id, _ in ranked:
            await _ensure_queue(site.id, service_id)
        await repo.replace_profile(counter_id, ranked)
    return counter_id


async def update_counter(
    engine: Engine[Any],
    site: catalogue.Site,
    counter_id: int,
    name: str,
    profile: Sequence[tuple[str, int]],
) -> None:
    """Rename the counter and give it this work profile; the desk's calls follow it
    from the next call on."""
    await counter_of(site, counter_id)
    cleaned = _name(name)
    ranked = await _profile(site, profile)
    try:
        async with write_transaction(engine):
            await repo.rename_counter(counter_id, cleaned)
            for service_id, _ in ranked:
                await _ensure_queue(site.id, service_id)
            await repo.replace_profile(counter_id, ranked)
    except Exception as error:
        if is_unique_violation(error):  # the unique index of names per site decides
            raise _name_taken(site, cleaned) from None
        raise
