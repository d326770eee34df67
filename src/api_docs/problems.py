"""The problem answer (RFC 9457) as :mod:`wcr.errors` emits it, and the security
schemes, as OpenAPI components."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from wcr.errors import (
    PROBLEM_JSON,
    Conflict,
    ErrorCode,
    Forbidden,
    NotFound,
    TooManyRequests,
    Unauthorized,
)
from wcr.reach import NEEDS_SMTPUTF8

from .contract import (
    AGENCY_KEY,
    COMPANY_KEY,
    MANAGE_TOKEN,
    STAFF_COOKIE,
    STAFF_TOKEN,
    TICKET_TOKEN,
)

PROBLEM_REF = "#/components/schemas/Problem"
# wcr.accounts.service.SESSION_COOKIE (tests/test_openapi_contract.py checks they agree).
SESSION_COOKIE = "wcr_staff"

FIELD_ERROR: dict[str, Any] = {
    "type": "object",
    "required": ["field", "message"],
    "properties": {
        "field": {
            "type": "string",
            "description": "the parameter or body member at fault, as sent (`from`, "
            "`slot_ids`, `site`); `body` for the body as a whole",
        },
        "message": {"type": "string", "description": "what is wrong with it, in English"},
        "code": {
            "type": "string",
            "description": "what is wrong, for a machine: stable where the message may be "
            "reworded; not on every entry. Today: "
            + ", ".join(f"`{code}`" for code in (*ErrorCode, NEEDS_SMTPUTF8)),
        },
        "params": {
            "type": "object",
            "additionalProperties": {"type": ["string", "integer"]},
            "description": 'the values the message names, by name, e.g. `{"n": 200}` '
            "for `too_long`",
        },
    },
}

PROBLEM: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details, as `application/problem+json`. Some answers "
    "carry more members: the front desk's a stable `code`, a full visit its `bookings`.",
    "required": ["type", "status", "title", "detail"],
    "properties": {
        "type": {"type": "string", "description": "`about:blank`: the status says it all"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "title": {"type": "string"},
        "detail": {"type": "string", "description": "what went wrong, in English"},
        "errors": {
            "type": "array",
            "description": "bad input (400 and 422): one entry per field at fault",
            "items": {"$ref": "#/components/schemas/FieldError"},
        },
        "code": {
            "type": "string",
            "description": "front desk and live endpoints: a machine code such as "
            "`counter_not_open` or `ticket_wrong_state`",
        },
    },
    "additionalProperties": True,
}

SECURITY_SCHEMES: dict[str, dict[str, Any]] = {
    AGENCY_KEY: {
        "type": "http",
        "scheme": "bearer",
        "description": "A partner agency's API key (`wcr agency-key AGENCY`).",
    },
    STAFF_TOKEN: {
        "type": "http",
        "scheme": "bearer",
        "description": "A staff session: the `token` of `POST /api/v1/auth/login`.",
    },
    STAFF_COOKIE: {
        "type": "apiKey",
        "in": "cookie",
        "name": SESSION_COOKIE,
        "description": "The same session as the cookie the login sets (the web console). "
        "A write with it must come as `application/json` with this site's `Origin`.",
    },
    MANAGE_TOKEN: {
        "type": "http",
        "scheme": "bearer",
        "description": "A booking's `manage_token` (the answer of `createBooking`) or the "
        "token of a link in its messages. A wrong token answers like an unknown reference.",
    },
    TICKET_TOKEN: {
        "type": "http",
        "scheme": "bearer",
        "description": "A ticket's token: the fragment of its link `/ticket/{id}#TOKEN`. "
        "A wrong token answers like an unknown ticket.",
    },
    COMPANY_KEY: {
        "type": "apiKey",
        "in": "header",
        "name": "X-Company-Key",
        "description": "A firm's key (`wcr company-key NAME`) for its employees' "
        "bookings, with its own, larger limit; also accepted as `company_key` in the body.",
    },
}

_HEADERS: dict[int, dict[str, Any]] = {
    HTTPStatus.UNAUTHORIZED: {
        "WWW-Authenticate": {"schema": {"type": "string"}, "description": "`Bearer`"}
    },
    HTTPStatus.TOO_MANY_REQUESTS: {
        "Retry-After": {
            "schema": {"type": "integer"},
            "description": "seconds to wait, when known",
        }
    },
}


# The titles wcr.errors gives them (the rest: the status's phrase).
TITLES = {
    error.status: error.title
    for error in (Unauthorized, Forbidden, NotFound, Conflict, TooManyRequests)
} | {HTTPStatus.BAD_REQUEST: "Invalid input", HTTPStatus.UNPROCESSABLE_ENTITY: "Invalid input"}


def default_example(status: int, reason: str) -> dict[str, Any]:
    """A problem as it comes, its detail the first reason (the real one is more exact)."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "status": status,
        "title": TITLES.get(status, HTTPStatus(status).phrase),
        "detail": reason,
    }
    if status in (HTTPStatus.BAD_REQUEST, HTTPStatus.UNPROCESSABLE_ENTITY):
        body["errors"] = [{"field": "name of the field", "message": "what is wrong with it"}]
    return body


def problem_response(status: int, reasons: list[str], examples: dict[str, Any]) -> dict[str, Any]:
    """One problem status of an operation: each reason it may have, as a list."""
    phrase = HTTPStatus(status).phrase
    lines = "\n".join(f"- {reason}" for reason in dict.fromkeys(reasons))
    media: dict[str, Any] = {"schema": {"$ref": PROBLEM_REF}}
    if examples:
        media["examples"] = examples
    else:
        media["example"] = default_example(status, reasons[0])
    response: dict[str, Any] = {
        "description": f"{phrase}:\n\n{lines}",
        "content": {PROBLEM_JSON: media},
    }
    if status in _HEADERS:
        response["headers"] = _HEADERS[status]
    return response
