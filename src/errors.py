"""Domain errors and their one mapping to RFC 9457 problem details.

Services raise :class:`DomainError` subclasses; nothing else decides HTTP statuses.
Any other exception becomes a bare 500 problem without a trace (and is logged).
"""

from __future__ import annotations

import keyword
import logging
import re
from collections.abc import Mapping
from enum import StrEnum
from http import HTTPStatus
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

log = logging.getLogger("wcr")

PROBLEM_JSON = "application/problem+json"


class ErrorCode(StrEnum):
    """What a refusal means, for a machine: the stable ``code`` of an entry of a
    problem's ``errors`` (and of a refusal on a page of its own, kept on the error).
    The English message beside it may be reworded; the code stays. Each one has its
    sentence in every language in :mod:`wcr.admin.messages` (a test checks), with the
    values it names (``params``) in its placeholders."""

    REQUIRED = "required"
    TAKEN = "taken"
    TOO_LONG = "too_long"  # n
    TOO_SHORT = "too_short"  # n
    LINE_TOO_LONG = "line_too_long"  # n
    TOO_MANY_ITEMS = "too_many_items"  # n
    TOO_MANY_INTERVALS = "too_many_intervals"  # n
    OUT_OF_RANGE = "out_of_range"  # least, most
    BAD_SLUG = "bad_slug"
    UNKNOWN_TIME_ZONE = "unknown_time_zone"  # value
    NOT_A_TIME = "not_a_time"  # value
    NOT_HOURS = "not_hours"
    CLOSES_BEFORE_OPENING = "closes_before_opening"  # span
    INTERVALS_OVERLAP = "intervals_overlap"  # span, end
    BELOW_HANDOVER_GAP = "below_handover_gap"
    BAD_WEEKDAY = "bad_weekday"
    AGENCY_REQUIRED = "agency_required"
    AGENCY_NOT_SERVING = "agency_not_serving"  # agency, site
    SITE_STILL_OFFERS = "site_still_offers"  # site, services
    SITE_NOT_OFFERING = "site_not_offering"  # site, service
    NO_SERVICE_CHOSEN = "no_service_chosen"
    LISTED_TWICE = "listed_twice"  # service
    SERVICE_TWICE = "service_twice"
    SERVICE_COUNT = "service_count"  # least, most
    START_AND_END = "start_and_end"
    END_BEFORE_START = "end_before_start"
    BAD_USERNAME = "bad_username"
    SITE_REQUIRED = "site_required"  # role
    OWN_ACCOUNT = "own_account"
    ORDER_REVERSED = "order_reversed"  # after, before
    SAME_SERVICE = "same_service"
    BAD_ROLE = "bad_role"  # roles
    NO_SITE = "no_site"  # slug (or id)
    NO_SERVICE = "no_service"  # slug
    NO_AGENCY = "no_agency"  # slug
    NO_COUNTER = "no_counter"  # id, site
    NO_PACKAGE = "no_package"  # slug
    NO_ACCOUNT = "no_account"  # id
    NO_ORDER_RULE = "no_order_rule"  # id
    NO_LIVE_KEY = "no_live_key"  # id, agency
    ADMIN_ONLY = "admin_only"
    ADMIN_OF_SITE = "admin_of_site"  # site
    ACCOUNT_OUT_OF_REACH = "account_out_of_reach"
    NOT_YOUR_ACCOUNT = "not_your_account"
    FORM_EXPIRED = "form_expired"
    FOREIGN_FORM = "foreign_form"


Param = str | int


def field_error(
    field: str, message: str, code: ErrorCode | None = None, **params: Param
) -> dict[str, Any]:
    """One entry of a problem's ``errors``: the field, the English message, and if
    given the stable code and the values the message names (``params``)."""
    entry: dict[str, Any] = {"field": field, "message": message}
    if code is not None:
        entry["code"] = str(code)
        if params:
            entry["params"] = params
    return entry


class DomainError(Exception):
    status = 400
    title = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        extra: dict[str, Any] | None = None,
        code: ErrorCode | None = None,
        params: Mapping[str, Param] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        # More members of the problem (RFC 9457 extensions), e.g. where to go instead.
        self.extra = extra or {}
        # What the detail means, for the pages that say it in the reader's language
        # (not sent: the problem's own ``code``, where there is one, is the front desk's).
        self.code = code
        self.params: dict[str, Param] = dict(params or {})


class InvalidInput(DomainError):
    status = 422
    title = "Invalid input"

    @classmethod
    def field(
        cls, field: str, message: str, code: ErrorCode | None = None, **params: Param
    ) -> InvalidInput:
        return cls(f"{field}: {message}", errors=[field_error(field, message, code, **params)])


class Unauthorized(DomainError):
    status = 401
    title = "Unauthorized"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class TooManyRequests(DomainError):
    """429; ``retry_after`` seconds (if known) go out as the Retry-After header."""

    status = 429
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int | None = None) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


def problem(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    errors: list[Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        **(extra or {}),
        "type": "about:blank",
        "status": status,
        "title": title or HTTPStatus(status).phrase,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    headers = {"WWW-Authenticate": "Bearer"} if status == HTTPStatus.UNAUTHORIZED else None
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


# msgspec names the culprit inside its message when the whole body is at fault:
# "Object missing required field `name`", "Object contains unknown field `x`".
_FIELD_IN_MESSAGE = re.compile(r"field `([^`]+)`")


def _validation_errors(extra: Any) -> list[dict[str, str]]:
    """Litestar's validation ``extra`` → ``[{"field", "message"}]``."""
    errors = []
    for item in extra if isinstance(extra, list) else []:
        if isinstance(item, dict):
            message = str(item.get("message", "invalid"))
            field = str(item.get("key") or item.get("source") or "body")
            if field == "data" and (named := _FIELD_IN_MESSAGE.search(message)):
                field = named.group(1)
            if field.endswith("_") and keyword.iskeyword(field[:-1]):
                field = field[:-1]  # `from_` in Python is `from` on the wire
            errors.append({"field": field, "message": message})
    return errors


def domain_error_handler(_: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    response = problem(exc.status, exc.detail, title=exc.title, errors=exc.errors, extra=exc.extra)
    if isinstance(exc, TooManyRequests) and exc.retry_after is not None:
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def http_error_handler(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if isinstance(exc, ValidationException):
        errors = _validation_errors(exc.extra)
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or exc.detail
        return problem(400, detail, title="Invalid input", errors=errors)
    response = problem(exc.status_code, exc.detail)
    response.headers.update(exc.headers or {})
    return response


def too_deep_handler(request: Request[Any, Any, Any], exc: RecursionError) -> Response[Any]:
    # Only the JSON decoder nests this deep: a body of 100,000 brackets, not our bug.
    log.warning("body nested too deeply on %s %s: %s", request.method, request.url.path, exc)
    message = "nested too deeply"
    errors = [{"field": "body", "message": message}]
    return problem(400, f"body: {message}", title="Invalid input", errors=errors)


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500, "Something went wrong on our side. Please try again.")


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: domain_error_handler,
    HTTPException: http_error_handler,
    RecursionError: too_deep_handler,
    Exception: internal_error_handler,
}

__all__ = [
    "EXCEPTION_HANDLERS",
    "PROBLEM_JSON",
    "Conflict",
    "DomainError",
    "ErrorCode",
    "Forbidden",
    "InvalidInput",
    "NotFound",
    "TooManyRequests",
    "Unauthorized",
    "field_error",
    "problem",
]
