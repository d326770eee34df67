"""Providers of the booking feature's handlers."""

from __future__ import annotations

from typing import Any

from litestar import Request

from wcr.auth import bearer_token
from wcr.catalogue import public as catalogue


async def current_agency(request: Request[Any, Any, Any]) -> catalogue.Agency:
    """The partner agency whose key the request carries (401 otherwise); also left on
    the request's state, where the audit trail reads who acted."""
    agency = await catalogue.agency_for_key(bearer_token(request) or "")
    request.state["agency"] = agency
    return agency
