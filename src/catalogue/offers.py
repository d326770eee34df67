"""Who offers what where, as an admin sets it: agencies and the sites they serve,
services (their texts in every language, their agency, the sites that offer them),
order rules, and the agencies' API keys.

The rules, each answered with 422 naming the field:

- a service belongs to an agency (``agency``) and keeps it: slots, keys and feeds
  are the agency's, so another agency's service is a new service;
- a service has a name in German and in English at least (``names.de``,
  ``names.en``), texts only in the languages the pages speak;
- a site offers a service only where the service's agency serves (``sites``), and
  an agency stops serving a site only once none of its services is offered there.

Slugs are unique: the database decides (409 naming ``slug``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from piccolo.engine.base import Engine

from wcr.clock import now
from wcr.config import SUPPORTED_LANGUAGES
from wcr.database import is_unique_violation, write_transaction
from wcr.errors import Conflict, ErrorCode, InvalidInput, NotFound, field_error

from . import repository as repo
from .records import Agency, AgencyKeyInfo, OrderRuleInfo, Service, ServiceDraft, Site
from .service import agency_by_slug, service_by_slug, site_by_slug
from .sites import MAX_NAME, check_slug

REQUIRED_NAMES = ("de", "en")
MAX_DESCRIPTION = 2000
MAX_ITEM = 200
MAX_ITEMS = 20
MIN_DURATION, MAX_DURATION = 5, 480


def _taken(what: str, slug: str) -> Conflict:
    return Conflict(
        f"there is {what} {slug!r} already",
        errors=[field_error("slug", "taken", ErrorCode.TAKEN)],
    )


def _name(value: str, field: str) -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise InvalidInput.field(field, "required", ErrorCode.REQUIRED)
    if len(cleaned) > MAX_NAME:
        raise InvalidInput.field(
            field, f"at most {MAX_NAME} characters", ErrorCode.TOO_LONG, n=MAX_NAME
        )
    return cleaned


def _languages(texts: dict[str, Any], field: str) -> None:
    for code in texts:
        if code not in SUPPORTED_LANGUAGES:
            raise InvalidInput.field(
                f"{field}.{code}"[:80], "one of " + ", ".join(SUPPORTED_LANGUAGES)
            )


def check_content(
    names: dict[str, str], descriptions: dict[str, str], bring: dict[str, list[str]]
) -> tuple[dict[str, str], dict[str, str], dict[str, list[str]]]:
    """A service's texts cleaned (blank ones left out), or 422 naming the text."""
    _languages(names, "names")
    _languages(descriptions, "descriptions")
    _languages(bring, "bring")
    clean_names = {}
    for code in SUPPORTED_LANGUAGES:
        given = " ".join(names.get(code, "").split())
        if code in REQUIRED_NAMES or given:
            clean_names[code] = _name(given, f"names.{code}")
    clean_descriptions = {}
    for code, text in descriptions.items():
        if len(text.strip()) > MAX_DESCRIPTION:
            raise InvalidInput.field(
                f"descriptions.{code}",
                f"at most {MAX_DESCRIPTION} characters",
                ErrorCode.TOO_LONG,
                n=MAX_DESCRIPTION,
            )
        if text.strip():
            clean_descriptions[code] = text.strip()
    clean_bring = {}
    for code, items in bring.items():
        kept = [" ".join(item.split()) for item in items if item.strip()]
        if len(kept) > MAX_ITEMS:
            raise InvalidInput.field(
                f"bring.{code}",
                f"at most {MAX_ITEMS} things",
                ErrorCode.TOO_MANY_ITEMS,
                n=MAX_ITEMS,
            )
        if any(len(item) > MAX_ITEM for item in kept):
            raise InvalidInput.field(
                f"bring.{code}",
                f"at most {MAX_ITEM} characters a line",
                ErrorCode.LINE_TOO_LONG,
                n=MAX_ITEM,
            )
        if kept:
            clean_bring[code] = kept
    return clean_names, clean_descriptions, clean_bring


async def _sites(slugs: Sequence[str]) -> list[Site]:
    """The named sites, each once, in the order given; 422 on ``sites`` for an unknown."""
    found: dict[str, Site] = {}
    for slug in slugs:
        if slug not in found:
            found[slug] = await site_by_slug(slug, field="sites")
    return list(found.values())


# --- agencies -------------------------------------------------------------------------


async def agencies_sites() -> dict[int, list[str]]:
    """Agency id to the slugs of the sites it serves."""
    return await repo.agencies_sites()


async def create_agency(engine: Engine[Any], slug: str, name: str, sites: Sequence[str]) -> Agency:
    check_slug(slug)
    cleaned = _name(name, "name")
    served = await _sites(sites)
    try:
        async with write_transaction(engine):
            agency_id = await repo.insert_agency(slug, cleaned)
            for site in served:
                await repo.insert_agency_site(agency_id, site.id)
    except Exception as error:
        if is_unique_violation(error):
            raise _taken("an agency", slug) from None
        raise
    return Agency(id=agency_id, slug=slug, name=cleaned)


async def update_agency(engine: Engine[Any], slug: str, name: str, sites: Sequence[str]) -> Agency:
    """Its name, and the sites it serves (exactly ``sites`` afterwards)."""
    agency = await agency_by_slug(slug, field=None)
    cleaned = _name(name, "name")
    wanted = {site.id: site for site in await _sites(sites)}
    async with write_transaction(engine):
        served = {site.id: site for site in await repo.sites_served(agency.id)}
        for site_id, site in served.items():
            if site_id in wanted:
                continue
            still = await repo.services_of_agency_offered_at(agency.id, site_id)
            if still:
                services = ", ".join(still)
                raise InvalidInput.field(
                    "sites",
                    f"{site.slug} still offers {services}; take the service off that site first",
                    ErrorCode.SITE_STILL_OFFERS,
                    site=site.slug,
                    services=services,
                )
            await repo.delete_agency_site(agency.id, site_id)
        for site_id in wanted.keys() - served.keys():
            await repo.insert_agency_site(agency.id, site_id)
        await repo.update_agency_name(agency.id, cleaned)
    return Agency(id=agency.id, slug=agency.slug, name=cleaned)


# --- services -------------------------------------------------------------------------


def _duration(minutes: int) -> int:
    if not MIN_DURATION <= minutes <= MAX_DURATION:
        raise InvalidInput.field(
            "duration_minutes",
            f"from {MIN_DURATION} to {MAX_DURATION}",
            ErrorCode.OUT_OF_RANGE,
            least=MIN_DURATION,
            most=MAX_DURATION,
        )
    return minutes


async def _offering_sites(agency: Agency, slugs: Sequence[str]) -> list[Site]:
    sites = await _sites(slugs)
    served = {site.id for site in await repo.sites_served(agency.id)}
    for site in sites:
        if site.id not in served:
            raise InvalidInput.field(
                "sites",
                f"{agency.slug} does not serve {site.slug}; let it serve the site first",
                ErrorCode.AGENCY_NOT_SERVING,
                agency=agency.slug,
                site=site.slug,
            )
    return sites


async def create_service(
    engine: Engine[Any], slug: str, agency: str | None, draft: ServiceDraft
) -> Service:
    check_slug(slug)
    if not agency:
        raise InvalidInput.field(
            "agency", "a service needs the agency that provides it", ErrorCode.AGENCY_REQUIRED
        )
    provider = await agency_by_slug(agency, field="agency")
    minutes = _duration(draft.duration_minutes)
    names, descriptions, bring = check_content(draft.names, draft.descriptions, draft.bring)
    sites = await _offering_sites(provider, draft.sites)
    try:
        async with write_transaction(engine):
            service_id = await repo.insert_service(
                slug, provider.id, minutes, names, descriptions, bring
            )
            for site in sites:
                await repo.insert_service_site(service_id, site.id)
    except Exception as error:
        if is_unique_violation(error):
            raise _taken("a service", slug) from None
        raise
    return await service_by_slug(slug, field=None)


async def update_service(engine: Engine[Any], slug: str, draft: ServiceDraft) -> Service:
    """Its length, texts and the sites that offer it (exactly ``draft.sites`` after)."""
    service = await service_by_slug(slug, field=None)
    provider = await agency_by_slug(service.agency, field=None)
    minutes = _duration(draft.duration_minutes)
    names, descriptions, bring = check_content(draft.names, draft.descriptions, draft.bring)
    wanted = {site.id for site in await _offering_sites(provider, draft.sites)}
    async with write_transaction(engine):
        offered = await repo.site_ids_of_service(service.id)
        for site_id in offered - wanted:
            await repo.delete_service_site(service.id, site_id)
        for site_id in wanted - offered:
            await repo.insert_service_site(service.id, site_id)
        await repo.update_service(service.id, minutes)
        await repo.update_service_content(service.id, names, descriptions, bring)
    return await service_by_slug(slug, field=None)


# --- order rules ----------------------------------------------------------------------


async def order_rule_list() -> list[OrderRuleInfo]:
    return await repo.order_rule_infos()


async def remove_order_rule(engine: Engine[Any], rule_id: int) -> None:
    async with write_transaction(engine):
        if not await repo.delete_order_rule(rule_id):
            raise NotFound(
                f"no order rule {rule_id}", code=ErrorCode.NO_ORDER_RULE, params={"id": rule_id}
            )


# --- agency keys ----------------------------------------------------------------------


async def agency_keys(agency: Agency) -> list[AgencyKeyInfo]:
    return await repo.agency_keys(agency.id)


async def revoke_agency_key(engine: Engine[Any], agency: Agency, key_id: int) -> None:
    """The key stops working at once; 404 for a key of another agency or one revoked."""
    async with write_transaction(engine):
        if not await repo.revoke_agency_key(agency.id, key_id, now()):
            raise NotFound(
                f"no live key {key_id} of {agency.slug}",
                code=ErrorCode.NO_LIVE_KEY,
                params={"id": key_id, "agency": agency.slug},
            )
