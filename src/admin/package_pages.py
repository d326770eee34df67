"""A site's one-stop packages (the site's admins): 2 to 5 of its services in their
usual order, the weekdays and local hours it is offered in, its names."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from piccolo.engine.base import Engine

from wcr.audit import public as audit
from wcr.booking import public as booking
from wcr.catalogue import public as catalogue
from wcr.i18n import Language, localised

from . import fields, history
from .base import AdminController, LangPath, SlugPath
from .page import AdminPage

AnyRequest = Request[Any, Any, Any]
EngineDep = NamedDependency[Engine[Any]]
POSITIONS = range(1, 6)


def labels(lang: Language) -> dict[str, str]:
    _ = lang.gettext
    found = {
        "slug": _("Short name (in web addresses)"),
        "names": _("Name"),
        "services": _("Services, in their usual order"),
        "weekdays": _("Days it is offered on"),
        "hours": _("Hours it is offered in"),
    }
    for code, language in fields.language_names(lang):
        found[f"names.{code}"] = _("Name (%(language)s)") % {"language": language}
    return found


def _read(page: AdminPage) -> dict[str, Any]:
    """The form as the use case takes it (and as it is shown again)."""
    weekdays = [int(day) for day in page.texts("weekdays", 7) if day.isdigit()]
    return {
        "names": fields.per_language(page.form, "names"),
        "services": [s for s in (page.text(f"service.{n}", 64) for n in POSITIONS) if s],
        "weekdays": weekdays,
        "opens": page.text("opens", 8).strip(),
        "closes": page.text("closes", 8).strip(),
    }


async def _save(
    engine: Engine[Any], site: catalogue.Site, slug: str, values: dict[str, Any], *, new: bool
) -> bool:
    opens, closes = booking.packages.hours(values["opens"], values["closes"])
    schedule = booking.packages.Schedule(tuple(values["weekdays"]), opens, closes)
    save = booking.packages.add_package if new else booking.packages.edit_package
    await save(
        engine,
        site,
        slug=slug,
        names=values["names"],
        services=values["services"],
        schedule=schedule,
    )
    return True


def _values(package: booking.packages.PackageInfo) -> dict[str, Any]:
    return {
        "names": package.names,
        "services": list(package.services),
        "weekdays": list(package.weekdays),
        "opens": package.opens.strftime("%H:%M") if package.opens else "",
        "closes": package.closes.strftime("%H:%M") if package.closes else "",
    }


class PackagePages(AdminController):
    @get("/{lang:str}/admin/sites/{site:str}/packages", operation_id="adminPackages")
    async def packages(self, request: AnyRequest, lang: LangPath, site: SlugPath) -> Template:
        page = await AdminPage.open(request, lang)
        found = await page.site(site)
        titles = {s.slug: s.name(page.lang.code) for s in await catalogue.list_services()}
        listed = [
            (
                package,
                _name(package.names, page.lang.code, package.slug),
                [titles.get(slug, slug) for slug in package.services],
                _schedule(page.lang, package),
            )
            for package in await booking.packages.packages_of(found)
        ]
        return await page.render("admin/packages.html", site=found, packages=listed)

    @get("/{lang:str}/admin/sites/{site:str}/packages/new", operation_id="adminNewPackage")
    async def new(self, request: AnyRequest, lang: LangPath, site: SlugPath) -> Template:
        page = await AdminPage.open(request, lang)
        found = await page.site(site)
        empty = {"names": {}, "services": [], "weekdays": [], "opens": "", "closes": ""}
        return await self._form(page, found, None, slug="", values=empty)

    @post(
        "/{lang:str}/admin/sites/{site:str}/packages",
        operation_id="adminCreatePackage",
        status_code=303,
    )
    async def create(
        self, request: AnyRequest, lang: LangPath, site: SlugPath, engine: EngineDep
    ) -> Template | Redirect:
        page = await AdminPage.posted(request, lang)
        found = await page.site(site)
        slug, values = page.text("slug", 100).strip(), _read(page)
        done, errors = await page.attempt(
            _save(engine, found, slug, values, new=True), labels(page.lang)
        )
        if not done:
            return await self._form(page, found, None, slug=slug, values=values, errors=errors)
        audit.describe(request, "package", slug, site_id=found.id)
        return page.redirect(f"sites/{found.slug}/packages/{slug}")

    @get("/{lang:str}/admin/sites/{site:str}/packages/{package:str}", operation_id="adminPackage")
    async def edit(
        self, request: AnyRequest, lang: LangPath, site: SlugPath, package: SlugPath
    ) -> Template:
        page = await AdminPage.open(request, lang)
        found = await page.site(site)
        known = await booking.packages.package_of(found, package)
        return await self._form(page, found, known, slug=known.slug, values=_values(known))

    @post(
        "/{lang:str}/admin/sites/{site:str}/packages/{package:str}",
        operation_id="adminUpdatePackage",
        status_code=303,
    )
    async def update(
        self,
        request: AnyRequest,
        lang: LangPath,
        site: SlugPath,
        package: SlugPath,
        engine: EngineDep,
    ) -> Template | Redirect:
        page = await AdminPage.posted(request, lang)
        found = await page.site(site)
        known = await booking.packages.package_of(found, package)
        values = _read(page)
        done, errors = await page.attempt(
            _save(engine, found, known.slug, values, new=False), labels(page.lang)
        )
        if not done:
            return await self._form(
                page, found, known, slug=known.slug, values=values, errors=errors
            )
        return page.redirect(f"sites/{found.slug}/packages/{known.slug}")

    async def _form(
        self,
        page: AdminPage,
        site: catalogue.Site,
        package: booking.packages.PackageInfo | None,
        *,
        slug: str,
        values: dict[str, Any],
        errors: dict[str, str] | None = None,
    ) -> Template:
        services = await catalogue.list_services(site)
        changes = (
            await history.changes(page.actor, page.lang, site.tz, "package", package.slug)
            if package
            else []
        )
        return await page.render(
            "admin/package.html",
            status=422 if errors else 200,
            errors=errors,
            site=site,
            package=package,
            slug=slug,
            values=values,
            service_options=[(s.slug, s.name(page.lang.code)) for s in services],
            positions=list(POSITIONS),
            weekdays=[(str(day), name) for day, name in fields.weekday_names(page.lang)],
            chosen_days=[str(day) for day in values["weekdays"]],
            content_languages=[
                (code, name, Language(code).direction)
                for code, name in fields.language_names(page.lang)
            ],
            labels=labels(page.lang),
            changes=changes,
        )


def _name(names: dict[str, str], language: str, slug: str) -> str:
    return localised(names, language, slug)


def _schedule(lang: Language, package: booking.packages.PackageInfo) -> str:
    days = dict(fields.weekday_names(lang))
    shown = ", ".join(days[d] for d in package.weekdays) or lang.gettext("every day")
    if package.opens and package.closes:
        shown += f", {package.opens:%H:%M}\u2013{package.closes:%H:%M}"
    return shown
