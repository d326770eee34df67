"""Every query of the catalogue: sites, agencies, services, order rules, agency keys."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from wcr.database import json_value

from .records import Agency, Service, Site
from .tables import Agency as AgencyTable
from .tables import AgencyKey, AgencySite, ServiceSite
from .tables import OrderRule as OrderRuleTable
from .tables import Service as ServiceTable
from .tables import Site as SiteTable


def _site(row: dict[str, Any]) -> Site:
    return Site(
        id=row["id"],
        slug=row["slug"],
        name=row["name"],
        address=row["address"],
        timezone=row["timezone"],
        opening_hours=json_value(row["opening_hours"]),
        handover_minutes=row["handover_minutes"],
        max_idle_minutes=row["max_idle_minutes"],
        checkin_early_minutes=row["checkin_early_minutes"],
        checkin_late_minutes=row["checkin_late_minutes"],
        max_recalls=row["max_recalls"],
    )


def _agency(row: dict[str, Any]) -> Agency:
    return Agency(id=row["id"], slug=row["slug"], name=row["name"])


def _service(row: dict[str, Any]) -> Service:
    return Service(
        id=row["id"],
        slug=row["slug"],
        agency_id=row["agency"],
        agency=row["agency_slug"],
        duration_minutes=row["duration_minutes"],
        names=json_value(row["names"]),
        descriptions=json_value(row["descriptions"]),
        bring=json_value(row["bring"]),
    )


def _services() -> Any:
    return ServiceTable.select(
        *ServiceTable.all_columns(), ServiceTable.agency.slug.as_alias("agency_slug")
    )


async def sites() -> list[Site]:
    return [_site(row) for row in await SiteTable.select().order_by(SiteTable.name)]


async def site_by_slug(slug: str) -> Site | None:
    row = await SiteTable.select().where(SiteTable.slug == slug).first()
    return _site(row) if row else None


async def site_by_id(site_id: int) -> Site | None:
    row = await SiteTable.select().where(SiteTable.id == site_id).first()
    return _site(row) if row else None


async def agencies() -> list[Agency]:
    return [_agency(row) for row in await AgencyTable.select().order_by(AgencyTable.name)]


async def agency_by_slug(slug: str) -> Agency | None:
    row = await AgencyTable.select().where(AgencyTable.slug == slug).first()
    return _agency(row) if row else None


async def services() -> list[Service]:
    return [_service(row) for row in await _services().order_by(ServiceTable.slug)]


async def services_offered_at(site_id: int) -> list[Service]:
    """The services the site offers (``service_site``), by slug."""
    offered = await ServiceSite.select(ServiceSite.service).where(ServiceSite.site == site_id)
    if not offered:
        return []
    rows = (
        await _services()
        .where(ServiceTable.id.is_in([r["service"] for r in offered]))
        .order_by(ServiceTable.slug)
    )
    return [_service(row) for row in rows]


async def sites_of_services() -> dict[int, list[str]]:
    """Service id to the slugs of the sites offering it, by slug."""
    rows = await ServiceSite.select(
        ServiceSite.service, ServiceSite.site.slug.as_alias("site")
    ).order_by(ServiceSite.site.slug)
    sites: dict[int, list[str]] = {}
    for row in rows:
        sites.setdefault(row["service"], []).append(row["site"])
    return sites


async def insert_service_site(service_id: int, site_id: int) -> bool:
    """False when the site offered the service already (the unique index decides)."""
    rows = await ServiceSite.raw(
        "INSERT INTO service_site (service, site) VALUES ({}, {}) "
        "ON CONFLICT (service, site) DO NOTHING RETURNING id",
        service_id,
        site_id,
    )
    return bool(rows)


async def update_service_content(
    service_id: int,
    names: dict[str, str],
    descriptions: dict[str, str],
    bring: dict[str, list[str]],
) -> None:
    await ServiceTable.update(
        {
            ServiceTable.names: json.dumps(names, ensure_ascii=False),
            ServiceTable.descriptions: json.dumps(descriptions, ensure_ascii=False),
            ServiceTable.bring: json.dumps(bring, ensure_ascii=False),
        }
    ).where(ServiceTable.id == service_id)


async def service_by_slug(slug: str) -> Service | None:
    row = await _services().where(ServiceTable.slug == slug).first()
    return _service(row) if row else None


async def services_by_id(ids: Sequence[int]) -> dict[int, Service]:
    if not ids:
        return {}
    rows = await _services().where(ServiceTable.id.is_in(list(ids)))
    return {row["id"]: _service(row) for row in rows}


async def order_rules() -> set[tuple[int, int]]:
    """Every (before, after) pair of service ids."""
    rows = await OrderRuleTable.select(OrderRuleTable.before, OrderRuleTable.after)
    return {(r["before"], r["after"]) for r in rows}


async def order_rules_among(service_ids: Sequence[int]) -> frozenset[tuple[str, str]]:
    """(before, after) pairs of service slugs among ``service_ids``."""
    ids = list(service_ids)
    rows = await OrderRuleTable.select(
        OrderRuleTable.before.slug.as_alias("before"),
        OrderRuleTable.after.slug.as_alias("after"),
    ).where(OrderRuleTable.before.is_in(ids), OrderRuleTable.after.is_in(ids))
    return frozenset((r["before"], r["after"]) for r in rows)


async def insert_order_rule(before_id: int, after_id: int) -> None:
    await OrderRuleTable.insert(OrderRuleTable(before=before_id, after=after_id))


async def serves(agency_id: int, site_id: int) -> bool:
    return bool(
        await AgencySite.exists().where(AgencySite.agency == agency_id, AgencySite.site == site_id)
    )


async def sites_served(agency_id: int) -> list[Site]:
    ids = await AgencySite.select(AgencySite.site).where(AgencySite.agency == agency_id)
    if not ids:
        return []
    rows = (
        await SiteTable.select()
        .where(SiteTable.id.is_in([r["site"] for r in ids]))
        .order_by(SiteTable.name)
    )
    return [_site(row) for row in rows]


async def insert_agency_site(agency_id: int, site_id: int) -> bool:
    """False when the agency served the site already (the unique index decides)."""
    rows = await AgencySite.raw(
        "INSERT INTO agency_site (agency, site) VALUES ({}, {}) "
        "ON CONFLICT (agency, site) DO NOTHING RETURNING id",
        agency_id,
        site_id,
    )
    return bool(rows)


async def insert_agency_key(agency_id: int, key_hash: str) -> None:
    await AgencyKey.insert(AgencyKey(agency=agency_id, key_hash=key_hash))


async def agency_for_key_hash(key_hash: str) -> Agency | None:
    row = (
        await AgencyKey.select(
            AgencyKey.agency.id.as_alias("id"),
            AgencyKey.agency.slug.as_alias("slug"),
            AgencyKey.agency.name.as_alias("name"),
        )
        .where(AgencyKey.key_hash == key_hash, AgencyKey.revoked_at.is_null())
        .first()
    )
    return _agency(row) if row else None
