"""The printable slip a visitor takes from the front desk: site, number, queue (and the
next agencies of a one-stop visit), a QR code of the visitor's own ticket page, when
it was issued. 80 mm receipt width (``static/slip.css``), printed by the browser.

The slip is for staff only (the console prints it, ``/ticket/{id}/slip``): its QR code
holds the ticket page's link with the ticket's token in the fragment. The token is
made here and goes out only in the page's body, never in a URL the browser requests,
so no access log sees it. The texts are in the visitor's language (the ticket's),
unless the path names another.
"""

from __future__ import annotations

from typing import Any

import segno
from litestar import Request
from litestar.response import Template
from markupsafe import Markup

from wcr.catalogue import public as catalogue
from wcr.config import SUPPORTED_LANGUAGES
from wcr.i18n import Language
from wcr.web import public as web

from . import views
from .records import Ticket


def ticket_qr(url: str) -> Markup:
    """``url`` as a QR code (inline SVG, black on white for thermal printers)."""
    code = segno.make(url, error="m")
    svg = code.svg_inline(
        scale=4, border=4, dark="#000", light="#fff", svgclass="qr-code", omitsize=True
    )
    return Markup(svg)  # noqa: S704 - segno's own SVG of our own link


def slip_language(ticket: Ticket, asked: str | None) -> Language:
    """The path's language if it names one, else the visitor's, else German."""
    if asked in SUPPORTED_LANGUAGES:
        return Language(str(asked))
    return Language(ticket.language if ticket.language in SUPPORTED_LANGUAGES else "de")


async def slip_context(
    site: catalogue.Site, ticket: Ticket, public_url: str, lang: Language
) -> dict[str, Any]:
    snap = await views.snapshot(site, public_url, lang.code)
    view = snap.ticket(ticket)
    issued = ticket.created_at
    return {
        "site": site,
        "ticket": view,
        "next_names": view.next_service_names,
        "qr": ticket_qr(view.ticket_url),
        "issued_day": lang.day(issued, site.tz),
        "issued_time": lang.time(issued, site.tz),
    }


async def page(
    request: Request[Any, Any, Any],
    site: catalogue.Site,
    ticket: Ticket,
    public_url: str,
    asked: str | None,
) -> Template:
    """The slip page of ``ticket`` (its language links switch the slip's language)."""
    if asked is not None:
        web.language(asked)  # 404 for a prefix that names no language
    lang = slip_language(ticket, asked)
    context = await slip_context(site, ticket, public_url, lang)

    def switch_url(code: str) -> str:
        return f"/{code}/ticket/{ticket.id}/slip"

    response = web.page("slip.html", lang, request, switch_url=switch_url, **context)
    # The body holds the ticket's token: no cache keeps it.
    response.headers["Cache-Control"] = "no-store"
    return response
