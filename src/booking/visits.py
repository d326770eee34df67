"""One-stop visits: packages, the rules of a site, and the itinerary search over the
free slots in the database (the algorithm itself is in :mod:`.itinerary`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from piccolo.engine.base import Engine

from wcr.catalogue import public as catalogue
from wcr.database import is_unique_violation, write_transaction
from wcr.errors import InvalidInput
from wcr.timezones import local_range

from . import repository as repo
from .availability import day_range
from .itinerary import FreeSlot, Itinerary, Rules, search, violations
from .records import PackageInfo, SlotFacts

MIN_SERVICES, MAX_SERVICES = 2, 5
MAX_SEARCH_DAYS = 62
MAX_OPTIONS = 20


async def packages(site: str | None = None) -> list[PackageInfo]:
    return await repo.packages(site)


async def create_package(
    engine: Engine[Any], slug: str, site: str, names: dict[str, str], services: Sequence[str]
) -> bool:
    """Add a package unless one with that slug exists; False when it did (whatever else
    was asked: `wcr package-add` may be run again with the same line)."""
    if await repo.package_exists(slug):
        return False
    if not MIN_SERVICES <= len(services) <= MAX_SERVICES:
        raise InvalidInput.field("services", f"{MIN_SERVICES} to {MAX_SERVICES} services")
    site_row = await catalogue.site_by_slug(site)
    rows = [await catalogue.service_by_slug(s, field="services") for s in services]
    try:
        async with write_transaction(engine):
            await repo.insert_package(slug, site_row.id, names, [row.id for row in rows])
    except Exception as error:
        if is_unique_violation(error):  # the unique slug decides a race
            return False
        raise
    return True


async def site_rules(site: catalogue.Site, service_ids: Sequence[int]) -> Rules:
    return Rules(
        gap=timedelta(minutes=site.handover_minutes),
        max_idle=timedelta(minutes=site.max_idle_minutes),
        order=await catalogue.order_rules_among(list(service_ids)),
    )


def _free(slot: SlotFacts) -> FreeSlot:
    return FreeSlot(
        id=slot.id,
        service=slot.service,
        start=slot.starts_at,
        end=slot.ends_at,
        day=slot.starts_at.astimezone(slot.tz).date(),
    )


async def check_visit(visit: list[SlotFacts]) -> None:
    """Refuse a multi-slot booking that breaks the site's one-stop rules."""
    if len(visit) < MIN_SERVICES:
        return
    services = [s.service for s in visit]
    if len(set(services)) != len(services):
        raise InvalidInput.field("slot_ids", "one appointment per service in a visit")
    site = await catalogue.site_by_id(visit[0].site_id)
    rules = await site_rules(site, [s.service_id for s in visit])
    problems = violations([_free(s) for s in visit], services, rules)
    if problems:
        raise InvalidInput.field("slot_ids", "; ".join(problems))


@dataclass(frozen=True)
class VisitRequest:
    site: catalogue.Site
    services: list[catalogue.Service]


async def resolve(site: str | None, services: str | None, package: str | None) -> VisitRequest:
    """What to search for: a package, or a site and 2-5 services of the visitor's choice."""
    if package:
        found = [p for p in await packages() if p.slug == package]
        if not found:
            raise InvalidInput.field("package", f"no package {package!r}")
        if site and site != found[0].site:
            raise InvalidInput.field(
                "site", f"the package {package!r} is offered at {found[0].site}"
            )
        site, slugs = found[0].site, found[0].services
    else:
        if not site:
            raise InvalidInput.field("site", "give a site (or a package)")
        slugs = [s.strip() for s in (services or "").split(",") if s.strip()]
    if not MIN_SERVICES <= len(set(slugs)) <= MAX_SERVICES or len(set(slugs)) != len(slugs):
        raise InvalidInput.field(
            "services", f"{MIN_SERVICES} to {MAX_SERVICES} different services, comma-separated"
        )
    site_row = await catalogue.site_by_slug(site)
    rows = [await catalogue.service_by_slug(slug, field="services") for slug in slugs]
    return VisitRequest(site=site_row, services=rows)


async def options(
    request: VisitRequest, first: date | None, last: date | None, limit: int
) -> tuple[list[Itinerary], dict[int, SlotFacts]]:
    tz = request.site.tz
    first, last = day_range(first, last, tz, default_days=28)
    if (last - first).days >= MAX_SEARCH_DAYS:
        raise InvalidInput.field("to", f"search at most {MAX_SEARCH_DAYS} days at once")
    start, end = local_range(first, last, tz)
    slugs = {s.id: s.slug for s in request.services}
    # Only what the search needs, for every free slot; the full details only for the
    # few slots of the options found (bench/visit_search.py: loading was half the time).
    times = await repo.free_slot_times(request.site.id, list(slugs), start, end)
    free = [
        FreeSlot(
            id=slot.id,
            service=slugs[slot.service_id],
            start=slot.starts_at,
            end=slot.ends_at,
            day=slot.starts_at.astimezone(tz).date(),
        )
        for slot in times
    ]
    rules = await site_rules(request.site, list(slugs))
    found = search(free, list(slugs.values()), rules, limit=min(limit, MAX_OPTIONS))
    return found, await repo.slots_by_id({s.id for option in found for s in option.slots})
