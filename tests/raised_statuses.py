"""The statuses an operation can answer, read from the code: every domain error (and
Litestar HTTP exception) constructed in its handler, its guards, its providers and,
transitively, in every function of ours they call.

An over-approximation (a branch never taken still counts; a call through an object
whose type the source does not say is not followed), which is what the check needs:
a documented status that no code path can produce is an error in the docs.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import textwrap
import types
from functools import cache
from typing import Any

from litestar.exceptions import HTTPException
from litestar.handlers import HTTPRouteHandler

from wcr.errors import DomainError


def _status_of(obj: Any) -> int | None:
    if isinstance(obj, type) and issubclass(obj, DomainError):
        return obj.status
    if isinstance(obj, type) and issubclass(obj, HTTPException):
        return obj.status_code
    return None


def _resolve(node: ast.expr, namespace: dict[str, Any], owner: type | None) -> Any:
    """What a name or dotted name in a function's source refers to, if it can be told."""
    if isinstance(node, ast.Name):
        if node.id in {"self", "cls"} and owner is not None:
            return owner
        return namespace.get(node.id, getattr(builtins, node.id, None))
    base = _resolve(node.value, namespace, owner) if isinstance(node, ast.Attribute) else None
    if base is None or not isinstance(node, ast.Attribute):
        return None
    try:
        return (
            inspect.getattr_static(base, node.attr)
            if isinstance(base, type)
            else getattr(base, node.attr)
        )
    except AttributeError:
        return None


def _function(obj: Any) -> types.FunctionType | None:
    """The plain function of ours behind a callable (method, classmethod, class)."""
    if isinstance(obj, (classmethod, staticmethod)):
        obj = obj.__func__
    if isinstance(obj, types.MethodType):
        obj = obj.__func__
    if isinstance(obj, type):
        obj = obj.__dict__.get("__init__")
    if callable(obj):
        obj = inspect.unwrap(obj)
    if isinstance(obj, types.FunctionType) and (obj.__module__ or "").startswith("wcr."):
        return obj
    return None


def _owner(fn: types.FunctionType) -> type | None:
    parts = fn.__qualname__.split(".")
    if len(parts) < 2 or "<locals>" in parts:
        return None
    found = inspect.getmodule(fn)
    for part in parts[:-1]:
        found = getattr(found, part, None)
    return found if isinstance(found, type) else None


@cache
def _direct(fn: types.FunctionType) -> tuple[frozenset[int], tuple[types.FunctionType, ...]]:
    """The statuses ``fn`` constructs itself, and the functions of ours it calls."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError):
        return frozenset(), ()
    namespace, owner = fn.__globals__, _owner(fn)
    statuses: set[int] = set()
    calls: list[types.FunctionType] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        callee = _resolve(node.func, namespace, owner)
        status = _status_of(callee)
        if status is None and isinstance(node.func, ast.Attribute):
            # InvalidInput.field(...): a constructor of the class it is called on
            status = _status_of(_resolve(node.func.value, namespace, owner))
        if status is not None:
            statuses.add(status)
        elif (target := _function(callee)) is not None:
            calls.append(target)
    return frozenset(statuses), tuple(calls)


def statuses_raised(*callables: Any) -> set[int]:
    found: set[int] = set()
    seen: set[types.FunctionType] = set()
    todo = [fn for c in callables if (fn := _function(c)) is not None]
    while todo:
        fn = todo.pop()
        if fn in seen:
            continue
        seen.add(fn)
        statuses, calls = _direct(fn)
        found |= statuses
        todo.extend(calls)
    return found


def handler_statuses(handler: HTTPRouteHandler) -> set[int]:
    """What the handler, its guards and its providers can raise."""
    providers = [p.dependency for p in handler.resolve_dependencies().values()]
    return statuses_raised(handler.fn, *handler.resolve_guards(), *providers)
