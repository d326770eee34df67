"""What protects every answer of the app: security headers on each response, and the
size of the forms the pages send.

The pages run no inline script of their own making and no ``on…=`` handler: each
feature's script is a file under ``/static/``, and what a page hands its script is a
JSON data block (``<script id="page" type="application/json">``), which a browser never
executes. So the policy allows scripts and styles from this origin only, plus, on a
page that has them, the small static files written into it (:mod:`wcr.web.assets`),
each admitted by the SHA-256 of its exact text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.exceptions.http_exceptions import RequestEntityTooLarge

from wcr.errors import InvalidInput

from .assets import inline_sources

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send

_POLICY = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    # The QR codes are inline SVG; data: for images the widget may draw.
    "img-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
CONTENT_SECURITY_POLICY = "; ".join(_POLICY)


def content_security_policy(inline: dict[str, list[str]]) -> str:
    """The policy, with the hash sources of a page's inlined files in their directives."""
    if not inline:
        return CONTENT_SECURITY_POLICY
    return "; ".join(" ".join([rule, *inline.get(rule.split(" ", 1)[0], [])]) for rule in _POLICY)


HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

# A page form (the booking form is the largest: contact, choice, services, the
# challenge's solution) is well under these.
MAX_FORM_BYTES = 32 * 1024
MAX_FORM_FIELDS = 64
MULTIPART_PART_LIMIT = MAX_FORM_FIELDS
_FORMS = (b"application/x-www-form-urlencoded", b"multipart/form-data")


async def security_headers(message: Message, scope: Scope) -> None:
    """A ``before_send`` hook: every response start, of pages, API, static files and
    errors alike, gets the headers."""
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    # The API docs under /schema too: their scripts are files of ours (wcr.api_docs).
    inline = inline_sources(scope.get("state", {}))
    headers["Content-Security-Policy"] = content_security_policy(inline)
    for name, value in HEADERS.items():
        headers[name] = value


class FormLimits:
    """ASGI middleware: a URL-encoded or multipart body larger than
    :data:`MAX_FORM_BYTES` is 413, a URL-encoded one of more than
    :data:`MAX_FORM_FIELDS` fields 422 (multipart parts are capped by Litestar's
    ``multipart_form_part_limit``). JSON bodies are not touched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = _form_kind(scope) if scope["type"] == ScopeType.HTTP else None
        if kind is None:
            await self.app(scope, receive, send)
            return
        length = _content_length(scope)
        if length is not None and length > MAX_FORM_BYTES:
            raise RequestEntityTooLarge(f"a form is at most {MAX_FORM_BYTES} bytes")
        seen = 0
        fields = 1

        async def limited() -> ReceiveMessage:
            nonlocal seen, fields
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                seen += len(chunk)
                if seen > MAX_FORM_BYTES:
                    raise RequestEntityTooLarge(f"a form is at most {MAX_FORM_BYTES} bytes")
                if kind == _FORMS[0]:
                    fields += chunk.count(b"&")
                    if fields > MAX_FORM_FIELDS:
                        raise InvalidInput.field("body", f"at most {MAX_FORM_FIELDS} fields")
            return message

        await self.app(scope, limited, send)


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value)
    return None


def _form_kind(scope: Scope) -> bytes | None:
    value = _header(scope, b"content-type")
    media = (value or b"").split(b";", 1)[0].strip().lower()
    return media if media in _FORMS else None


def _content_length(scope: Scope) -> int | None:
    value = _header(scope, b"content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
