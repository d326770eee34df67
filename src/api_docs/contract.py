"""What an operation declares about itself beyond its types: who may call it, the
problems its use case answers, and examples.

A feature writes these in its ``api_docs.py`` (``OPERATIONS`` by operationId, and
``AUTH`` for its guards and providers); :mod:`.document` merges them into the schema.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

# One requirement is a set of schemes sent together; a security is alternatives of them.
# () as an alternative means "or nothing": the credential is optional.
Security = tuple[tuple[str, ...], ...]

# The names of the security schemes (components.securitySchemes), not secrets.
AGENCY_KEY = "agencyKey"
STAFF_TOKEN = "staffToken"  # noqa: S105
STAFF_COOKIE = "staffCookie"
MANAGE_TOKEN = "manageToken"  # noqa: S105
TICKET_TOKEN = "ticketToken"  # noqa: S105
COMPANY_KEY = "companyKey"

PUBLIC: Security = ()
AGENCY: Security = ((AGENCY_KEY,),)
STAFF: Security = ((STAFF_TOKEN,), (STAFF_COOKIE,))
MANAGE: Security = ((MANAGE_TOKEN,),)
TICKET: Security = ((TICKET_TOKEN,),)


def optional(security: Security) -> Security:
    """The same credentials, or none at all."""
    return ((), *security)


@dataclass(frozen=True)
class Example:
    summary: str
    value: Any
    description: str | None = None


@dataclass(frozen=True)
class Auth:
    """What a guard or a provider adds to every operation that uses it."""

    security: Security
    problems: Mapping[int, str]
    # Only for writes (POST, PUT, PATCH, DELETE): the cookie's origin check, say.
    write_problems: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Operation:
    """An operation's own declarations.

    ``security`` None means: whatever its guards and providers (``AUTH``) say; an
    operation without either must say it here (``PUBLIC`` included). ``problems`` are
    the statuses its use case answers, each with when.
    """

    security: Security | None = None
    problems: Mapping[int, str] = field(default_factory=dict)
    request_examples: Mapping[str, Example] = field(default_factory=dict)
    # status → name → example
    response_examples: Mapping[int, Mapping[str, Example]] = field(default_factory=dict)


Operations = Mapping[str, Operation]
Guards = Mapping[Callable[..., Any], Auth]
