"""Dependencies for handlers behind the guards of :mod:`.guards`."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import Provide

from wcr.catalogue import public as catalogue

from .guards import path_site, signed_in
from .records import Staff


async def current_staff(request: Request[Any, Any, Any]) -> Staff:
    """The signed-in staff member (the guard has looked them up already)."""
    return await signed_in(request)


async def guarded_site(request: Request[Any, Any, Any]) -> catalogue.Site:
    """The ``{site}`` of the path, as the guard found it."""
    known = request.state.get("site")
    return known if isinstance(known, catalogue.Site) else await path_site(request)


PROVIDERS = {
    "current": Provide(current_staff),
    "desk_site": Provide(guarded_site),
}
