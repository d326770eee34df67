"""The API contract: every operation's security, problem answers and examples in the
OpenAPI schema, and the docs page that shows it offline.

A feature declares, in its ``api_docs.py``, ``OPERATIONS`` (by operationId) and
``AUTH`` (its guards and providers); see :mod:`.contract` and CONTRIBUTING.md.
"""

from .config import bind, openapi_config
from .contract import (
    AGENCY,
    MANAGE,
    PUBLIC,
    STAFF,
    TICKET,
    Auth,
    Example,
    Operation,
    optional,
)

__all__ = [
    "AGENCY",
    "MANAGE",
    "PUBLIC",
    "STAFF",
    "TICKET",
    "Auth",
    "Example",
    "Operation",
    "bind",
    "openapi_config",
    "optional",
]
