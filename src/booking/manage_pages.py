"""``/manage/{reference}``: a visitor sees, cancels or reschedules a booking. The token
is in the URL fragment; the page's script (manage.js) asks the API with it."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import PathParameter, QueryParameter
from litestar.response import Template

from wcr.catalogue import public as catalogue
from wcr.challenge import public as challenge
from wcr.config import Settings
from wcr.i18n import Language
from wcr.web import public as web

from . import confirmation
from .qr import reference_qr


class ManagePage(Controller):
    include_in_schema = False

    @get("/manage/{reference:str}", operation_id="managePage")
    async def manage(
        self,
        request: Request[Any, Any, Any],
        reference: Annotated[str, PathParameter(max_length=32)],
        lang: Annotated[str | None, QueryParameter(max_length=8)] = None,
    ) -> Template:
        """The token is in the fragment; the page asks the API with it."""
        code = web.chosen_language(request, lang)
        reference = reference.upper()

        def switch_url(other: str) -> str:
            return f"/manage/{reference}?lang={other}"  # manage.js adds the #t= fragment

        language = Language(code)
        settings: Settings = request.app.state.settings
        # The page learns the booking's sites only from the API: each site's check-in
        # window, ready in the visitor's language.
        check_in = {
            s.slug: confirmation.check_in_text(language, s) for s in await catalogue.list_sites()
        }
        return web.page(
            "manage.html",
            language,
            request,
            reference=reference,
            switch_url=switch_url,
            qr=reference_qr(reference),
            challenge=challenge.enabled(settings),
            check_in=check_in,
            reminders=confirmation.reminders_text(language, settings.reminder_offsets),
            mask=[confirmation.MASK, confirmation.PHONE_MASK],
        )
