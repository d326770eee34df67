"""Reading bearer credentials from requests."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection

from .errors import Unauthorized


def bearer_token(
    request: ASGIConnection[Any, Any, Any, Any], *, required: bool = True
) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    if required:
        raise Unauthorized("send the header Authorization: Bearer <token>")
    return None
