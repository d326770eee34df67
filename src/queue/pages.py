"""The queue's pages: the front-desk console, the call display, a visitor's ticket, and
joining a walk-in line from one's phone (``/{lang}/sites/{site}/join``).
They are thin: the data comes from the JSON API and its event stream.

Each page is in the language of a ``/{lang}/`` prefix (``/ar/desk``,
``/ar/display/bochum``, ``/ar/ticket/12``), else of ``?lang=``, else of the browser's
Accept-Language, the booking pages' rule (:mod:`wcr.web.public`); the old paths without
a prefix keep working. A ticket page without a prefix then follows the ticket's own
language once its script has read the ticket (``prefixed`` in its data block)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import PathParameter, QueryParameter
from litestar.response import Template

from wcr.accounts.public import guards
from wcr.catalogue import public as catalogue
from wcr.challenge import public as challenge
from wcr.clock import now
from wcr.config import SUPPORTED_LANGUAGES, Settings
from wcr.database import MAX_ID
from wcr.i18n import Language
from wcr.web import public as web

from . import board, remote, slip
from .deps import TICKET_PROVIDERS
from .records import Ticket

LangPath = Annotated[str, PathParameter(max_length=8)]
LangQuery = Annotated[str | None, QueryParameter(max_length=8)]
SitePath = Annotated[str, PathParameter(max_length=64)]
TicketIdPath = Annotated[int, PathParameter(ge=1, le=MAX_ID)]


def _language(request: Request[Any, Any, Any], prefix: str | None, asked: str | None) -> Language:
    """The prefix's language (404 for an unknown one), else ``?lang=``/Accept-Language."""
    if prefix is not None:
        return web.language(prefix)
    return Language(web.chosen_language(request, asked))


def _switch(rest: str) -> Callable[[str], str]:
    """Language links to ``/{code}/{rest}`` (a page's script may add its fragment)."""

    def switch_url(code: str) -> str:
        return f"/{code}/{rest}"

    return switch_url


def _page(
    name: str, lang: Language, request: Request[Any, Any, Any], rest: str, **context: Any
) -> Template:
    return web.page(
        name,
        lang,
        request,
        switch_url=_switch(rest),
        page_path=f"/{lang.code}/{rest}",
        supported_languages=list(SUPPORTED_LANGUAGES),
        **context,
    )


class QueuePages(Controller):
    include_in_schema = False

    # --- the front-desk console -------------------------------------------------------

    @get("/desk", operation_id="deskPage")
    async def desk(self, request: Request[Any, Any, Any], lang: LangQuery = None) -> Template:
        return await self._desk(request, _language(request, None, lang))

    @get("/{prefix:str}/desk", operation_id="deskPageInLanguage")
    async def desk_in(self, request: Request[Any, Any, Any], prefix: LangPath) -> Template:
        return await self._desk(request, _language(request, prefix, None))

    async def _desk(self, request: Request[Any, Any, Any], lang: Language) -> Template:
        sites = await catalogue.list_sites()
        return _page("desk.html", lang, request, "desk", sites=sites)

    # --- the call display -------------------------------------------------------------

    @get("/display/{site:str}", operation_id="displayPage")
    async def display(
        self, request: Request[Any, Any, Any], site: SitePath, lang: LangQuery = None
    ) -> Template:
        return await self._display(request, _language(request, None, lang), site)

    @get("/{prefix:str}/display/{site:str}", operation_id="displayPageInLanguage")
    async def display_in(
        self, request: Request[Any, Any, Any], prefix: LangPath, site: SitePath
    ) -> Template:
        return await self._display(request, _language(request, prefix, None), site)

    async def _display(
        self, request: Request[Any, Any, Any], lang: Language, slug: str
    ) -> Template:
        row = await catalogue.site_by_slug(slug, field=None)
        settings = request.app.state.settings
        return _page(
            "display.html",
            lang,
            request,
            f"display/{row.slug}",
            site=row,
            board=await board.board(row, settings.public_url),
            words=board.words(lang),
        )

    # --- a visitor's ticket -----------------------------------------------------------

    @get("/ticket/{ticket_id:int}", operation_id="ticketPage")
    async def ticket(
        self, request: Request[Any, Any, Any], ticket_id: TicketIdPath, lang: LangQuery = None
    ) -> Template:
        # The token stays in the URL fragment; the page's script reads it. Without a
        # prefix (or ?lang=) the script moves on to the ticket's own language.
        chosen = lang in SUPPORTED_LANGUAGES
        language = _language(request, None, lang)
        return self._ticket(request, language, ticket_id, prefixed=chosen)

    @get("/{prefix:str}/ticket/{ticket_id:int}", operation_id="ticketPageInLanguage")
    async def ticket_in(
        self, request: Request[Any, Any, Any], prefix: LangPath, ticket_id: TicketIdPath
    ) -> Template:
        return self._ticket(request, _language(request, prefix, None), ticket_id, prefixed=True)

    def _ticket(
        self, request: Request[Any, Any, Any], lang: Language, ticket_id: int, *, prefixed: bool
    ) -> Template:
        return _page(
            "ticket.html",
            lang,
            request,
            f"ticket/{ticket_id}",
            ticket_id=ticket_id,
            prefixed=prefixed,
        )

    # --- joining a walk-in line from one's phone (remote check-in) --------------------

    @get("/sites/{site:str}/join", operation_id="joinPage")
    async def join(
        self, request: Request[Any, Any, Any], site: SitePath, lang: LangQuery = None
    ) -> Template:
        return await self._join(request, _language(request, None, lang), site)

    @get("/{prefix:str}/sites/{site:str}/join", operation_id="joinPageInLanguage")
    async def join_in(
        self, request: Request[Any, Any, Any], prefix: LangPath, site: SitePath
    ) -> Template:
        return await self._join(request, _language(request, prefix, None), site)

    async def _join(self, request: Request[Any, Any, Any], lang: Language, slug: str) -> Template:
        row = await catalogue.site_by_slug(slug, field=None)
        lines = await remote.lines(row, lang.code)
        return _page(
            "join.html",
            lang,
            request,
            f"sites/{row.slug}/join",
            site=row,
            lines=[{"slug": s, "name": n, "name_lang": nl} for s, n, nl in lines],
            allowed=await remote.allows(row),
            open=remote.is_open(row, now()),
            challenge=challenge.enabled(request.app.state.settings),
        )

    # --- the visitor's printable slip (staff only: its QR code holds the token) -------

    @get(
        "/ticket/{ticket_id:int}/slip",
        operation_id="slipPage",
        guards=[guards.staff],
        dependencies=TICKET_PROVIDERS,
    )
    async def slip_page(
        self,
        request: Request[Any, Any, Any],
        reach: NamedDependency[tuple[catalogue.Site, Ticket]],
        settings: NamedDependency[Settings],
    ) -> Template:
        site, ticket = reach
        return await slip.page(request, site, ticket, settings.public_url, None)

    @get(
        "/{prefix:str}/ticket/{ticket_id:int}/slip",
        operation_id="slipPageInLanguage",
        guards=[guards.staff],
        dependencies=TICKET_PROVIDERS,
    )
    async def slip_page_in(
        self,
        request: Request[Any, Any, Any],
        prefix: LangPath,
        reach: NamedDependency[tuple[catalogue.Site, Ticket]],
        settings: NamedDependency[Settings],
    ) -> Template:
        site, ticket = reach
        return await slip.page(request, site, ticket, settings.public_url, prefix)
