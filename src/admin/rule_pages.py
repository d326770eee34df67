"""Order rules (admins only): in a one-stop visit holding both services, one must come
before the other (registration before the residence permit, say)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from piccolo.engine.base import Engine

from wcr.audit import public as audit
from wcr.catalogue import public as catalogue
from wcr.i18n import Language

from .base import AdminController, IdPath, LangPath
from .page import AdminPage

AnyRequest = Request[Any, Any, Any]
EngineDep = NamedDependency[Engine[Any]]


def labels(lang: Language) -> dict[str, str]:
    _ = lang.gettext
    return {"before": _("This service first"), "after": _("before this one")}


class RulePages(AdminController):
    @get("/{lang:str}/admin/order-rules", operation_id="adminOrderRules")
    async def rules(self, request: AnyRequest, lang: LangPath) -> Template:
        page = await AdminPage.open(request, lang)
        page.need_admin()
        return await self._page(page, before="", after="")

    @post("/{lang:str}/admin/order-rules", operation_id="adminAddOrderRule", status_code=303)
    async def add(
        self, request: AnyRequest, lang: LangPath, engine: EngineDep
    ) -> Template | Redirect:
        page = await AdminPage.posted(request, lang)
        page.need_admin()
        before, after = page.text("before", 64), page.text("after", 64)
        audit.describe(request, "order_rule", f"{before}>{after}")
        added, errors = await page.attempt(
            catalogue.add_order_rule(engine, before, after), labels(page.lang)
        )
        if added is None:
            return await self._page(page, before=before, after=after, errors=errors)
        return page.redirect("order-rules")

    @post(
        "/{lang:str}/admin/order-rules/{rule_id:int}/delete",
        operation_id="adminRemoveOrderRule",
        status_code=303,
    )
    async def remove(
        self, request: AnyRequest, lang: LangPath, rule_id: IdPath, engine: EngineDep
    ) -> Redirect:
        page = await AdminPage.posted(request, lang)
        page.need_admin()
        audit.describe(request, "order_rule", rule_id)
        await catalogue.offers.remove_order_rule(engine, rule_id)
        return page.redirect("order-rules")

    async def _page(
        self, page: AdminPage, *, before: str, after: str, errors: dict[str, str] | None = None
    ) -> Template:
        services = await catalogue.list_services()
        titles = {s.slug: s.name(page.lang.code) for s in services}
        rules = [
            (rule, titles.get(rule.before, rule.before), titles.get(rule.after, rule.after))
            for rule in await catalogue.offers.order_rule_list()
        ]
        return await page.render(
            "admin/rules.html",
            status=422 if errors else 200,
            errors=errors,
            rules=rules,
            before=before,
            after=after,
            service_options=sorted(titles.items(), key=lambda item: item[1].casefold()),
            labels=labels(page.lang),
        )
