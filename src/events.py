"""In-process domain events: how one feature tells the others what happened.

A feature that changes something emits an event (``await emit(PlaceFreed(...))``)
inside the transaction of the change; every handler subscribed to that event type
runs right there, awaited in order, on the same connection. So what a handler writes
(an outbox row, say) commits or rolls back with the change itself, and a handler's
error aborts the change. Handlers must therefore be quick and must not open a
transaction of their own (a nested ``transaction()`` joins the outer one anyway).

The event types belong to the feature that emits them and are part of its
``public.py``; subscriptions are declared in a feature's ``subscribers.py`` and
installed once by :func:`wcr.features.install_subscribers`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar


@dataclass(frozen=True, kw_only=True)
class Event:
    """Base of every domain event: frozen, plain data, no rows or connections."""


E = TypeVar("E", bound=Event)
Handler = Callable[[Any], Awaitable[None]]

_handlers: dict[type[Event], list[Handler]] = defaultdict(list)


def subscribe(event_type: type[E], handler: Callable[[E], Awaitable[None]]) -> None:
    """Run ``handler`` for every ``event_type`` emitted; subscribing twice is a no-op."""
    if handler not in _handlers[event_type]:
        _handlers[event_type].append(handler)


def unsubscribe(event_type: type[E], handler: Callable[[E], Awaitable[None]]) -> None:
    if handler in _handlers[event_type]:
        _handlers[event_type].remove(handler)


def handlers(event_type: type[Event]) -> list[Handler]:
    """Who is subscribed to ``event_type``, in the order they run."""
    return list(_handlers[event_type])


async def emit(event: Event) -> None:
    for handler in list(_handlers[type(event)]):
        await handler(event)
