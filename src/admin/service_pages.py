"""Services (admins only): the list, a new service of an agency, and a service's length,
its name, description and what to bring in each of the six languages, and the sites
that offer it."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Redirect, Template
from piccolo.engine.base import Engine

from wcr.audit import public as audit
from wcr.catalogue import public as catalogue
from wcr.clock import now
from wcr.i18n import Language
from wcr.timezones import zone
from wcr.waitlist import public as waitlist

from . import fields, history
from .base import AdminController, LangPath, SlugPath
from .page import AdminPage

AnyRequest = Request[Any, Any, Any]
EngineDep = NamedDependency[Engine[Any]]
SHOWN_IN = zone("Europe/Berlin")


def labels(lang: Language) -> dict[str, str]:
    _ = lang.gettext
    found = {
        "slug": _("Short name (in web addresses)"),
        "agency": _("Agency that provides it"),
        "duration_minutes": _("Length of an appointment (minutes)"),
        "sites": _("Sites that offer it"),
        "names": _("Name"),
        "descriptions": _("Who it is for and what happens"),
        "bring": _("What to bring"),
    }
    for code, language in fields.language_names(lang):
        found[f"names.{code}"] = _("Name (%(language)s)") % {"language": language}
        found[f"descriptions.{code}"] = _("Who it is for and what happens (%(language)s)") % {
            "language": language
        }
        found[f"bring.{code}"] = _("What to bring (%(language)s)") % {"language": language}
    return found


def _draft(page: AdminPage, parsed: fields.Parsed, names: dict[str, str]) -> catalogue.ServiceDraft:
    bring = fields.per_language(page.form, "bring")
    return catalogue.ServiceDraft(
        duration_minutes=parsed.integer(page.form, "duration_minutes", names["duration_minutes"]),
        names=fields.per_language(page.form, "names"),
        descriptions=fields.per_language(page.form, "descriptions"),
        bring={code: fields.lines(text) for code, text in bring.items()},
        sites=tuple(page.texts("sites")),
    )


def _shown(draft: catalogue.ServiceDraft) -> dict[str, Any]:
    """The form's values of a draft: what to bring as one line per thing."""
    return {
        "duration_minutes": draft.duration_minutes,
        "names": draft.names,
        "descriptions": draft.descriptions,
        "bring": {code: "\n".join(items) for code, items in draft.bring.items()},
        "sites": list(draft.sites),
    }


class ServicePages(AdminController):
    @get("/{lang:str}/admin/services", operation_id="adminServices")
    async def services(self, request: AnyRequest, lang: LangPath) -> Template:
        page = await AdminPage.open(request, lang)
        page.need_admin()
        offered = await catalogue.sites_of_services()
        agencies = {a.id: a.name for a in await catalogue.list_agencies()}
        services = await catalogue.list_services()
        ids = [s.id for s in services]
        # The waitlist at every site: all on it, and those who could come this week.
        today = now().astimezone(SHOWN_IN).date()
        waiting = await waitlist.waiting(None, ids)
        this_week = await waitlist.waiting(None, ids, today, today + timedelta(days=6))
        rows = [
            (
                s,
                s.name(page.lang.code),
                agencies.get(s.agency_id, s.agency),
                offered.get(s.id, []),
                (waiting.get(s.id, 0), this_week.get(s.id, 0)),
            )
            for s in services
        ]
        return await page.render("admin/services.html", services=rows)

    @get("/{lang:str}/admin/services/new", operation_id="adminNewService")
    async def new(
        self,
        request: AnyRequest,
        lang: LangPath,
        agency: Annotated[str | None, QueryParameter(max_length=64)] = None,
    ) -> Template:
        page = await AdminPage.open(request, lang)
        page.need_admin()
        draft = catalogue.ServiceDraft(duration_minutes=30, names={})
        return await self._form(page, None, draft, slug="", agency=agency or "")

    @post("/{lang:str}/admin/services", operation_id="adminCreateService", status_code=303)
    async def create(
        self, request: AnyRequest, lang: LangPath, engine: EngineDep
    ) -> Template | Redirect:
        page = await AdminPage.posted(request, lang)
        page.need_admin()
        names = labels(page.lang)
        parsed = fields.Parsed(page.lang)
        slug, agency = page.text("slug", 100).strip(), page.text("agency", 100).strip()
        draft = _draft(page, parsed, names)
        if parsed.errors:
            return await self._form(
                page, None, draft, slug=slug, agency=agency, errors=parsed.errors
            )
        created, errors = await page.attempt(
            catalogue.offers.create_service(engine, slug, agency or None, draft), names
        )
        if created is None:
            return await self._form(page, None, draft, slug=slug, agency=agency, errors=errors)
        audit.describe(request, "service", created.slug)
        return page.redirect(f"services/{created.slug}")

    @get("/{lang:str}/admin/services/{service:str}", operation_id="adminService")
    async def edit(self, request: AnyRequest, lang: LangPath, service: SlugPath) -> Template:
        page = await AdminPage.open(request, lang)
        page.need_admin()
        found = await catalogue.service_by_slug(service, field=None)
        offered = (await catalogue.sites_of_services()).get(found.id, [])
        draft = catalogue.ServiceDraft(
            duration_minutes=found.duration_minutes,
            names=found.names,
            descriptions=found.descriptions,
            bring=found.bring,
            sites=tuple(offered),
        )
        return await self._form(page, found, draft, slug=found.slug, agency=found.agency)

    @post(
        "/{lang:str}/admin/services/{service:str}",
        operation_id="adminUpdateService",
        status_code=303,
    )
    async def update(
        self, request: AnyRequest, lang: LangPath, service: SlugPath, engine: EngineDep
    ) -> Template | Redirect:
        page = await AdminPage.posted(request, lang)
        page.need_admin()
        found = await catalogue.service_by_slug(service, field=None)
        names = labels(page.lang)
        parsed = fields.Parsed(page.lang)
        draft = _draft(page, parsed, names)
        if parsed.errors:
            return await self._form(
                page, found, draft, slug=found.slug, agency=found.agency, errors=parsed.errors
            )
        updated, errors = await page.attempt(
            catalogue.offers.update_service(engine, found.slug, draft), names
        )
        if updated is None:
            return await self._form(
                page, found, draft, slug=found.slug, agency=found.agency, errors=errors
            )
        return page.redirect(f"services/{found.slug}")

    async def _form(
        self,
        page: AdminPage,
        service: catalogue.Service | None,
        draft: catalogue.ServiceDraft,
        *,
        slug: str,
        agency: str,
        errors: dict[str, str] | None = None,
    ) -> Template:
        agencies = await catalogue.list_agencies()
        changes = (
            await history.changes(page.actor, page.lang, SHOWN_IN, "service", service.slug)
            if service
            else []
        )
        return await page.render(
            "admin/service.html",
            status=422 if errors else 200,
            errors=errors,
            service=service,
            slug=slug,
            agency=agency,
            agency_name=next((a.name for a in agencies if a.slug == agency), agency),
            agency_options=[(a.slug, a.name) for a in agencies],
            site_options=[(s.slug, s.name) for s in await catalogue.list_sites()],
            values=_shown(draft),
            content_languages=[
                (code, name, Language(code).direction)
                for code, name in fields.language_names(page.lang)
            ],
            labels=labels(page.lang),
            changes=changes,
        )
