"""The HTTP trail: every state-changing request leaves an entry, without a line in any
controller.

:class:`AuditTrail` is an app middleware. Litestar runs it inside the route, after the
routing and around the handler (its guards, its dependencies, its exception handler),
so when the response starts it knows the route's ``operation_id``, the path
parameters, what the guards left on the connection's state and the status. It writes
the entry then, before the first byte goes out: a client that saw the answer can find
the entry.

Who acted, from the state the guards and providers leave:

- ``state["staff"]``, the :class:`~wcr.accounts.public.Staff` the accounts guards
  resolve (for routes without a staff guard, e.g. logout, the trail asks accounts
  itself, before the handler, when the request carries a session credential);
- ``state["agency"]``, the agency whose key :func:`wcr.booking.deps.current_agency`
  accepted;
- a visitor: a route with ``{reference}`` that answered below 400 (or 409) was opened
  by the booking's manage token (the only way past it), one with ``{ticket_id}`` and
  no staff by the ticket's token.

What is written is an allow-list: the route's operation id, the path parameters named
in :data:`TARGETS` (so a feed token in a path never is), the status, the client
address. No header, no query string, no body: keys and tokens never reach the table.

Refused attempts by nobody we know (401, 403, or 404 on a route that needs a manage
or ticket token) are kept too, as the attacker's trail, but at most one per address,
operation and status a minute, and at most :data:`REFUSALS_PER_MINUTE` in all per
process; the rate limits bound the rest before a request gets here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from wcr.accounts.public import Staff, staff_of_request
from wcr.catalogue import public as catalogue
from wcr.tokens import AGENCY_KEY_PREFIX, normalise_reference

from .journal import record
from .records import Actor, ActorKind

log = logging.getLogger("wcr.audit")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# POSTs that change nothing: a calendar file sent for a form's token, a pattern preview.
READ_ONLY = frozenset({"bookingCalendarForm", "previewSlots"})
# Path parameters that name what was acted on, most specific first: the first present
# is the target, the others go into the details. Nothing outside this list is written.
TARGETS: tuple[tuple[str, str], ...] = (
    ("reference", "booking"),
    ("ticket_id", "ticket"),
    ("slot_id", "slot"),
    ("closed_day_id", "closed_day"),
    ("counter", "counter"),
    ("counter_id", "counter"),
    ("staff_id", "staff"),
    ("key_id", "agency_key"),
    ("package", "package"),
    ("service", "service"),
    ("agency", "agency"),
    ("site", "site"),
)
MAX_PARAM = 64
REFUSED = frozenset({401, 403})
# Without the right token these answer 404 "as if it did not exist": a guess.
TOKEN_PARAMS = frozenset({"reference", "ticket_id"})
NOT_FOUND = 404
BAD_REQUEST = 400
CONFLICT = 409
REFUSALS_PER_MINUTE = 300
SESSION_COOKIE = "wcr_staff"

# The client address and state of the request being handled, for entries written
# further down (a domain event's subscriber) that do not see the request.
_current: ContextVar[Scope | None] = ContextVar("audit_request", default=None)


@dataclass(frozen=True)
class Explicit:
    """What a handler may say about its target when the path does not (a new record's
    id): :func:`describe` puts it on the connection's state."""

    target_kind: str
    target_id: str
    site_id: int | None = None
    details: Mapping[str, str | int | None] = field(default_factory=dict)


STATE_KEY = "audit_target"


def describe(
    connection: ASGIConnection[Any, Any, Any, Any],
    target_kind: str,
    target_id: str | int,
    *,
    site_id: int | None = None,
    details: Mapping[str, str | int | None] | None = None,
) -> None:
    """Name this request's target for its audit entry (instead of the path's)."""
    connection.state[STATE_KEY] = Explicit(target_kind, str(target_id), site_id, details or {})


def client_address(scope: Scope) -> str | None:
    client = scope.get("client")
    return str(client[0]) if client else None


def current_request() -> Scope | None:
    return _current.get()


def actor_of_state(state: Mapping[str, Any]) -> Actor | None:
    staff = state.get("staff")
    if isinstance(staff, Staff):
        return Actor(ActorKind.STAFF, str(staff.id))
    agency = state.get("agency")
    if isinstance(agency, catalogue.Agency):
        return Actor(ActorKind.AGENCY, str(agency.id))
    return None


@dataclass(frozen=True)
class Entry:
    actor: Actor
    action: str
    target_kind: str
    target_id: str
    site_id: int | None
    address: str | None
    status: int
    details: dict[str, str | int | None]


def _operation(scope: Scope) -> str:
    handler = scope.get("route_handler")
    operation = getattr(handler, "operation_id", None)
    if isinstance(operation, str):
        return operation
    # Never the path itself: a feed token rides in one.
    return str(getattr(handler, "handler_name", "") or "?")


def _target(params: Mapping[str, Any]) -> tuple[str, str, dict[str, str | int | None]]:
    target: tuple[str, str] | None = None
    details: dict[str, str | int | None] = {}
    for name, kind in TARGETS:
        if name not in params:
            continue
        value = params[name]
        shown = value if isinstance(value, int) else str(value)[:MAX_PARAM]
        if name == "reference":
            shown = normalise_reference(str(shown))[:MAX_PARAM]
        if target is None:
            target = (kind, str(shown))
        else:
            details[name] = shown
    kind, target_id = target or ("", "")  # a login, a new booking: nothing named yet
    return kind, target_id, details


def _site_id(state: Mapping[str, Any]) -> int | None:
    site = state.get("site")
    if isinstance(site, catalogue.Site):
        return site.id
    staff = state.get("staff")
    if isinstance(staff, Staff) and not staff.is_admin:
        return staff.site_id  # their own site: the guards let them act nowhere else
    return None


def entry_of(scope: Scope, status: int) -> Entry | None:
    """The entry for this response, or None when there is none to write."""
    state: Mapping[str, Any] = scope.get("state", {})
    params: Mapping[str, Any] = scope.get("path_params", {})
    action = _operation(scope)
    actor = actor_of_state(state)
    # Past the manage (or ticket) token: a success, or a conflict only the use case
    # behind the token check can answer.
    if actor is None and (status < BAD_REQUEST or status == CONFLICT):
        if "reference" in params:
            actor = Actor(ActorKind.VISITOR, normalise_reference(str(params["reference"])))
        elif "ticket_id" in params:
            actor = Actor(ActorKind.VISITOR, f"ticket-{params['ticket_id']}")
    refused = status in REFUSED or (status == NOT_FOUND and bool(TOKEN_PARAMS & set(params)))
    if actor is None and not refused:
        return None  # an anonymous request that was let through: the public's own
    if action in READ_ONLY and not refused:
        return None
    kind, target_id, details = _target(params)
    site_id = _site_id(state)
    explicit = state.get(STATE_KEY)
    if isinstance(explicit, Explicit):
        kind, target_id = explicit.target_kind, explicit.target_id
        site_id = explicit.site_id if explicit.site_id is not None else site_id
        details |= dict(explicit.details)
    return Entry(
        actor=actor or Actor(ActorKind.ANONYMOUS, ""),
        action=action,
        target_kind=kind,
        target_id=target_id,
        site_id=site_id,
        address=client_address(scope),
        status=status,
        details=details,
    )


class RefusalBudget:
    """At most one refused attempt per (address, operation, status) a minute, and at
    most ``per_minute`` in all: a flood of bad keys cannot fill the table.

    The minute starts at the first refusal it counts (not on the clock's minute), so a
    burst shorter than a minute is written once however it falls on the clock."""

    WINDOW = 60.0

    def __init__(
        self, per_minute: int = REFUSALS_PER_MINUTE, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self.started: float | None = None
        self.seen: set[tuple[str | None, str, int]] = set()
        self.dropped = 0

    def allows(self, entry: Entry) -> bool:
        now = self.clock()
        if self.started is None or now - self.started >= self.WINDOW:
            if self.dropped:
                log.warning("audit: %d refused attempts not written last minute", self.dropped)
            self.started, self.seen, self.dropped = now, set(), 0
        key = (entry.address, entry.action, entry.status)
        if key in self.seen or len(self.seen) >= self.per_minute:
            self.dropped += 1
            return False
        self.seen.add(key)
        return True


def _has_session_credential(scope: Scope) -> bool:
    headers = dict(scope.get("headers", ()))
    authorization = headers.get(b"authorization", b"").decode("latin-1")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return not token.strip().startswith(AGENCY_KEY_PREFIX)
    return SESSION_COOKIE.encode() in headers.get(b"cookie", b"")


class AuditTrail(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)
    exclude_opt_key = "no_audit"  # a handler with opt={"no_audit": True} is left out

    def __init__(self, budget: RefusalBudget | None = None) -> None:
        self.budget = budget or RefusalBudget()

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope.get("method", "GET") in SAFE_METHODS:
            await next_app(scope, receive, send)
            return
        handler = scope.get("route_handler")
        if not getattr(handler, "resolve_guards", list)() and _has_session_credential(scope):
            # No staff guard here (logout): ask now, before the handler ends the session.
            await staff_of_request(ASGIConnection(scope, receive))
        written = False

        async def send_after_writing(message: Message) -> None:
            nonlocal written
            if message["type"] == "http.response.start" and not written:
                written = True
                await self.write(scope, int(message["status"]))
            await send(message)

        token = _current.set(scope)
        try:
            await next_app(scope, receive, send_after_writing)
        finally:
            _current.reset(token)

    async def write(self, scope: Scope, status: int) -> None:
        entry = entry_of(scope, status)
        if entry is None:
            return
        if entry.actor.kind == ActorKind.ANONYMOUS and not self.budget.allows(entry):
            return
        try:
            await record(
                entry.actor,
                entry.action,
                entry.target_kind,
                entry.target_id,
                address=entry.address,
                details=entry.details,
                site_id=entry.site_id,
                status=entry.status,
            )
        except Exception:
            # The change is made and answered already; a lost entry is logged, not
            # turned into an error for a request that succeeded.
            log.exception("audit entry not written for %s %s", entry.action, status)


__all__ = ["AuditTrail", "describe"]
