"""The pages' own static files, as the templates refer to them: versioned URLs that
browsers keep for a year, and small stylesheets and scripts written into the page.

On a slow phone network every request a page waits for costs a round trip (562 ms on
DevTools' "Slow 4G", see bench/booking_pages.py) before anything shows: a stylesheet in
``<head>`` holds the first paint, a script holds DOMContentLoaded. So a file of up to
:data:`INLINE_LIMIT` bytes goes into the page itself (``stylesheet()``, ``script()`` in
the templates), and the page's Content-Security-Policy admits exactly that text by its
SHA-256 (:func:`inline_sources`), no other inline style or script. Larger files get a
URL with their content's hash (``static_url()``), which :func:`cache_control` lets a
browser keep for a year: a changed file has another URL.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from jinja2 import pass_context
from litestar.datastructures import MutableScopeHeaders
from markupsafe import Markup

from wcr import features

if TYPE_CHECKING:
    from litestar.types import Message, Scope

STATIC_PREFIX = "/static/"
# About 7 kB gzipped, 40 ms on Slow 4G (180 kB/s): far less than the 562 ms a request
# of its own costs, so inlined it stays a gain on a warm cache too. It takes the
# manage page's script (21 kB: its booking fetch starts a round trip earlier,
# bench/booking_pages.py) and the challenge's stylesheet; the staff pages' larger
# scripts (agency, desk: 24-26 kB) stay files, kept a year on the desk's browser.
INLINE_LIMIT = 22 * 1024
VERSION_CHARS = 12
# A versioned URL names one content for ever; anything else (an old page's URL, a
# script's own reference) is checked again after a while.
LONG_CACHE = "public, max-age=31536000, immutable"
SHORT_CACHE = "public, max-age=3600"
STATE_KEY = "wcr_inline_sources"
# Text that would end the inline element early, or change how the parser reads it.
_CLOSERS = {".css": re.compile(r"</style|<!--", re.IGNORECASE)}
_CLOSERS[".js"] = re.compile(r"</script|<!--|<script", re.IGNORECASE)


@dataclass(frozen=True)
class Asset:
    name: str
    stamp: tuple[int, int]  # mtime_ns and size: a change on disk is read again
    version: str
    inline: str | None  # the text to write into a page, when small enough and safe
    source: str  # its CSP hash source, "'sha256-…'"


class Assets:
    """The files under the features' ``static/`` folders, read when first asked for and
    again when they change on disk (a developer editing CSS needs no restart)."""

    def __init__(self, folders: list[Path]) -> None:
        self.folders = [folder.resolve() for folder in folders]
        self.known: dict[str, Asset] = {}

    def path(self, name: str) -> Path | None:
        for folder in self.folders:
            candidate = (folder / name).resolve()
            if candidate.is_relative_to(folder) and candidate.is_file():
                return candidate
        return None

    def find(self, name: str) -> Asset | None:
        path = self.path(name)
        if path is None:
            return None
        status = path.stat()
        stamp = (status.st_mtime_ns, status.st_size)
        known = self.known.get(name)
        if known is not None and known.stamp == stamp:
            return known
        content = path.read_bytes()
        digest = hashlib.sha256(content).digest()
        asset = Asset(
            name=name,
            stamp=stamp,
            version=digest.hex()[:VERSION_CHARS],
            inline=_inlinable(path.suffix, content),
            source=f"'sha256-{base64.b64encode(digest).decode()}'",
        )
        self.known[name] = asset
        return asset

    def get(self, name: str) -> Asset:
        asset = self.find(name)
        if asset is None:
            msg = f"no static file {name!r}"
            raise LookupError(msg)
        return asset

    def url(self, name: str) -> str:
        return f"{STATIC_PREFIX}{name}?v={self.get(name).version}"


def _inlinable(suffix: str, content: bytes) -> str | None:
    closer = _CLOSERS.get(suffix)
    if closer is None or len(content) > INLINE_LIMIT:
        return None
    try:
        text = content.decode()
    except UnicodeDecodeError:
        return None
    return None if closer.search(text) else text


ASSETS = Assets([Path(folder) for folder in features.folders("static")])


async def cache_headers(message: Message, scope: Scope) -> None:
    """A ``before_send`` hook: a static file's answer says how long to keep it."""
    if message["type"] != "http.response.start" or message["status"] != HTTPStatus.OK:
        return
    path = str(scope.get("path", ""))
    control = cache_control(path, scope.get("query_string", b"").decode("latin-1"))
    if control is not None:
        MutableScopeHeaders.from_message(message)["Cache-Control"] = control


def cache_control(path: str, query: str) -> str | None:
    """Cache-Control of a ``/static/`` answer: a year for the URL of the current content,
    an hour for any other; None outside ``/static/``."""
    if not path.startswith(STATIC_PREFIX):
        return None
    asset = ASSETS.find(path.removeprefix(STATIC_PREFIX))
    if asset is None:
        return None
    versions = [v for k, _, v in (p.partition("=") for p in query.split("&")) if k == "v"]
    return LONG_CACHE if versions == [asset.version] else SHORT_CACHE


def inline_sources(state: dict[str, Any]) -> dict[str, list[str]]:
    """The hash sources of what this response's page wrote inline, by CSP directive."""
    found: dict[str, list[str]] = state.get(STATE_KEY, {})
    return found


def _remember(context: Any, directive: str, asset: Asset) -> None:
    request = context.get("request")
    if request is None:  # rendered outside a request: no header to extend
        return
    state = request.scope.setdefault("state", {})
    sources = state.setdefault(STATE_KEY, {}).setdefault(directive, [])
    if asset.source not in sources:
        sources.append(asset.source)


def static_url(name: str) -> str:
    return ASSETS.url(name)


def data_url(name: str) -> str:
    """A small SVG as a ``data:`` URL. For the page icon: fetched, it came a round trip
    after the page, and handling it was a long task just when the page had become
    usable (bench/booking_pages.py); written into the page, neither happens."""
    path = ASSETS.path(name)
    if path is None or path.suffix != ".svg":
        msg = f"no static SVG {name!r}"
        raise LookupError(msg)
    text = " ".join(path.read_text().split()).replace('"', "'")
    return "data:image/svg+xml," + quote(text, safe=" =:/',.-")


@pass_context
def stylesheet(context: Any, name: str) -> Markup:
    """The stylesheet ``name`` in the page when small, else a link to its versioned URL."""
    asset = ASSETS.get(name)
    if asset.inline is None:
        return Markup('<link rel="stylesheet" href="{}">').format(ASSETS.url(name))
    _remember(context, "style-src", asset)
    return Markup(f"<style>{asset.inline}</style>")  # noqa: S704 - our own file, checked by _inlinable


@pass_context
def script(context: Any, name: str) -> Markup:
    """The classic script ``name`` in the page when small, else from its versioned URL;
    either way it runs where it stands, before the parser goes on."""
    asset = ASSETS.get(name)
    if asset.inline is None:
        return Markup('<script src="{}"></script>').format(ASSETS.url(name))
    _remember(context, "script-src", asset)
    return Markup(f"<script>{asset.inline}</script>")  # noqa: S704 - our own file, checked by _inlinable


TEMPLATE_GLOBALS = {
    "static_url": static_url,
    "data_url": data_url,
    "stylesheet": stylesheet,
    "script": script,
}


def install(engine: Any) -> None:
    """``TemplateConfig(engine_callback=…)``: the helpers in every template."""
    engine.engine.globals.update(TEMPLATE_GLOBALS)
