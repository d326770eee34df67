"""Staff accounts: the list, a new account, a new password, disabling and enabling.
An admin manages every account; a site admin those of the desk and the site admins
of its own site (:mod:`wcr.accounts.public`'s ``team`` decides, here and for a
crafted POST alike)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from piccolo.engine.base import Engine

from wcr.accounts.public import MIN_PASSWORD_LENGTH, Role, StaffAccount, team
from wcr.audit import public as audit
from wcr.catalogue import public as catalogue
from wcr.i18n import Language
from wcr.timezones import zone

from . import history
from .base import AdminController, IdPath, LangPath
from .page import AdminPage

AnyRequest = Request[Any, Any, Any]
EngineDep = NamedDependency[Engine[Any]]
SHOWN_IN = zone("Europe/Berlin")


def labels(lang: Language) -> dict[str, str]:
    _ = lang.gettext
    return {
        "username": _("Username"),
        "password": _("Password"),
        "role": _("Role"),
        "site": _("Site"),
        "disabled": _("Account"),
    }


def role_names(lang: Language) -> dict[str, str]:
    _ = lang.gettext
    return {
        Role.FRONTDESK: _("Front desk"),
        Role.SITE_ADMIN: _("Site administrator"),
        Role.ADMIN: _("Administrator of every site"),
    }


class StaffPages(AdminController):
    @get("/{lang:str}/admin/staff", operation_id="adminStaff")
    async def staff(self, request: AnyRequest, lang: LangPath) -> Template:
        page = await AdminPage.open(request, lang)
        return await page.render(
            "admin/staff.html",
            accounts=await team.accounts(page.actor),
            role_names=role_names(page.lang),
        )

    @get("/{lang:str}/admin/staff/new", operation_id="adminNewStaff")
    async def new(self, request: AnyRequest, lang: LangPath) -> Template:
        page = await AdminPage.open(request, lang)
        return await self._new(page, {"role": Role.FRONTDESK, "site": page.actor.site or ""})

    @post("/{lang:str}/admin/staff", operation_id="adminCreateStaff", status_code=303)
    async def create(
        self, request: AnyRequest, lang: LangPath, engine: EngineDep
    ) -> Template | Redirect:
        page = await AdminPage.posted(request, lang)
        values = {
            "username": page.text("username", 100).strip(),
            "role": page.text("role", 20),
            "site": page.text("site", 64),
        }
        created, errors = await page.attempt(
            team.add_account(
                engine,
                page.actor,
                username=values["username"],
                password=page.text("password", 300),
                role=values["role"],
                site=values["site"] or None,
            ),
            labels(page.lang),
        )
        if created is None:
            return await self._new(page, values, errors)
        audit.describe(request, "staff", created)
        return page.redirect(f"staff/{created}")

    @get("/{lang:str}/admin/staff/{staff_id:int}", operation_id="adminStaffAccount")
    async def account(self, request: AnyRequest, lang: LangPath, staff_id: IdPath) -> Template:
        page = await AdminPage.open(request, lang)
        found = await team.account(page.actor, staff_id)
        return await self._account(page, found)

    @post(
        "/{lang:str}/admin/staff/{staff_id:int}/password",
        operation_id="adminResetStaffPassword",
        status_code=303,
    )
    async def password(
        self, request: AnyRequest, lang: LangPath, staff_id: IdPath, engine: EngineDep
    ) -> Template | Redirect:
        page = await AdminPage.posted(request, lang)
        found = await team.account(page.actor, staff_id)
        done, errors = await page.attempt(
            team.reset_password(engine, page.actor, found.id, page.text("password", 300)),
            labels(page.lang),
        )
        if done is None:
            return await self._account(page, found, errors)
        return page.redirect(f"staff/{found.id}")

    @post(
        "/{lang:str}/admin/staff/{staff_id:int}/disable",
        operation_id="adminDisableStaff",
        status_code=303,
    )
    async def disable(
        self, request: AnyRequest, lang: LangPath, staff_id: IdPath, engine: EngineDep
    ) -> Template | Redirect:
        return await self._switch(request, lang, staff_id, engine, disabled=True)

    @post(
        "/{lang:str}/admin/staff/{staff_id:int}/enable",
        operation_id="adminEnableStaff",
        status_code=303,
    )
    async def enable(
        self, request: AnyRequest, lang: LangPath, staff_id: IdPath, engine: EngineDep
    ) -> Template | Redirect:
        return await self._switch(request, lang, staff_id, engine, disabled=False)

    async def _switch(
        self, request: AnyRequest, lang: str, staff_id: int, engine: Engine[Any], *, disabled: bool
    ) -> Template | Redirect:
        page = await AdminPage.posted(request, lang)
        found = await team.account(page.actor, staff_id)
        done, errors = await page.attempt(
            team.set_disabled(engine, page.actor, found.id, disabled=disabled), labels(page.lang)
        )
        if done is None:
            return await self._account(page, found, errors)
        return page.redirect(f"staff/{found.id}")

    async def _new(
        self, page: AdminPage, values: dict[str, str], errors: dict[str, str] | None = None
    ) -> Template:
        roles = role_names(page.lang)
        if not page.actor.is_admin:
            roles.pop(Role.ADMIN)
        sites = [
            (s.slug, s.name)
            for s in await catalogue.list_sites()
            if page.actor.may_administer(s.id)
        ]
        return await page.render(
            "admin/staff_new.html",
            status=422 if errors else 200,
            errors=errors,
            values=values,
            role_options=list(roles.items()),
            site_options=sites,
            min_password=MIN_PASSWORD_LENGTH,
            labels=labels(page.lang),
        )

    async def _account(
        self,
        page: AdminPage,
        account: StaffAccount,
        errors: dict[str, str] | None = None,
    ) -> Template:
        shown = page.lang.day(account.created_at, SHOWN_IN)
        disabled_since = page.lang.day(account.disabled_at, SHOWN_IN) if account.disabled_at else ""
        return await page.render(
            "admin/staff_account.html",
            status=422 if errors else 200,
            errors=errors,
            account=account,
            created=shown,
            disabled_since=disabled_since,
            role_name=role_names(page.lang)[account.role],
            is_self=account.id == page.actor.id,
            min_password=MIN_PASSWORD_LENGTH,
            labels=labels(page.lang),
            changes=await history.changes(page.actor, page.lang, SHOWN_IN, "staff", account.id),
        )
