"""Who may read the audit log: admins (every site) and site admins (their own site's
entries); the front desk may not (403), nobody signed in gets 401."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from wcr.accounts.public import Role, guards
from wcr.errors import Forbidden


async def reader(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    member = await guards.signed_in(connection)
    if member.role not in {Role.ADMIN, Role.SITE_ADMIN}:
        raise Forbidden("the audit log is for admins and site admins")
