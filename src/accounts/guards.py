"""Litestar guards: who may reach a handler. They run before the handler's arguments
are read, and leave the staff member (and the site in the path) on the connection's
state for :mod:`.deps`, so no handler looks anyone up itself.

- :func:`staff`: any signed-in staff member (401 otherwise);
- :func:`admin`: an admin of every site (403 otherwise);
- :func:`desk_of_site`: the front desk of the ``{site}`` in the path; 404 for an
  unknown site, 403 for another site's staff; admins everywhere;
- :func:`site_admin`: an admin, or the site admin of the ``{site}`` in the path.

A write (any method but GET, HEAD, OPTIONS) that the session cookie authenticates must
come as ``application/json`` from this service's own origin (:func:`check_cookie_write`):
another site can make a browser send its cookie, but not with that type or that
``Origin``. Requests with ``Authorization: Bearer`` carry no ambient credential and pass.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from wcr.auth import bearer_token
from wcr.catalogue import public as catalogue
from wcr.errors import ErrorCode, Forbidden, InvalidInput, Unauthorized

from .records import Staff
from .service import SESSION_COOKIE, session_token, staff_for_token

Connection = ASGIConnection[Any, Any, Any, Any]
# Slugs are Varchar(64) in the catalogue.
MAX_SLUG = 64


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL, the default port left out; "" if none."""
    parts = urlsplit(url.strip().lower())
    try:
        port = parts.port
    except ValueError:
        return ""
    if not parts.scheme or not parts.hostname:
        return ""
    shown = f":{port}" if port and port != DEFAULT_PORTS.get(parts.scheme) else ""
    return f"{parts.scheme}://{parts.hostname}{shown}"


def allowed_origins(connection: Connection) -> set[str]:
    """WCR_PUBLIC_URL's origin and the one the request itself was sent to."""
    origins = {_origin(f"{connection.url.scheme}://{connection.headers.get('host', '')}")}
    settings = connection.app.state.get("settings")
    public_url = getattr(settings, "public_url", None)
    if isinstance(public_url, str):
        origins.add(_origin(public_url))
    return origins - {""}


def same_origin(connection: Connection, origin: str | None) -> bool:
    """Whether an ``Origin`` header names this service (a missing one does not)."""
    return bool(origin) and _origin(origin or "") in allowed_origins(connection)


def check_login_origin(connection: Connection) -> None:
    """403 for a login a browser sends from another site's page (it would sign the
    browser into someone else's account), or not as JSON. Scripts without an Origin
    header are not browsers and may log in."""
    origin = connection.headers.get("origin")
    if origin is not None and _origin(origin) not in allowed_origins(connection):
        raise Forbidden("staff sign in only from this site")
    media = connection.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != "application/json":
        raise Forbidden("sign in with application/json")


def check_cookie_write(connection: Connection) -> None:
    """403 for a cookie-authenticated write that is not JSON from our own origin."""
    if connection.scope.get("method", "GET") in SAFE_METHODS:
        return
    if bearer_token(connection, required=False) or not connection.cookies.get(SESSION_COOKIE):
        return
    origin = connection.headers.get("origin")
    if not origin or _origin(origin) not in allowed_origins(connection):
        raise Forbidden("a signed-in browser may change things only from this site")
    media = connection.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != "application/json":
        raise Forbidden("a signed-in browser sends changes as application/json")


async def signed_in(connection: Connection) -> Staff:
    """The staff member of this request, looked up once and kept on its state."""
    check_cookie_write(connection)
    known = connection.state.get("staff")
    if isinstance(known, Staff):
        return known
    token = session_token(connection)
    if not token:
        raise Unauthorized("log in first")
    found = await staff_for_token(token)
    connection.state["staff"] = found
    return found


async def path_site(connection: Connection) -> catalogue.Site:
    slug = str(connection.path_params["site"])
    if len(slug) > MAX_SLUG:
        raise InvalidInput.field(
            "site", f"at most {MAX_SLUG} characters", ErrorCode.TOO_LONG, n=MAX_SLUG
        )
    site = await catalogue.site_by_slug(slug, field=None)
    connection.state["site"] = site
    return site


async def staff(connection: Connection, _: BaseRouteHandler) -> None:
    await signed_in(connection)


async def admin(connection: Connection, _: BaseRouteHandler) -> None:
    if not (await signed_in(connection)).is_admin:
        raise Forbidden("this needs an admin account", code=ErrorCode.ADMIN_ONLY)


async def desk_of_site(connection: Connection, _: BaseRouteHandler) -> None:
    member = await signed_in(connection)
    site = await path_site(connection)
    if not member.may_act_on(site.id):
        raise Forbidden(f"your account works at {member.site}, not at {site.slug}")


async def site_admin(connection: Connection, _: BaseRouteHandler) -> None:
    member = await signed_in(connection)
    site = await path_site(connection)
    if not member.may_administer(site.id):
        raise Forbidden(
            f"this needs an admin of {site.slug}",
            code=ErrorCode.ADMIN_OF_SITE,
            params={"site": site.slug},
        )
