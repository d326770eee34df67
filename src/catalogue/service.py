"""Look-ups of sites, agencies, services and agency keys by their public names."""

from __future__ import annotations

import json
from typing import Any

from wcr.errors import InvalidInput, NotFound, Unauthorized
from wcr.tokens import AGENCY_KEY_PREFIX, digest, new_agency_key

from .tables import Agency, AgencyKey, Service, Site


def json_value(value: Any) -> dict[str, Any]:
    """JSON columns come back as text from SQLite and as text or dicts from asyncpg."""
    return json.loads(value) if isinstance(value, str) else dict(value or {})


def localised(names: dict[str, str], language: str, fallback: str) -> str:
    return names.get(language) or names.get("en") or names.get("de") or fallback


async def list_sites() -> list[dict[str, Any]]:
    rows = await Site.select().order_by(Site.name)
    for row in rows:
        row["opening_hours"] = json_value(row["opening_hours"])
    return rows


async def list_agencies() -> list[dict[str, Any]]:
    return await Agency.select().order_by(Agency.name)


async def list_services() -> list[dict[str, Any]]:
    rows = await Service.select(
        *Service.all_columns(), Service.agency.slug.as_alias("agency_slug")
    ).order_by(Service.slug)
    for row in rows:
        row["names"] = json_value(row["names"])
    return rows


async def _by_slug(table: type[Any], slug: str, what: str, field: str | None) -> dict[str, Any]:
    row = await table.select().where(table.slug == slug).first()
    if row is None:
        if field is None:
            raise NotFound(f"no {what} {slug!r}")
        raise InvalidInput.field(field, f"no {what} {slug!r}")
    return row


async def site_by_id(site_id: int) -> dict[str, Any]:
    row = await Site.select().where(Site.id == site_id).first()
    if row is None:
        raise NotFound(f"no site {site_id}")
    return row


async def site_by_slug(slug: str, *, field: str | None = "site") -> dict[str, Any]:
    return await _by_slug(Site, slug, "site", field)


async def service_by_slug(slug: str, *, field: str | None = "service") -> dict[str, Any]:
    row = await _by_slug(Service, slug, "service", field)
    row["names"] = json_value(row["names"])
    return row


async def agency_by_slug(slug: str, *, field: str | None = "agency") -> dict[str, Any]:
    return await _by_slug(Agency, slug, "agency", field)


async def create_agency_key(agency_slug: str) -> str:
    agency = await agency_by_slug(agency_slug, field=None)
    key = new_agency_key()
    await AgencyKey.insert(AgencyKey(agency=agency["id"], key_hash=digest(key)))
    return key


async def agency_for_key(key: str) -> dict[str, Any]:
    """The agency a bearer key belongs to; looked up by the key's hash, never the key."""
    if not key.startswith(AGENCY_KEY_PREFIX):
        raise Unauthorized("not an agency key")
    row = (
        await AgencyKey.select(
            AgencyKey.agency.id.as_alias("id"),
            AgencyKey.agency.slug.as_alias("slug"),
            AgencyKey.agency.name.as_alias("name"),
        )
        .where(AgencyKey.key_hash == digest(key), AgencyKey.revoked_at.is_null())
        .first()
    )
    if row is None:
        raise Unauthorized("unknown or revoked agency key")
    return row
