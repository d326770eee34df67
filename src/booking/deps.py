"""Providers of the booking feature's handlers."""

from __future__ import annotations

from typing import Any

from litestar import Request

from wcr.auth import bearer_token
from wcr.catalogue import public as catalogue


async def current_agency(request: Request[Any, Any, Any]) -> catalogue.Agency:
    """The partner agency whose key the request carries (401 otherwise)."""
    return await catalogue.agency_for_key(bearer_token(request) or "")
