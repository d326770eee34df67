"""The schema post-processing step: Litestar's schema gets, for every operation, its
security, its problem answers and its examples.

Three sources, merged per operation:

- the route itself: parameters or a body can be invalid (400), a body too large (413),
  a form too long (422), a numeric path segment not a number (404), a path outside
  ``RATE_LIMIT_EXEMPT`` over its budget (429);
- its guards and providers, through the features' ``AUTH`` (the staff guards: 401,
  403; an agency's key: 401), which also give its security;
- its own declaration in the features' ``OPERATIONS`` (the use case's 404, 409, 422,
  its examples; the security of an operation without a guard).

Litestar's own error answers (application/json, a schema we never send) are dropped.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from http import HTTPStatus
from typing import Any

from litestar.handlers import HTTPRouteHandler
from litestar.routes import BaseRoute, HTTPRoute

from wcr import features
from wcr.errors import PROBLEM_JSON

from .contract import PUBLIC, Auth, Example, Guards, Operation, Operations, Security
from .problems import FIELD_ERROR, PROBLEM, SECURITY_SCHEMES, problem_response

WRITES = frozenset({"post", "put", "patch", "delete"})
METHODS = frozenset({"get", "head", *WRITES})
FORM = "application/x-www-form-urlencoded"

# Operations outside any feature (the app's own).
KERNEL: Operations = {"health": Operation(security=PUBLIC)}

BAD_INPUT = "a parameter or the body does not fit the schema; `errors` names each field"
NO_SUCH_PATH = "a path segment that must be a number is not one"
TOO_LARGE = "the body is too large"
FORM_TOO_LONG = "the form has too many fields"
RATE_LIMITED = (
    "more requests this minute than the limit, per address (signed-in staff: per account)"
)


Problems = dict[int, list[str]]


@dataclass(frozen=True)
class Declarations:
    operations: Operations
    auth: Guards

    @classmethod
    def of_features(cls) -> Declarations:
        """Every feature's ``api_docs`` module (where it has one), and the kernel's."""
        operations: dict[str, Operation] = dict(KERNEL)
        auth: dict[Callable[..., Any], Auth] = {}
        for feature in features.FEATURES:
            name = f"wcr.{feature}.api_docs"
            if importlib.util.find_spec(name) is None:
                continue
            module = importlib.import_module(name)
            declared: Operations = getattr(module, "OPERATIONS", {})
            if twice := operations.keys() & declared.keys():
                msg = f"{name} declares operations declared elsewhere: {sorted(twice)}"
                raise ValueError(msg)
            operations.update(declared)
            auth.update(getattr(module, "AUTH", {}))
        return cls(operations, auth)


@dataclass(frozen=True)
class Facts:
    """What the route tells of one operation."""

    path: str
    method: str
    auths: tuple[Auth, ...]
    numeric_path: bool


def route_facts(routes: Iterable[BaseRoute], auth: Guards) -> dict[tuple[str, str], Facts]:
    found: dict[tuple[str, str], Facts] = {}
    for route in routes:
        if not isinstance(route, HTTPRoute):
            continue
        numeric = any(
            p.type in (int, date) for p in route.path_parameters.values()
        )  # the router answers 404 for "abc" there
        for handler in route.route_handlers:
            if not handler.resolve_include_in_schema():
                continue
            auths = tuple(auth[c] for c in _callables(handler) if c in auth)
            for method in handler.http_methods:
                key = (route.path_format or "/", method.lower())
                found[key] = Facts(key[0], key[1], auths, numeric)
    return found


def _callables(handler: HTTPRouteHandler) -> list[Callable[..., Any]]:
    providers = [p.dependency for p in handler.resolve_dependencies().values()]
    return [*handler.resolve_guards(), *providers]


def security_of(facts: Facts | None, declared: Operation | None) -> Security | None:
    if declared is not None and declared.security is not None:
        return declared.security
    if facts is None or not facts.auths:
        return None
    merged: dict[tuple[str, ...], None] = {}
    for auth in facts.auths:
        merged.update(dict.fromkeys(auth.security))
    return tuple(merged)


def _route_problems(operation: dict[str, Any], facts: Facts | None) -> Problems:
    """What Litestar and our middleware answer before or around any handler."""
    found: Problems = {}
    body = operation.get("requestBody", {}).get("content", {})
    if operation.get("parameters") or body:
        found[HTTPStatus.BAD_REQUEST] = [BAD_INPUT]
    if body:
        found[HTTPStatus.REQUEST_ENTITY_TOO_LARGE] = [TOO_LARGE]
    if FORM in body:
        found[HTTPStatus.UNPROCESSABLE_ENTITY] = [FORM_TOO_LONG]
    if facts is not None and facts.numeric_path:
        found[HTTPStatus.NOT_FOUND] = [NO_SUCH_PATH]
    return found


def problems_of(
    operation: dict[str, Any],
    facts: Facts | None,
    declared: Operation | None,
    rate_limited: Callable[[str], bool],
) -> Problems:
    found = _route_problems(operation, facts)
    more: list[Mapping[int, str]] = []
    if facts is not None:
        if rate_limited(facts.path):
            more.append({HTTPStatus.TOO_MANY_REQUESTS: RATE_LIMITED})
        for auth in facts.auths:
            more.append(auth.problems)
            if facts.method in WRITES:
                more.append(auth.write_problems)
    if declared is not None:
        more.append(declared.problems)
    for problems in more:
        for status, reason in problems.items():
            found.setdefault(status, []).append(reason)
    return dict(sorted(found.items()))


def _examples(examples: Mapping[str, Example]) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    for name, example in examples.items():
        shown[name] = {"summary": example.summary, "value": example.value}
        if example.description:
            shown[name]["description"] = example.description
    return shown


def _requirements(security: Security) -> list[dict[str, list[str]]]:
    return [{name: [] for name in alternative} for alternative in security]


def document_operation(
    operation: dict[str, Any],
    facts: Facts | None,
    declared: Operation | None,
    rate_limited: Callable[[str], bool],
) -> None:
    security = security_of(facts, declared)
    if security is None:
        operation.pop("security", None)  # undeclared: tests/test_openapi_contract.py lists it
    else:
        operation["security"] = _requirements(security)
    responses: dict[str, Any] = {
        status: answer
        for status, answer in operation.get("responses", {}).items()
        if int(status) < HTTPStatus.BAD_REQUEST
    }
    shown = declared.response_examples if declared else {}
    for status, reasons in problems_of(operation, facts, declared, rate_limited).items():
        responses[str(status)] = problem_response(status, reasons, _examples(shown.get(status, {})))
    for status, examples in shown.items():
        answer = responses.get(str(status))
        if answer is None or status >= HTTPStatus.BAD_REQUEST:
            continue
        for media in answer.get("content", {}).values():
            media["examples"] = _examples(examples)
    operation["responses"] = responses
    if declared and declared.request_examples:
        for media in operation.get("requestBody", {}).get("content", {}).values():
            media["examples"] = _examples(declared.request_examples)


def document(
    schema: dict[str, Any],
    routes: Iterable[BaseRoute],
    rate_limited: Callable[[str], bool],
    declarations: Declarations | None = None,
) -> dict[str, Any]:
    """The schema (a dict, changed in place and returned) with every operation's
    security, problems and examples."""
    declarations = declarations or Declarations.of_features()
    facts = route_facts(routes, declarations.auth)
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            declared = declarations.operations.get(operation.get("operationId", ""))
            document_operation(operation, facts.get((path, method)), declared, rate_limited)
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {}).update({"Problem": PROBLEM, "FieldError": FIELD_ERROR})
    components["securitySchemes"] = SECURITY_SCHEMES
    return schema


__all__ = ["PROBLEM_JSON", "Declarations", "document"]
