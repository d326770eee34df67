"""Domain errors and their one mapping to RFC 9457 problem details.

Services raise :class:`DomainError` subclasses; nothing else decides HTTP statuses.
Any other exception becomes a bare 500 problem without a trace (and is logged).
"""

from __future__ import annotations

import keyword
import logging
import re
from http import HTTPStatus
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

log = logging.getLogger("wcr")

PROBLEM_JSON = "application/problem+json"


class DomainError(Exception):
    status = 400
    title = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        errors: list[dict[str, str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        # More members of the problem (RFC 9457 extensions), e.g. where to go instead.
        self.extra = extra or {}


class InvalidInput(DomainError):
    status = 422
    title = "Invalid input"

    @classmethod
    def field(cls, field: str, message: str) -> InvalidInput:
        return cls(f"{field}: {message}", errors=[{"field": field, "message": message}])


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
    "Forbidden",
    "InvalidInput",
    "NotFound",
    "TooManyRequests",
    "Unauthorized",
    "problem",
]
