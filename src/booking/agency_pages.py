"""``/agency``: the partner agencies' portal (the week's slots and bookings, weekly
patterns, withdrawing). The page's script (agency.js) talks to the agency API."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import QueryParameter
from litestar.response import Template

from wcr.catalogue import public as catalogue
from wcr.i18n import Language
from wcr.web import public as web


class AgencyPortalPage(Controller):
    include_in_schema = False

    @get("/agency", operation_id="agencyPage")
    async def agency(
        self,
        request: Request[Any, Any, Any],
        lang: Annotated[str | None, QueryParameter(max_length=8)] = None,
    ) -> Template:
        """The partner agencies' portal: the key stays in the browser's session storage."""
        code = web.chosen_language(request, lang)
        sites = await catalogue.list_sites()

        def switch_url(other: str) -> str:
            return f"/agency?lang={other}"

        return web.page("agency.html", Language(code), request, sites=sites, switch_url=switch_url)
