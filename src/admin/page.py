"""One admin page being answered: its language, who is signed in, the form it got, and
the answer (a page, a redirect, the form again with its errors).

Who may see what (decided here for every page, and again by the use cases where the
rule is theirs):

- an **admin** sees and changes everything;
- a **site admin** sees and changes its own site only: the site's settings (name,
  address, time zone, hours, gaps, check-in window), its counters, its one-stop
  packages and the desk's and site admins' accounts there. Agencies, services, order
  rules, keys and feeds are shared by every site and stay with the admins;
- anyone else (the front desk) is refused, as is a site admin anywhere else: 403,
  also for a POST crafted by hand (the guard is in the handler, not in the page).

A POST must come from our own pages in this session (:mod:`wcr.accounts.public`'s
``forms``: the Origin and the form token); a session that has ended sends the browser
to the login page, and back to where it was afterwards.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote

from litestar import Request
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect, Template

from wcr.accounts.public import Role, Staff, forms, staff_of_request
from wcr.catalogue import public as catalogue
from wcr.config import SUPPORTED_LANGUAGES
from wcr.errors import Conflict, DomainError, ErrorCode, Forbidden, InvalidInput
from wcr.i18n import Language
from wcr.web import public as web

from . import messages

AnyRequest = Request[Any, Any, Any]
_T = TypeVar("_T")


class SignInFirst(Exception):
    """No session (or an ended one): the page answers with the login page's address."""

    def __init__(self, lang: str, back: str) -> None:
        super().__init__(back)
        self.lang = lang
        self.back = back

    def redirect(self) -> Redirect:
        return Redirect(
            f"/{self.lang}/admin/login?next={quote(self.back, safe='/')}", status_code=303
        )


@dataclass
class AdminPage:
    request: AnyRequest
    lang: Language
    actor: Staff
    form: FormMultiDict = field(default_factory=FormMultiDict)

    # --- who and what ----------------------------------------------------------------

    @classmethod
    async def open(cls, request: AnyRequest, code: str) -> AdminPage:
        """A page for an admin or a site admin; 303 to the login page without a session."""
        lang = web.language(code)
        actor = await staff_of_request(request)
        if actor is None:
            raise SignInFirst(lang.code, request.url.path)
        if actor.role not in {Role.ADMIN, Role.SITE_ADMIN}:
            raise Forbidden("this needs an admin account", code=ErrorCode.ADMIN_ONLY)
        return cls(request, lang, actor)

    @classmethod
    async def posted(cls, request: AnyRequest, code: str) -> AdminPage:
        """A form POST of our own pages in this session, with its fields."""
        forms.check_form_origin(request)
        lang = web.language(code)
        actor = await staff_of_request(request)
        if actor is None:
            # The form's page, not the POST's address: that is where to come back to.
            raise SignInFirst(lang.code, _back(request, lang.code))
        form = await request.form()
        forms.check_form_post(request, str(form.get(forms.FORM_TOKEN_FIELD) or "") or None)
        if actor.role not in {Role.ADMIN, Role.SITE_ADMIN}:
            raise Forbidden("this needs an admin account", code=ErrorCode.ADMIN_ONLY)
        return cls(request, lang, actor, form)

    def need_admin(self) -> None:
        if not self.actor.is_admin:
            raise Forbidden("this needs an admin account", code=ErrorCode.ADMIN_ONLY)

    async def site(self, slug: str) -> catalogue.Site:
        """The site in the path, if the actor administers it (404 unknown, 403 not)."""
        site = await catalogue.site_by_slug(slug[:64], field=None)
        if not self.actor.may_administer(site.id):
            raise Forbidden(
                f"this needs an admin of {site.slug}",
                code=ErrorCode.ADMIN_OF_SITE,
                params={"site": site.slug},
            )
        self.request.state["site"] = site  # the audit entry's site
        return site

    # --- the form's fields -------------------------------------------------------------

    def text(self, name: str, most: int = 2000) -> str:
        return str(self.form.get(name) or "")[:most]

    def texts(self, name: str, most: int = 64) -> list[str]:
        return [str(value)[:200] for value in self.form.getall(name, [])][:most]

    # --- answers ---------------------------------------------------------------------

    def url(self, rest: str = "") -> str:
        return f"/{self.lang.code}/admin" + (f"/{rest}" if rest else "")

    def redirect(self, rest: str = "", *, saved: bool = True) -> Redirect:
        return Redirect(self.url(rest) + ("?saved=1" if saved else ""), status_code=303)

    def gettext(self, message: str, **values: Any) -> str:
        text = self.lang.gettext(message)
        return text % values if values else text

    async def render(
        self,
        template: str,
        *,
        status: int = 200,
        errors: Mapping[str, str] | None = None,
        **context: Any,
    ) -> Template:
        page = web.page(
            template,
            self.lang,
            self.request,
            actor=self.actor,
            form_token=forms.form_token(self.request),
            form_token_field=forms.FORM_TOKEN_FIELD,
            admin=self.url(),
            saved=self.request.query_params.get("saved") == "1" and not errors,
            errors=dict(errors or {}),
            supported_languages=list(SUPPORTED_LANGUAGES),
            **context,
        )
        page.status_code = status
        return page

    def errors_of(self, error: DomainError, labels: Mapping[str, str]) -> dict[str, str]:
        """A use case's refusal as the form's errors: field id -> what to fix."""
        return messages.form_errors(self.lang, error, labels)

    async def attempt(
        self, work: Awaitable[_T], labels: Mapping[str, str]
    ) -> tuple[_T | None, dict[str, str]]:
        """Run a use case; bad input or a conflict comes back as the form's errors
        (anything else, a refusal or an unknown record, answers as it is)."""
        try:
            return await work, {}
        except (InvalidInput, Conflict) as error:
            return None, self.errors_of(error, labels)


def _back(request: AnyRequest, lang: str) -> str:
    """Where a POST's form was: its referrer on this site, else the admin home."""
    referrer = request.headers.get("referer", "")
    path = referrer.split("://", 1)[-1].partition("/")[2]
    return f"/{path}" if path.startswith(f"{lang}/admin") else f"/{lang}/admin"
