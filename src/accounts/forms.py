"""Staff pages made of plain HTML forms (the admin back office): signing in and out
by form, and what protects their POSTs.

The session cookie is HttpOnly and SameSite=Strict. The JSON API refuses a write
the cookie authenticates unless it is JSON from this service's own origin
(:func:`.guards.check_cookie_write`). A form cannot be JSON, so a form POST must
instead

1. come with this service's ``Origin`` (browsers send it with every POST; another
   site's page cannot set it), and
2. carry the form token (:data:`FORM_TOKEN_FIELD`): the server secret's MAC of the
   session token's digest, written into every form the pages render. Another site
   can neither read it from our pages nor compute it; it changes with every session.

The login form has no session yet: it needs the origin only (login CSRF).
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from piccolo.engine.base import Engine

from wcr import server_secret
from wcr.errors import ErrorCode, Forbidden
from wcr.tokens import digest

from . import service
from .guards import same_origin

Connection = ASGIConnection[Any, Any, Any, Any]
FORM_TOKEN_FIELD = "form_token"  # noqa: S105 - a field's name
_PURPOSE = "staff-form"


def check_form_origin(connection: Connection) -> None:
    if not same_origin(connection, connection.headers.get("origin")):
        raise Forbidden(
            "a staff form is accepted only from this site's own pages",
            code=ErrorCode.FOREIGN_FORM,
        )


def form_token(connection: Connection) -> str:
    """The token a page writes into its forms for the session of this request."""
    token = service.session_token(connection)
    return server_secret.sign(_PURPOSE, digest(token)) if token else ""


def check_form_post(connection: Connection, sent: str | None) -> None:
    """403 for a form POST not made on our own pages in this session."""
    check_form_origin(connection)
    token = service.session_token(connection)
    if not token or not server_secret.verify(_PURPOSE, digest(token), sent):
        raise Forbidden("the form has expired; open the page again", code=ErrorCode.FORM_EXPIRED)


async def login_by_form(
    engine: Engine[Any], connection: Connection, username: str, password: str
) -> str:
    """A new session token (:func:`.service.login`) for a login form of our own pages."""
    check_form_origin(connection)
    address = connection.client.host if connection.client else ""
    return await service.login(engine, username, password, address)


async def logout_by_form(connection: Connection, sent: str | None) -> None:
    check_form_post(connection, sent)
    token = service.session_token(connection)
    if token:
        await service.logout(token)


def session_cookie(token: str, public_url: str) -> Cookie:
    return Cookie(
        key=service.SESSION_COOKIE,
        value=token,
        httponly=True,
        samesite="strict",
        secure=service.secure_cookie(public_url),
        max_age=int(service.SESSION_LIFETIME.total_seconds()),
        path="/",
    )


def ended_cookie(public_url: str) -> Cookie:
    return Cookie(
        key=service.SESSION_COOKIE,
        value="",
        max_age=0,
        path="/",
        httponly=True,
        samesite="strict",
        secure=service.secure_cookie(public_url),
    )
