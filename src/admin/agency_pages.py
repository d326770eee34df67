"""Agencies (admins only): the list, a new agency, its name and the sites it serves,
its API keys and its calendar feed. A key or a feed's address is shown once, on the
page that answers the minting; only its hash is kept (``wcr agency-key`` and
``wcr agency-feed`` do the same)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from piccolo.engine.base import Engine

from wcr.audit import public as audit
from wcr.booking import public as booking
from wcr.catalogue import public as catalogue
from wcr.config import Settings
from wcr.i18n import Language
from wcr.timezones import zone

from . import history
from .base import AdminController, IdPath, LangPath, SlugPath
from .page import AdminPage

AnyRequest = Request[Any, Any, Any]
EngineDep = NamedDependency[Engine[Any]]
# Times on these pages are the admin's: the centres are in Germany.
SHOWN_IN = zone("Europe/Berlin")


def labels(lang: Language) -> dict[str, str]:
    _ = lang.gettext
    return {
        "slug": _("Short name (in web addresses)"),
        "name": _("Name"),
        "sites": _("Sites it serves"),
    }


def when(lang: Language, moment: Any) -> str:
    return f"{lang.short_day(moment.astimezone(SHOWN_IN).date())} {lang.time(moment, SHOWN_IN)}"


class AgencyPages(AdminController):
    @get("/{lang:str}/admin/agencies", operation_id="adminAgencies")
    async def agencies(self, request: AnyRequest, lang: LangPath) -> Template:
        page = await AdminPage.open(request, lang)
        page.need_admin()
        served = await catalogue.offers.agencies_sites()
        return await page.render(
            "admin/agencies.html",
            agencies=[(a, served.get(a.id, [])) for a in await catalogue.list_agencies()],
        )

    @get("/{lang:str}/admin/agencies/new", operation_id="adminNewAgency")
    async def new(self, request: AnyRequest, lang: LangPath) -> Template:
        page = await AdminPage.open(request, lang)
        page.need_admin()
        return await self._form(page, None, slug="", name="", sites=[])

    @post("/{lang:str}/admin/agencies", operation_id="adminCreateAgency", status_code=303)
    async def create(
        self, request: AnyRequest, lang: LangPath, engine: EngineDep
    ) -> Template | Redirect:
        page = await AdminPage.posted(request, lang)
        page.need_admin()
        slug, name, sites = (
            page.text("slug", 100).strip(),
            page.text("name", 400),
            page.texts("sites"),
        )
        created, errors = await page.attempt(
            catalogue.offers.create_agency(engine, slug, name, sites), labels(page.lang)
        )
        if created is None:
            return await self._form(page, None, slug=slug, name=name, sites=sites, errors=errors)
        audit.describe(request, "agency", created.slug)
        return page.redirect(f"agencies/{created.slug}")

    @get("/{lang:str}/admin/agencies/{agency:str}", operation_id="adminAgency")
    async def edit(self, request: AnyRequest, lang: LangPath, agency: SlugPath) -> Template:
        page = await AdminPage.open(request, lang)
        page.need_admin()
        found = await catalogue.agency_by_slug(agency, field=None)
        served = [s.slug for s in await catalogue.sites_served(found)]
        return await self._form(page, found, slug=found.slug, name=found.name, sites=served)

    @post(
        "/{lang:str}/admin/agencies/{agency:str}", operation_id="adminUpdateAgency", status_code=303
    )
    async def update(
        self, request: AnyRequest, lang: LangPath, agency: SlugPath, engine: EngineDep
    ) -> Template | Redirect:
        page = await AdminPage.posted(request, lang)
        page.need_admin()
        found = await catalogue.agency_by_slug(agency, field=None)
        name, sites = page.text("name", 400), page.texts("sites")
        updated, errors = await page.attempt(
            catalogue.offers.update_agency(engine, found.slug, name, sites), labels(page.lang)
        )
        if updated is None:
            return await self._form(
                page, found, slug=found.slug, name=name, sites=sites, errors=errors
            )
        return page.redirect(f"agencies/{found.slug}")

    # --- keys and the feed ------------------------------------------------------------

    @post("/{lang:str}/admin/agencies/{agency:str}/keys", operation_id="adminMintAgencyKey")
    async def mint_key(self, request: AnyRequest, lang: LangPath, agency: SlugPath) -> Template:
        page = await AdminPage.posted(request, lang)
        page.need_admin()
        found = await catalogue.agency_by_slug(agency, field=None)
        key = await catalogue.create_agency_key(found.slug)
        return await self._page(page, found, minted_key=key)

    @post(
        "/{lang:str}/admin/agencies/{agency:str}/keys/{key_id:int}/revoke",
        operation_id="adminRevokeAgencyKey",
        status_code=303,
    )
    async def revoke_key(
        self,
        request: AnyRequest,
        lang: LangPath,
        agency: SlugPath,
        key_id: IdPath,
        engine: EngineDep,
    ) -> Redirect:
        page = await AdminPage.posted(request, lang)
        page.need_admin()
        found = await catalogue.agency_by_slug(agency, field=None)
        await catalogue.offers.revoke_agency_key(engine, found, key_id)
        return page.redirect(f"agencies/{found.slug}")

    @post("/{lang:str}/admin/agencies/{agency:str}/feed", operation_id="adminMintAgencyFeed")
    async def mint_feed(
        self,
        request: AnyRequest,
        lang: LangPath,
        agency: SlugPath,
        engine: EngineDep,
        settings: NamedDependency[Settings],
    ) -> Template:
        page = await AdminPage.posted(request, lang)
        page.need_admin()
        found = await catalogue.agency_by_slug(agency, field=None)
        token, _ = await booking.feeds.mint(engine, found.slug)
        url = settings.public_url.rstrip("/") + booking.feeds.feed_path(token)
        return await self._page(page, found, minted_feed=url)

    @post(
        "/{lang:str}/admin/agencies/{agency:str}/feed/revoke",
        operation_id="adminRevokeAgencyFeed",
        status_code=303,
    )
    async def revoke_feed(
        self, request: AnyRequest, lang: LangPath, agency: SlugPath, engine: EngineDep
    ) -> Redirect:
        page = await AdminPage.posted(request, lang)
        page.need_admin()
        found = await catalogue.agency_by_slug(agency, field=None)
        await booking.feeds.revoke(engine, found.slug)
        return page.redirect(f"agencies/{found.slug}")

    # --- the page -----------------------------------------------------------------------

    async def _page(
        self,
        page: AdminPage,
        agency: catalogue.Agency,
        *,
        minted_key: str = "",
        minted_feed: str = "",
    ) -> Template:
        """The agency's page with what was just minted: shown this once, never cached."""
        served = [s.slug for s in await catalogue.sites_served(agency)]
        answer = await self._form(
            page,
            agency,
            slug=agency.slug,
            name=agency.name,
            sites=served,
            minted_key=minted_key,
            minted_feed=minted_feed,
        )
        answer.headers["Cache-Control"] = "no-store"
        return answer

    async def _form(
        self,
        page: AdminPage,
        agency: catalogue.Agency | None,
        *,
        slug: str,
        name: str,
        sites: list[str],
        errors: dict[str, str] | None = None,
        minted_key: str = "",
        minted_feed: str = "",
    ) -> Template:
        context: dict[str, Any] = {}
        if agency is not None:
            keys = await catalogue.offers.agency_keys(agency)
            feed_since = await booking.feeds.live_since(agency.slug)
            services = [s for s in await catalogue.list_services() if s.agency_id == agency.id]
            context = {
                "keys": [
                    (
                        key,
                        when(page.lang, key.created_at),
                        when(page.lang, key.revoked_at) if key.revoked_at else "",
                    )
                    for key in keys
                ],
                "feed_since": when(page.lang, feed_since) if feed_since else "",
                "services": [(s.slug, s.name(page.lang.code)) for s in services],
                "changes": await history.changes(
                    page.actor, page.lang, SHOWN_IN, "agency", agency.slug
                ),
            }
        return await page.render(
            "admin/agency.html",
            status=422 if errors else 200,
            errors=errors,
            agency=agency,
            slug=slug,
            given_name=name,
            chosen=sites,
            site_options=[(s.slug, s.name) for s in await catalogue.list_sites()],
            labels=labels(page.lang),
            minted_key=minted_key,
            minted_feed=minted_feed,
            **context,
        )
