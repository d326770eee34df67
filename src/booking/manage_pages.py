"""``/manage/{reference}``: a visitor sees, cancels or reschedules a booking. The token
is in the URL fragment; the page's script (manage.js) asks the API with it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import PathParameter, QueryParameter
from litestar.response import Template

from wcr.catalogue import public as catalogue
from wcr.challenge import public as challenge
from wcr.config import Settings
from wcr.i18n import Language
from wcr.reach import NoSms, no_sms_text
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
        """The token is in the fragment; the page asks the API with it. The links in
        messages come here (``?lang=`` or the browser's language)."""
        reference = reference.upper()

        def switch_url(other: str) -> str:
            return f"/manage/{reference}?lang={other}"  # manage.js adds the #t= fragment

        language = Language(web.chosen_language(request, lang))
        return await manage_page(request, language, reference, switch_url)

    @get("/{lang:str}/manage/{reference:str}", operation_id="managePageIn")
    async def manage_in(
        self,
        request: Request[Any, Any, Any],
        lang: Annotated[str, PathParameter(max_length=8)],
        reference: Annotated[str, PathParameter(max_length=32)],
    ) -> Template:
        """The same page under a ``/{lang}/`` prefix, as every other page has one."""
        return await manage_page(request, web.language(lang), reference.upper())


async def manage_page(
    request: Request[Any, Any, Any],
    language: Language,
    reference: str,
    switch_url: Callable[[str], str] | None = None,
) -> Template:
    settings: Settings = request.app.state.settings
    sites = await catalogue.list_sites()
    context = {"switch_url": switch_url} if switch_url else {}
    return web.page(
        "manage.html",
        language,
        request,
        reference=reference,
        qr=reference_qr(reference),
        challenge=challenge.enabled(settings),
        page_data=await page_data(language, reference, sites),
        reminders=confirmation.reminders_text(language, settings.reminder_offsets),
        no_sms={f"no-sms-{reason}": no_sms_text(reason, language) for reason in NoSms},
        **context,
    )


async def page_data(lang: Language, reference: str, sites: list[catalogue.Site]) -> dict[str, Any]:
    """What manage.js needs besides the booking (which only the API gives, with the
    token): per site its zone and check-in window, the names of services and agencies
    in the page's language, and how this locale writes days and times (as Babel does
    on the other pages: manage.js formats with Intl to the same patterns)."""
    monday = date(2024, 1, 1)
    return {
        "reference": reference,
        "lang": lang.code,
        "zones": {s.slug: s.timezone for s in sites},
        "check_in": {s.slug: confirmation.check_in_text(lang, s) for s in sites},
        "services": await catalogue.services_for_scripts(lang.code),
        "agencies": {a.slug: a.name for a in await catalogue.list_agencies()},
        "weekdays": [lang.weekday(monday + timedelta(days=n)) for n in range(7)],
        **lang.script_formats(),
    }
