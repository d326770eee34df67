"""One-stop visits: packages, the rules of a site, and the itinerary search over the
free slots in the database (the algorithm itself is in :mod:`.itinerary`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from wcr.catalogue import service as catalogue
from wcr.catalogue.tables import OrderRule, Site
from wcr.errors import InvalidInput
from wcr.timezones import as_utc, local_range, zone

from . import repository as repo
from .availability import day_range
from .itinerary import FreeSlot, Itinerary, Rules, search, violations
from .repository import SlotFacts
from .tables import PackageService, VisitPackage

MIN_SERVICES, MAX_SERVICES = 2, 5
MAX_SEARCH_DAYS = 62
MAX_OPTIONS = 20


@dataclass(frozen=True)
class PackageInfo:
    slug: str
    names: dict[str, str]
    site: str
    services: list[str]


async def packages(site: str | None = None) -> list[PackageInfo]:
    query = VisitPackage.select(
        VisitPackage.id,
        VisitPackage.slug,
        VisitPackage.names,
        VisitPackage.site.slug.as_alias("site"),
    ).order_by(VisitPackage.slug)
    if site:
        query = query.where(VisitPackage.site.slug == site)
    rows = await query
    members = await PackageService.select(
        PackageService.package, PackageService.service.slug.as_alias("service")
    ).order_by(PackageService.position)
    services: dict[int, list[str]] = {}
    for member in members:
        services.setdefault(member["package"], []).append(member["service"])
    return [
        PackageInfo(
            slug=row["slug"],
            names=catalogue.json_value(row["names"]),
            site=row["site"],
            services=services.get(row["id"], []),
        )
        for row in rows
    ]


async def create_package(
    slug: str, site: str, names: dict[str, str], services: Sequence[str]
) -> bool:
    """Add a package unless one with that slug exists; False when it did."""
    if await VisitPackage.exists().where(VisitPackage.slug == slug):
        return False
    if not MIN_SERVICES <= len(services) <= MAX_SERVICES:
        raise InvalidInput.field("services", f"{MIN_SERVICES} to {MAX_SERVICES} services")
    site_row = await catalogue.site_by_slug(site)
    rows = [await catalogue.service_by_slug(s, field="services") for s in services]
    created = await VisitPackage.insert(
        VisitPackage(slug=slug, site=site_row["id"], names=json.dumps(names))
    ).returning(VisitPackage.id)
    await PackageService.insert(
        *(
            PackageService(package=created[0]["id"], service=row["id"], position=n)
            for n, row in enumerate(rows)
        )
    )
    return True


async def add_order_rule(before: str, after: str) -> bool:
    """``before`` must precede ``after`` in any visit with both; False if already known."""
    first = await catalogue.service_by_slug(before, field="before")
    second = await catalogue.service_by_slug(after, field="after")
    if first["id"] == second["id"]:
        raise InvalidInput.field("after", "a service cannot come before itself")
    pairs = await OrderRule.select(OrderRule.before, OrderRule.after)
    known = {(r["before"], r["after"]) for r in pairs}
    if (second["id"], first["id"]) in known:
        raise InvalidInput.field("after", f"{after} is already required before {before}")
    if (first["id"], second["id"]) in known:
        return False
    await OrderRule.insert(OrderRule(before=first["id"], after=second["id"]))
    return True


async def site_rules(site_id: int, service_ids: Sequence[int]) -> Rules:
    site = (
        await Site.select(Site.handover_minutes, Site.max_idle_minutes)
        .where(Site.id == site_id)
        .first()
    )
    rows = await OrderRule.select(
        OrderRule.before.slug.as_alias("before"), OrderRule.after.slug.as_alias("after")
    ).where(OrderRule.before.is_in(list(service_ids)), OrderRule.after.is_in(list(service_ids)))
    return Rules(
        gap=timedelta(minutes=site["handover_minutes"] if site else 5),
        max_idle=timedelta(minutes=site["max_idle_minutes"] if site else 60),
        order=frozenset((r["before"], r["after"]) for r in rows),
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
    rules = await site_rules(visit[0].site_id, [s.service_id for s in visit])
    problems = violations([_free(s) for s in visit], services, rules)
    if problems:
        raise InvalidInput.field("slot_ids", "; ".join(problems))


@dataclass(frozen=True)
class VisitRequest:
    site: dict[str, Any]
    services: list[dict[str, Any]]


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
    tz = zone(request.site["timezone"])
    first, last = day_range(first, last, tz, default_days=28)
    if (last - first).days >= MAX_SEARCH_DAYS:
        raise InvalidInput.field("to", f"search at most {MAX_SEARCH_DAYS} days at once")
    start, end = local_range(first, last, tz)
    slugs = {s["id"]: s["slug"] for s in request.services}
    # Only what the search needs, for every free slot; the full details only for the
    # few slots of the options found (bench/visit_search.py: loading was half the time).
    rows = await repo.free_slot_times(request.site["id"], list(slugs), start, end)
    free = [
        FreeSlot(
            id=row["id"],
            service=slugs[row["service"]],
            start=(begins := as_utc(row["starts_at"])),
            end=as_utc(row["ends_at"]),
            day=begins.astimezone(tz).date(),
        )
        for row in rows
    ]
    rules = await site_rules(request.site["id"], list(slugs))
    found = search(free, list(slugs.values()), rules, limit=min(limit, MAX_OPTIONS))
    return found, await repo.slots_by_id({s.id for option in found for s in option.slots})
