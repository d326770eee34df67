"""``/agency``: the partner agencies' portal (the week's slots and bookings as a grid,
slot edits, weekly patterns with a preview, closed days, exports) and its printable
day list. The pages hold no data: their scripts (agency.js, agency_day.js) talk to
the agency API with the key the clerk signed in with, kept in the tab's session
storage. Languages as on the booking pages: a ``/{lang}/`` prefix, else the browser's."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import PathParameter, QueryParameter
from litestar.response import Template

from wcr.catalogue import public as catalogue
from wcr.i18n import Language
from wcr.web import public as web

LangPath = Annotated[str, PathParameter(max_length=8)]
DayPath = Annotated[date, PathParameter(description="the local day (YYYY-MM-DD)")]


def _prefixed(rest: str) -> Any:
    def switch_url(code: str) -> str:
        return f"/{code}/{rest}"

    return switch_url


class AgencyPortalPage(Controller):
    include_in_schema = False

    @get("/agency", operation_id="agencyPage")
    async def agency(
        self,
        request: Request[Any, Any, Any],
        lang: Annotated[str | None, QueryParameter(max_length=8)] = None,
    ) -> Template:
        return await self._portal(request, Language(web.chosen_language(request, lang)))

    @get("/{prefix:str}/agency", operation_id="agencyPageInLanguage")
    async def agency_in(self, request: Request[Any, Any, Any], prefix: LangPath) -> Template:
        return await self._portal(request, web.language(prefix))

    async def _portal(self, request: Request[Any, Any, Any], lang: Language) -> Template:
        sites = await catalogue.list_sites()
        return web.page("agency.html", lang, request, sites=sites, switch_url=_prefixed("agency"))

    @get("/agency/day/{day:date}", operation_id="agencyDayPage")
    async def day(self, request: Request[Any, Any, Any], day: DayPath) -> Template:
        lang = Language(web.chosen_language(request, None))
        return self._day(request, lang, day)

    @get("/{prefix:str}/agency/day/{day:date}", operation_id="agencyDayPageInLanguage")
    async def day_in(
        self, request: Request[Any, Any, Any], prefix: LangPath, day: DayPath
    ) -> Template:
        return self._day(request, web.language(prefix), day)

    def _day(self, request: Request[Any, Any, Any], lang: Language, day: date) -> Template:
        """The printable list of the day's people (the browser prints it)."""
        return web.page(
            "agency_day.html",
            lang,
            request,
            day=day,
            day_label=lang.day(day),
            switch_url=_prefixed(f"agency/day/{day.isoformat()}"),
        )
