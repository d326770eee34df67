"""The front desk's errors, each with a stable machine ``code`` the console translates.

Every problem answer of the queue's endpoints carries ``code`` (RFC 9457 extension
member), besides ``detail`` in English and ``errors: [{"field", "message"}]`` for bad
input. The codes:

``invalid_input`` (400/422, see ``errors``), ``sign_in`` (401), ``forbidden`` (403),
``other_site`` (403, a ticket of another site), ``not_found`` (404),
``ticket_not_found``, ``counter_not_found``, ``number_not_found`` (404, field
``number``), ``booking_not_found``, ``counter_not_open`` (409, with ``state``),
``ticket_wrong_state`` (409, with ``ticket_status``), ``checked_in_already``,
``booking_not_active``, ``no_appointment_today``, ``no_queue_here``, ``too_early``
(409, with ``opens_at``), ``queue_busy``, ``undo_too_late``, ``remote_queue_off``
(403), ``site_closed`` (409), ``remote_ticket_exists`` (409), ``conflict`` (any other
409), ``too_many_requests`` (429).

Errors raised elsewhere (a guard, a catalogue look-up, msgspec's validation) get the
code of their status through :data:`EXCEPTION_HANDLERS`, which the queue's
controllers install.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException

from wcr.errors import (
    Conflict,
    DomainError,
    ErrorCode,
    Forbidden,
    InvalidInput,
    NotFound,
    Param,
    domain_error_handler,
    http_error_handler,
)


class Code(StrEnum):
    INVALID_INPUT = "invalid_input"
    SIGN_IN = "sign_in"
    FORBIDDEN = "forbidden"
    OTHER_SITE = "other_site"
    NOT_FOUND = "not_found"
    TICKET_NOT_FOUND = "ticket_not_found"
    COUNTER_NOT_FOUND = "counter_not_found"
    NUMBER_NOT_FOUND = "number_not_found"
    BOOKING_NOT_FOUND = "booking_not_found"
    COUNTER_NOT_OPEN = "counter_not_open"
    TICKET_WRONG_STATE = "ticket_wrong_state"
    CHECKED_IN_ALREADY = "checked_in_already"
    BOOKING_NOT_ACTIVE = "booking_not_active"
    NO_APPOINTMENT_TODAY = "no_appointment_today"
    NO_QUEUE_HERE = "no_queue_here"
    TOO_EARLY = "too_early"
    QUEUE_BUSY = "queue_busy"
    UNDO_TOO_LATE = "undo_too_late"
    REMOTE_QUEUE_OFF = "remote_queue_off"
    SITE_CLOSED = "site_closed"
    REMOTE_TICKET_EXISTS = "remote_ticket_exists"
    CONFLICT = "conflict"
    TOO_MANY_REQUESTS = "too_many_requests"


BY_STATUS = {
    400: Code.INVALID_INPUT,
    401: Code.SIGN_IN,
    403: Code.FORBIDDEN,
    404: Code.NOT_FOUND,
    409: Code.CONFLICT,
    422: Code.INVALID_INPUT,
    429: Code.TOO_MANY_REQUESTS,
}


def conflict(code: Code, detail: str, **extra: Any) -> Conflict:
    return Conflict(detail, extra={"code": code, **extra})


def not_found(code: Code, detail: str) -> NotFound:
    return NotFound(detail, extra={"code": code})


def forbidden(code: Code, detail: str) -> Forbidden:
    return Forbidden(detail, extra={"code": code})


def invalid(
    field: str,
    message: str,
    code: Code = Code.INVALID_INPUT,
    reason: ErrorCode | None = None,
    **params: Param,
) -> InvalidInput:
    """Bad input: the problem's ``code`` the desk's, ``reason`` the entry's own code."""
    error = InvalidInput.field(field, message, reason, **params)
    error.extra = {"code": code}
    return error


def wrong_state(number: str, status: str, detail: str | None = None) -> Conflict:
    return conflict(
        Code.TICKET_WRONG_STATE, detail or f"ticket {number} is {status}", ticket_status=status
    )


def _default(status: int) -> str:
    return BY_STATUS.get(status, Code.INVALID_INPUT if status < 500 else "server_error")  # noqa: PLR2004


def _domain(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    if "code" not in exc.extra:
        exc.extra = {**exc.extra, "code": _default(exc.status)}
    return domain_error_handler(request, exc)


def _http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    response = http_error_handler(request, exc)
    if isinstance(response.content, dict):
        response.content.setdefault("code", _default(response.status_code or 400))
    return response


# The queue's controllers install these: every problem they answer carries a code.
EXCEPTION_HANDLERS: dict[Any, Any] = {DomainError: _domain, HTTPException: _http}
