"""The catalogue's operations in the OpenAPI schema (see :mod:`wcr.api_docs`)."""

from __future__ import annotations

from wcr.api_docs import PUBLIC, Operation

OPERATIONS = {
    "listSites": Operation(security=PUBLIC),
    "listAgencies": Operation(security=PUBLIC),
    "listServices": Operation(
        security=PUBLIC, problems={422: "an unknown `lang` or `site`; `errors` names it"}
    ),
}
