"""A site's counters and their work profiles (the site's admins): which of the site's
services each counter calls, and in which order (rank 1 first; equal ranks share)."""

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
from .base import AdminController, IdPath, LangPath, SlugPath
from .page import AdminPage

AnyRequest = Request[Any, Any, Any]
EngineDep = NamedDependency[Engine[Any]]
RANKS = range(queue.setup.MIN_RANK, queue.setup.MAX_RANK + 1)


def labels(lang: Language, services: list[catalogue.Service]) -> dict[str, str]:
    _ = lang.gettext
    found = {"name": _("Name of the counter"), "services": _("Services it calls")}
    for service in services:
        found[f"ranks.{service.slug}"] = _("Order for %(service)s") % {
            "service": service.name(lang.code)
        }
    return found


def _profile(
    page: AdminPage, parsed: fields.Parsed, services: list[catalogue.Service], names: dict[str, str]
) -> list[tuple[str, int]]:
    profile = []
    for service in services:
        name = f"ranks.{service.slug}"
        if str(page.form.get(name) or "").strip():
            profile.append((service.slug, parsed.integer(page.form, name, names[name])))
    return profile


class CounterPages(AdminController):
    @get("/{lang:str}/admin/sites/{site:str}/counters", operation_id="adminCounters")
    async def counters(self, request: AnyRequest, lang: LangPath, site: SlugPath) -> Template:
        page = await AdminPage.open(request, lang)
        found = await page.site(site)
        return await self._page(page, found, None, name="", profile=[])

    @post(
        "/{lang:str}/admin/sites/{site:str}/counters",
        operation_id="adminCreateCounter",
        status_code=303,
    )
    async def create(
        self, request: AnyRequest, lang: LangPath, site: SlugPath, engine: EngineDep
    ) -> Template | Redirect:
        page = await AdminPage.posted(request, lang)
        found = await page.site(site)
        services = await catalogue.list_services(found)
        names = labels(page.lang, services)
        parsed = fields.Parsed(page.lang)
        name = page.text("name", 200)
        profile = _profile(page, parsed, services, names)
        if parsed.errors:
            return await self._page(
                page, found, None, name=name, profile=profile, errors=parsed.errors
            )
        created, errors = await page.attempt(
            queue.setup.create_counter(engine, found, name, profile), names
        )
        if created is None:
            return await self._page(page, found, None, name=name, profile=profile, errors=errors)
        audit.describe(request, "counter", created, site_id=found.id)
        return page.redirect(f"sites/{found.slug}/counters/{created}")

    @get(
        "/{lang:str}/admin/sites/{site:str}/counters/{counter_id:int}",
        operation_id="adminCounter",
    )
    async def edit(
        self, request: AnyRequest, lang: LangPath, site: SlugPath, counter_id: IdPath
    ) -> Template:
        page = await AdminPage.open(request, lang)
        found = await page.site(site)
        counter = await queue.setup.counter_of(found, counter_id)
        return await self._page(
            page, found, counter, name=counter.name, profile=list(counter.profile)
        )

    @post(
        "/{lang:str}/admin/sites/{site:str}/counters/{counter_id:int}",
        operation_id="adminUpdateCounter",
        status_code=303,
    )
    async def update(
        self,
        request: AnyRequest,
        lang: LangPath,
        site: SlugPath,
        counter_id: IdPath,
        engine: EngineDep,
    ) -> Template | Redirect:
        page = await AdminPage.posted(request, lang)
        found = await page.site(site)
        counter = await queue.setup.counter_of(found, counter_id)
        services = await catalogue.list_services(found)
        names = labels(page.lang, services)
        parsed = fields.Parsed(page.lang)
        name = page.text("name", 200)
        profile = _profile(page, parsed, services, names)
        if not parsed.errors:
            _, errors = await page.attempt(
                queue.setup.update_counter(engine, found, counter.id, name, profile), names
            )
            if not errors:
                return page.redirect(f"sites/{found.slug}/counters/{counter.id}")
        else:
            errors = parsed.errors
        return await self._page(page, found, counter, name=name, profile=profile, errors=errors)

    async def _page(
        self,
        page: AdminPage,
        site: catalogue.Site,
        counter: queue.setup.CounterSetup | None,
        *,
        name: str,
        profile: list[tuple[str, int]],
        errors: dict[str, str] | None = None,
    ) -> Template:
        services = await catalogue.list_services(site)
        titles = {s.slug: s.name(page.lang.code) for s in services}
        counters = await queue.setup.counters_of(site)
        changes = (
            await history.changes(page.actor, page.lang, site.tz, "counter", counter.id)
            if counter
            else []
        )
        return await page.render(
            "admin/counters.html",
            status=422 if errors else 200,
            errors=errors,
            site=site,
            counter=counter,
            counters=[
                (c, [(titles.get(slug, slug), rank) for slug, rank in c.profile]) for c in counters
            ],
            given_name=name,
            ranks=dict(profile),
            services=[(s.slug, titles[s.slug]) for s in services],
            rank_options=list(RANKS),
            labels=labels(page.lang, services),
            changes=changes,
        )
