"""A page in the visitor's language: which language (the URL's, ``?lang=``, else the
browser's), and the template rendered with that language's texts, dates and switch."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import NotFoundException
from litestar.response import Template

from wcr.config import SUPPORTED_LANGUAGES
from wcr.i18n import Language

from .i18n import from_header


def language(code: str) -> Language:
    """The language a URL's ``/{lang}/`` names; 404 for any other."""
    if code not in SUPPORTED_LANGUAGES:
        raise NotFoundException(f"no language {code!r}")
    return Language(code)


def chosen_language(request: Request[Any, Any, Any], asked: str | None) -> str:
    """``?lang=`` when it names a supported language, else the browser's preference."""
    if asked in SUPPORTED_LANGUAGES:
        return str(asked)
    return from_header(request.headers.get("accept-language"))


def page(name: str, lang: Language, request: Request[Any, Any, Any], **context: Any) -> Template:
    """Template ``name`` in ``lang``. Its language links (``switch_url``) swap the URL's
    leading ``/{lang}/``; a page without one passes its own ``switch_url``."""
    path = request.url.path

    def switch_url(code: str) -> str:
        rest = path.split("/", 2)[2] if path.count("/") >= 2 else ""  # noqa: PLR2004
        query = f"?{request.url.query}" if request.url.query else ""
        return f"/{code}/{rest}{query}"

    return Template(name, context={**lang.context(), "switch_url": switch_url, **context})
