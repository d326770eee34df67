"""Litestar guards: who may reach a handler. They run before the handler's arguments
are read, and leave the staff member (and the site in the path) on the connection's
state for :mod:`.deps`, so no handler looks anyone up itself.

- :func:`staff`: any signed-in staff member (401 otherwise);
- :func:`admin`: an admin of every site (403 otherwise);
- :func:`desk_of_site`: the front desk of the ``{site}`` in the path; 404 for an
  unknown site, 403 for another site's staff; admins everywhere;
- :func:`site_admin`: an admin, or the site admin of the ``{site}`` in the path.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from wcr.catalogue import public as catalogue
from wcr.errors import Forbidden, InvalidInput, Unauthorized

from .records import Staff
from .service import session_token, staff_for_token

Connection = ASGIConnection[Any, Any, Any, Any]
# Slugs are Varchar(64) in the catalogue.
MAX_SLUG = 64


async def signed_in(connection: Connection) -> Staff:
    """The staff member of this request, looked up once and kept on its state."""
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
        raise InvalidInput.field("site", f"at most {MAX_SLUG} characters")
    site = await catalogue.site_by_slug(slug, field=None)
    connection.state["site"] = site
    return site


async def staff(connection: Connection, _: BaseRouteHandler) -> None:
    await signed_in(connection)


async def admin(connection: Connection, _: BaseRouteHandler) -> None:
    if not (await signed_in(connection)).is_admin:
        raise Forbidden("this needs an admin account")


async def desk_of_site(connection: Connection, _: BaseRouteHandler) -> None:
    member = await signed_in(connection)
    site = await path_site(connection)
    if not member.may_act_on(site.id):
        raise Forbidden(f"your account works at {member.site}, not at {site.slug}")


async def site_admin(connection: Connection, _: BaseRouteHandler) -> None:
    member = await signed_in(connection)
    site = await path_site(connection)
    if not member.may_administer(site.id):
        raise Forbidden(f"this needs an admin of {site.slug}")
