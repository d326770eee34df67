"""Every query of the catalogue: sites, agencies, services, order rules, agency keys."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from wcr.database import json_value
from wcr.timezones import as_utc

from .records import Agency, AgencyKeyInfo, OrderRuleInfo, Service, Site, SiteSettings
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


# --- what an admin sets (wcr.catalogue.sites, wcr.catalogue.offers) -------------------


def _site_values(settings: SiteSettings) -> dict[Any, Any]:
    return {
        SiteTable.name: settings.name,
        SiteTable.address: settings.address,
        SiteTable.timezone: settings.timezone,
        SiteTable.opening_hours: json.dumps(settings.opening_hours),
        SiteTable.handover_minutes: settings.handover_minutes,
        SiteTable.max_idle_minutes: settings.max_idle_minutes,
        SiteTable.checkin_early_minutes: settings.checkin_early_minutes,
        SiteTable.checkin_late_minutes: settings.checkin_late_minutes,
        SiteTable.max_recalls: settings.max_recalls,
    }


async def insert_site(slug: str, settings: SiteSettings) -> int:
    row = SiteTable(
        slug=slug,
        name=settings.name,
        address=settings.address,
        timezone=settings.timezone,
        opening_hours=json.dumps(settings.opening_hours),
        handover_minutes=settings.handover_minutes,
        max_idle_minutes=settings.max_idle_minutes,
        checkin_early_minutes=settings.checkin_early_minutes,
        checkin_late_minutes=settings.checkin_late_minutes,
        max_recalls=settings.max_recalls,
    )
    rows = await SiteTable.insert(row).returning(SiteTable.id)
    return int(rows[0]["id"])


async def update_site(slug: str, settings: SiteSettings) -> Site | None:
    rows = (
        await SiteTable.update(_site_values(settings))
        .where(SiteTable.slug == slug)
        .returning(*SiteTable.all_columns())
    )
    return _site(rows[0]) if rows else None


async def agencies_sites() -> dict[int, list[str]]:
    rows = await AgencySite.select(
        AgencySite.agency, AgencySite.site.slug.as_alias("site")
    ).order_by(AgencySite.site.slug)
    served: dict[int, list[str]] = {}
    for row in rows:
        served.setdefault(row["agency"], []).append(row["site"])
    return served


async def insert_agency(slug: str, name: str) -> int:
    rows = await AgencyTable.insert(AgencyTable(slug=slug, name=name)).returning(AgencyTable.id)
    return int(rows[0]["id"])


async def update_agency_name(agency_id: int, name: str) -> None:
    await AgencyTable.update({AgencyTable.name: name}).where(AgencyTable.id == agency_id)


async def delete_agency_site(agency_id: int, site_id: int) -> None:
    await AgencySite.delete().where(AgencySite.agency == agency_id, AgencySite.site == site_id)


async def services_of_agency_offered_at(agency_id: int, site_id: int) -> list[str]:
    """Slugs of the agency's services the site offers."""
    rows = (
        await ServiceSite.select(ServiceSite.service.slug.as_alias("slug"))
        .where(ServiceSite.site == site_id, ServiceSite.service.agency == agency_id)
        .order_by(ServiceSite.service.slug)
    )
    return [row["slug"] for row in rows]


async def insert_service(  # noqa: PLR0917 - the service's columns
    slug: str,
    agency_id: int,
    duration_minutes: int,
    names: dict[str, str],
    descriptions: dict[str, str],
    bring: dict[str, list[str]],
) -> int:
    rows = await ServiceTable.insert(
        ServiceTable(
            slug=slug,
            agency=agency_id,
            duration_minutes=duration_minutes,
            names=json.dumps(names, ensure_ascii=False),
            descriptions=json.dumps(descriptions, ensure_ascii=False),
            bring=json.dumps(bring, ensure_ascii=False),
        )
    ).returning(ServiceTable.id)
    return int(rows[0]["id"])


async def update_service(service_id: int, duration_minutes: int) -> None:
    await ServiceTable.update({ServiceTable.duration_minutes: duration_minutes}).where(
        ServiceTable.id == service_id
    )


async def site_ids_of_service(service_id: int) -> set[int]:
    rows = await ServiceSite.select(ServiceSite.site).where(ServiceSite.service == service_id)
    return {row["site"] for row in rows}


async def delete_service_site(service_id: int, site_id: int) -> None:
    await ServiceSite.delete().where(ServiceSite.service == service_id, ServiceSite.site == site_id)


async def order_rule_infos() -> list[OrderRuleInfo]:
    rows = await OrderRuleTable.select(
        OrderRuleTable.id,
        OrderRuleTable.before.slug.as_alias("before"),
        OrderRuleTable.after.slug.as_alias("after"),
    ).order_by(OrderRuleTable.id)
    return [OrderRuleInfo(id=r["id"], before=r["before"], after=r["after"]) for r in rows]


async def delete_order_rule(rule_id: int) -> bool:
    rows = (
        await OrderRuleTable.delete()
        .where(OrderRuleTable.id == rule_id)
        .returning(OrderRuleTable.id)
    )
    return bool(rows)


async def agency_keys(agency_id: int) -> list[AgencyKeyInfo]:
    rows = (
        await AgencyKey.select(AgencyKey.id, AgencyKey.created_at, AgencyKey.revoked_at)
        .where(AgencyKey.agency == agency_id)
        .order_by(AgencyKey.id, ascending=False)
    )
    return [
        AgencyKeyInfo(
            id=r["id"],
            created_at=as_utc(r["created_at"]),
            revoked_at=as_utc(r["revoked_at"]) if r["revoked_at"] else None,
        )
        for r in rows
    ]


async def revoke_agency_key(agency_id: int, key_id: int, at: datetime) -> bool:
    """False for a key of another agency, an unknown or an already revoked one."""
    rows = (
        await AgencyKey.update({AgencyKey.revoked_at: at})
        .where(
            AgencyKey.id == key_id,
            AgencyKey.agency == agency_id,
            AgencyKey.revoked_at.is_null(),
        )
        .returning(AgencyKey.id)
    )
    return bool(rows)
