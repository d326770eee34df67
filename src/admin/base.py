"""What every admin controller shares: no OpenAPI entry (these are pages), and the
answers to what stops a page: the login page for a missing session, a page of its
own (in the reader's language, with the status) for a refusal or an unknown record."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response
from litestar.params import PathParameter
from litestar.response import Redirect, Template

from wcr.config import SUPPORTED_LANGUAGES
from wcr.errors import DomainError
from wcr.i18n import Language
from wcr.web import public as web

from .messages import refusal
from .page import SignInFirst

LangPath = Annotated[str, PathParameter(max_length=8)]
SlugPath = Annotated[str, PathParameter(max_length=64)]
IdPath = Annotated[int, PathParameter(ge=1, le=2**31 - 1)]
UNAUTHORIZED = 401


def _sign_in(_: Request[Any, Any, Any], exc: SignInFirst) -> Redirect:
    return exc.redirect()


def _refused(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    code = str(request.path_params.get("lang", ""))
    lang = Language(code if code in SUPPORTED_LANGUAGES else web.from_header(None))
    if exc.status == UNAUTHORIZED:
        return SignInFirst(lang.code, f"/{lang.code}/admin").redirect()
    page = web.page(
        "admin/refused.html",
        lang,
        request,
        status=exc.status,
        detail=refusal(lang, exc),
        admin=f"/{lang.code}/admin",
    )
    page.status_code = exc.status
    return page


class AdminController(Controller):
    include_in_schema = False
    exception_handlers = {SignInFirst: _sign_in, DomainError: _refused}


__all__ = ["AdminController", "IdPath", "LangPath", "SlugPath", "Template"]
