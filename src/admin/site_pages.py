"""Sites: the list, a new site (admins), and a site's settings (its admins too): name,
address, time zone, opening hours per weekday, the one-stop hand-over gap and idle
limit, the check-in window, calls before a no-show, remote check-in."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from piccolo.engine.base import Engine

from wcr.audit import public as audit
from wcr.catalogue import public as catalogue
from wcr.i18n import Language
from wcr.queue import public as queue

from . import fields, history
from .base import AdminController, LangPath, SlugPath
from .page import AdminPage

AnyRequest = Request[Any, Any, Any]
EngineDep = NamedDependency[Engine[Any]]
MINUTES = (
    "handover_minutes",
    "max_idle_minutes",
    "checkin_early_minutes",
    "checkin_late_minutes",
    "max_recalls",
)


def labels(lang: Language) -> dict[str, str]:
    _ = lang.gettext
    found = {
        "slug": _("Short name (in web addresses)"),
        "name": _("Name"),
        "address": _("Address"),
        "timezone": _("Time zone"),
        "opening_hours": _("Opening hours"),
        "handover_minutes": _("Hand-over gap between appointments (minutes)"),
        "max_idle_minutes": _("Longest wait between appointments (minutes)"),
        "checkin_early_minutes": _("Check-in opens before the appointment (minutes)"),
        "checkin_late_minutes": _("Check-in still possible after the start (minutes)"),
        "max_recalls": _("Calls before a visitor counts as not come"),
    }
    for day, name in fields.weekday_names(lang):
        found[f"opening_hours.{day}"] = _("Opening hours on %(day)s") % {"day": name}
    return found


def _read(page: AdminPage, parsed: fields.Parsed, names: dict[str, str]) -> catalogue.SiteSettings:
    minutes = {name: parsed.integer(page.form, name, names[name]) for name in MINUTES}
    return catalogue.SiteSettings(
        name=page.text("name", 400),
        address=page.text("address", 1000),
        timezone=page.text("timezone", 80).strip(),
        opening_hours=fields.opening_hours(page.form),
        **minutes,
    )


class SitePages(AdminController):
    @get("/{lang:str}/admin/sites", operation_id="adminSites")
    async def sites(self, request: AnyRequest, lang: LangPath) -> Template:
        page = await AdminPage.open(request, lang)
        sites = await catalogue.list_sites()
        mine = [s for s in sites if page.actor.may_administer(s.id)]
        return await page.render("admin/sites.html", sites=mine)

    @get("/{lang:str}/admin/sites/new", operation_id="adminNewSite")
    async def new(self, request: AnyRequest, lang: LangPath) -> Template:
        page = await AdminPage.open(request, lang)
        page.need_admin()
        return await self._form(page, None, catalogue.SiteSettings(name="", address=""))

    @post("/{lang:str}/admin/sites", operation_id="adminCreateSite", status_code=303)
    async def create(
        self, request: AnyRequest, lang: LangPath, engine: EngineDep
    ) -> Template | Redirect:
        page = await AdminPage.posted(request, lang)
        page.need_admin()
        names = labels(page.lang)
        parsed = fields.Parsed(page.lang)
        slug = page.text("slug", 100).strip()
        settings = _read(page, parsed, names)
        if parsed.errors:
            return await self._form(page, None, settings, parsed.errors, slug=slug)
        created, errors = await page.attempt(
            catalogue.sites.create_site(engine, slug, settings), names
        )
        if created is None:
            return await self._form(page, None, settings, errors, slug=slug)
        audit.describe(request, "site", created.slug, site_id=created.id)
        return page.redirect(f"sites/{created.slug}")

    @get("/{lang:str}/admin/sites/{site:str}", operation_id="adminSite")
    async def edit(self, request: AnyRequest, lang: LangPath, site: SlugPath) -> Template:
        page = await AdminPage.open(request, lang)
        found = await page.site(site)
        return await self._form(
            page, found, catalogue.sites.settings_of(found), remote=await queue.remote.allows(found)
        )

    @post("/{lang:str}/admin/sites/{site:str}", operation_id="adminUpdateSite", status_code=303)
    async def update(
        self, request: AnyRequest, lang: LangPath, site: SlugPath, engine: EngineDep
    ) -> Template | Redirect:
        page = await AdminPage.posted(request, lang)
        found = await page.site(site)
        names = labels(page.lang)
        parsed = fields.Parsed(page.lang)
        settings = _read(page, parsed, names)
        remote = page.form.get("remote_queue") == "on"
        if parsed.errors:
            return await self._form(page, found, settings, parsed.errors, remote=remote)
        updated, errors = await page.attempt(
            catalogue.sites.update_site(engine, found.slug, settings), names
        )
        if updated is None:
            return await self._form(page, found, settings, errors, remote=remote)
        await queue.remote.allow(engine, found.slug, allowed=remote)
        return page.redirect(f"sites/{found.slug}")

    async def _form(
        self,
        page: AdminPage,
        site: catalogue.Site | None,
        settings: catalogue.SiteSettings,
        errors: dict[str, str] | None = None,
        *,
        slug: str = "",
        remote: bool = False,
    ) -> Template:
        changes = (
            await history.changes(page.actor, page.lang, site.tz, "site", site.slug) if site else []
        )
        return await page.render(
            "admin/site.html",
            status=422 if errors else 200,
            errors=errors,
            site=site,
            slug=slug,
            values=settings,
            remote=remote,
            hours=fields.hours_rows(settings.opening_hours),
            weekdays=fields.weekday_names(page.lang),
            time_zones=sorted(catalogue.sites.time_zones()),
            labels=labels(page.lang),
            changes=changes,
        )
