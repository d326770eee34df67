"""Look-ups of sites, agencies and services by their public names, order rules, and
agency keys. A look-up that finds nothing raises: ``field`` names the request field at
fault (422), ``field=None`` means the name came from the URL path (404)."""

from __future__ import annotations

from typing import Any

from piccolo.engine.base import Engine

from wcr.database import is_unique_violation, write_transaction
from wcr.errors import ErrorCode, Forbidden, InvalidInput, NotFound, Unauthorized
from wcr.tokens import AGENCY_KEY_PREFIX, digest, new_agency_key

from . import repository as repo
from .records import Agency, Service, Site

_NO = {"site": ErrorCode.NO_SITE, "service": ErrorCode.NO_SERVICE, "agency": ErrorCode.NO_AGENCY}


def _missing(what: str, slug: str, field: str | None) -> Exception:
    if field is None:
        return NotFound(f"no {what} {slug!r}", code=_NO[what], params={"slug": slug})
    return InvalidInput.field(field, f"no {what} {slug!r}", _NO[what], slug=slug)


def not_offered(site: Site, slug: str, field: str = "services") -> InvalidInput:
    """The refusal of a service ``site`` does not offer (the slug cut to 64 characters:
    it comes from the request)."""
    return InvalidInput.field(
        field,
        f"{site.slug} does not offer {slug[:64]!r}",
        ErrorCode.SITE_NOT_OFFERING,
        site=site.slug,
        service=slug[:64],
    )


async def list_sites() -> list[Site]:
    return await repo.sites()


async def list_agencies() -> list[Agency]:
    return await repo.agencies()


async def list_services(site: Site | None = None) -> list[Service]:
    """Every service, or those ``site`` offers."""
    return await repo.services_offered_at(site.id) if site else await repo.services()


async def services_for_scripts(language: str) -> dict[str, dict[str, Any]]:
    """Every service's name and what to bring in ``language``, by slug, for a page's
    script; with the language a text fell back to (None: the page's own)."""
    found = {}
    for service in await repo.services():
        content = service.content(language)
        found[service.slug] = {
            "name": content.name,
            "name_lang": content.name_lang if content.name_lang != language else None,
            "bring": list(content.bring),
            "bring_lang": content.bring_lang if content.bring_lang != language else None,
        }
    return found


async def sites_of_services() -> dict[int, list[str]]:
    """Service id to the slugs of the sites that offer it."""
    return await repo.sites_of_services()


async def offer_service(service: Service, site: Site) -> bool:
    """The site offers the service (publishing a slot says so); False if it did.
    Runs in the caller's transaction."""
    return await repo.insert_service_site(service.id, site.id)


async def set_service_content(
    engine: Engine[Any],
    slug: str,
    *,
    names: dict[str, str],
    descriptions: dict[str, str],
    bring: dict[str, list[str]],
) -> None:
    """Replace a service's texts (name, description, what to bring) in every language."""
    service = await service_by_slug(slug, field=None)
    async with write_transaction(engine):
        await repo.update_service_content(service.id, names, descriptions, bring)


async def site_by_id(site_id: int) -> Site:
    site = await repo.site_by_id(site_id)
    if site is None:
        raise NotFound(f"no site {site_id}", code=ErrorCode.NO_SITE, params={"id": site_id})
    return site


async def site_by_slug(slug: str, *, field: str | None = "site") -> Site:
    site = await repo.site_by_slug(slug)
    if site is None:
        raise _missing("site", slug, field)
    return site


async def service_by_slug(slug: str, *, field: str | None = "service") -> Service:
    service = await repo.service_by_slug(slug)
    if service is None:
        raise _missing("service", slug, field)
    return service


async def agency_by_slug(slug: str, *, field: str | None = "agency") -> Agency:
    agency = await repo.agency_by_slug(slug)
    if agency is None:
        raise _missing("agency", slug, field)
    return agency


async def services_by_id(ids: list[int]) -> dict[int, Service]:
    return await repo.services_by_id(ids)


async def order_rules_among(service_ids: list[int]) -> frozenset[tuple[str, str]]:
    return await repo.order_rules_among(service_ids)


async def _insert_rule(first: Service, second: Service) -> bool:
    known = await repo.order_rules()
    if (second.id, first.id) in known:
        raise InvalidInput.field(
            "after",
            f"{second.slug} is already required before {first.slug}",
            ErrorCode.ORDER_REVERSED,
            after=second.slug,
            before=first.slug,
        )
    if (first.id, second.id) in known:
        return False
    await repo.insert_order_rule(first.id, second.id)
    return True


async def add_order_rule(engine: Engine[Any], before: str, after: str) -> bool:
    """``before`` must precede ``after`` in any visit with both; False if already known."""
    first = await service_by_slug(before, field="before")
    second = await service_by_slug(after, field="after")
    if first.id == second.id:
        raise InvalidInput.field(
            "after", "a service cannot come before itself", ErrorCode.SAME_SERVICE
        )
    try:
        async with write_transaction(engine):
            return await _insert_rule(first, second)
    except Exception as error:
        if is_unique_violation(error):  # the same rule added at the same moment
            return False
        raise


async def serve_site(agency_slug: str, site_slug: str) -> bool:
    """Let the agency publish at the site; False when it did already."""
    agency = await agency_by_slug(agency_slug)
    site = await site_by_slug(site_slug)
    return await repo.insert_agency_site(agency.id, site.id)


async def sites_served(agency: Agency) -> list[Site]:
    return await repo.sites_served(agency.id)


async def ensure_serves(agency: Agency, site: Site) -> None:
    if not await repo.serves(agency.id, site.id):
        raise Forbidden(f"{agency.slug} does not serve the site {site.slug}")


async def create_agency_key(agency_slug: str) -> str:
    agency = await agency_by_slug(agency_slug, field=None)
    key = new_agency_key()
    await repo.insert_agency_key(agency.id, digest(key))
    return key


async def agency_for_key(key: str) -> Agency:
    """The agency a bearer key belongs to; looked up by the key's hash, never the key."""
    if not key.startswith(AGENCY_KEY_PREFIX):
        raise Unauthorized("not an agency key")
    agency = await repo.agency_for_key_hash(digest(key))
    if agency is None:
        raise Unauthorized("unknown or revoked agency key")
    return agency
