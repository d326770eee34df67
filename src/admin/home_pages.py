"""The admin's front door: ``/admin`` (to the browser's language), the overview, and
signing in and out with a plain form (the same session and cookie as the desk's)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Redirect, Template
from piccolo.engine.base import Engine

from wcr.accounts.public import Role, forms, staff_of_request
from wcr.catalogue import public as catalogue
from wcr.config import Settings
from wcr.errors import TooManyRequests, Unauthorized
from wcr.web import public as web

from .base import AdminController, LangPath
from .page import AdminPage

AnyRequest = Request[Any, Any, Any]


def _next(lang: str, asked: str | None) -> str:
    """Where to go after signing in: an admin page of ours, never another site."""
    home = f"/{lang}/admin"
    unsafe = ("//", "\\", "..")
    if asked and asked.startswith(home) and not any(part in asked for part in unsafe):
        return asked[:500]
    return home


class HomePages(AdminController):
    @get("/admin", operation_id="adminRedirect")
    async def to_language(self, request: AnyRequest) -> Redirect:
        return Redirect(f"/{web.chosen_language(request, None)}/admin", status_code=303)

    @get("/{lang:str}/admin", operation_id="adminHome")
    async def home(self, request: AnyRequest, lang: LangPath) -> Template:
        page = await AdminPage.open(request, lang)
        _ = page.lang.gettext
        actor = page.actor
        tiles: list[tuple[str, str, str]] = []
        site_name = ""
        if actor.is_admin:
            tiles += [
                ("sites", _("Sites"), _("Addresses, time zones, opening hours.")),
                ("agencies", _("Agencies"), _("Partners, their sites, keys and feeds.")),
                ("services", _("Services"), _("Texts in every language, who offers them where.")),
                ("order-rules", _("Order rules"), _("Which service must come first in a visit.")),
            ]
        elif actor.site:
            site = await catalogue.site_by_slug(actor.site, field=None)
            site_name = site.name
            mine = f"sites/{site.slug}"
            tiles += [
                (mine, _("My site"), _("Address, opening hours, check-in.")),
                (f"{mine}/counters", _("Counters"), _("Counters and the services they call.")),
                (f"{mine}/packages", _("One-stop packages"), _("Several services in one visit.")),
            ]
        tiles += [
            ("staff", _("Staff"), _("Accounts, passwords, disabling.")),
            ("stats", _("Statistics"), _("Bookings, waits and visitors, for the funders.")),
            ("audit", _("Audit log"), _("Who changed what, and when.")),
        ]
        tiles = [(page.url(rest), title, text) for rest, title, text in tiles]
        return await page.render("admin/home.html", tiles=tiles, site_name=site_name)

    @get("/{lang:str}/admin/login", operation_id="adminLoginPage")
    async def login_page(
        self,
        request: AnyRequest,
        lang: LangPath,
        back: Annotated[str | None, QueryParameter(name="next", max_length=500)] = None,
    ) -> Template | Redirect:
        language = web.language(lang)
        target = _next(language.code, back)
        actor = await staff_of_request(request)
        if actor is not None and actor.role in {Role.ADMIN, Role.SITE_ADMIN}:
            return Redirect(target, status_code=303)
        return web.page("admin/login.html", language, request, next=target, username="", error="")

    @post("/{lang:str}/admin/login", operation_id="adminLogin", status_code=303)
    async def login(
        self,
        request: AnyRequest,
        lang: LangPath,
        engine: NamedDependency[Engine[Any]],
        settings: NamedDependency[Settings],
    ) -> Template | Redirect:
        language = web.language(lang)
        form = await request.form()
        username = str(form.get("username") or "")[:64]
        password = str(form.get("password") or "")[:200]
        target = _next(language.code, str(form.get("next") or ""))
        try:
            token = await forms.login_by_form(engine, request, username, password)
        except (Unauthorized, TooManyRequests) as error:
            if isinstance(error, TooManyRequests):
                message = language.gettext(
                    "Too many failed attempts. Please wait %(seconds)s seconds and try again."
                ) % {"seconds": error.retry_after or 30}
            elif "disabled" in error.detail:
                message = language.gettext("This account is disabled. Please ask an administrator.")
            else:
                message = language.gettext("The username or the password is wrong.")
            page = web.page(
                "admin/login.html",
                language,
                request,
                next=target,
                username=username,
                error=message,
            )
            page.status_code = error.status
            return page
        return Redirect(
            target,
            status_code=303,
            cookies=[forms.session_cookie(token, settings.public_url)],
        )

    @post("/{lang:str}/admin/logout", operation_id="adminLogout", status_code=303)
    async def logout(
        self, request: AnyRequest, lang: LangPath, settings: NamedDependency[Settings]
    ) -> Redirect:
        language = web.language(lang)
        form = await request.form()
        await forms.logout_by_form(request, str(form.get(forms.FORM_TOKEN_FIELD) or "") or None)
        return Redirect(
            f"/{language.code}/admin/login",
            status_code=303,
            cookies=[forms.ended_cookie(settings.public_url)],
        )
