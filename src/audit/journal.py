"""Writing and reading the audit log: the rules of an entry (ids only, bounded
lengths), the queries are the repository's."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from wcr.clock import now

from . import repository as repo
from .records import Actor, ActorKind, AuditEntry

# The columns' lengths: longer values are cut, never refused (an audit write must not
# fail the change it records).
MAX_ACTOR_ID = 64
MAX_ACTION = 64
MAX_TARGET_KIND = 32
MAX_TARGET_ID = 128
MAX_ADDRESS = 64
MAX_DETAIL = 200
MAX_LIMIT = 500


# Who acts where no request does: the CLI, the purge, a worker (see :func:`acting_as`).
_acting: ContextVar[Actor | None] = ContextVar("audit_acting", default=None)


@contextmanager
def acting_as(actor: Actor) -> Iterator[None]:
    """Entries written within (by domain events' subscribers) name ``actor``."""
    token = _acting.set(actor)
    try:
        yield
    finally:
        _acting.reset(token)


def acting() -> Actor | None:
    return _acting.get()


def _cut(value: str, length: int) -> str:
    return value[:length]


async def record(
    actor: Actor,
    action: str,
    target_kind: str,
    target_id: str | int,
    *,
    address: str | None = None,
    details: Mapping[str, str | int | None] | None = None,
    site_id: int | None = None,
    status: int | None = None,
) -> None:
    """Append one entry; runs on the current connection/transaction when called inside
    one, so it commits or rolls back with the change it records.

    Never pass names, contacts or secrets: ids and references only (the log outlives
    the GDPR purge)."""
    await repo.append(
        at=now(),
        actor=Actor(actor.kind, _cut(actor.id, MAX_ACTOR_ID)),
        action=_cut(action, MAX_ACTION),
        target_kind=_cut(target_kind, MAX_TARGET_KIND),
        target_id=_cut(str(target_id), MAX_TARGET_ID),
        site_id=site_id,
        address=_cut(address, MAX_ADDRESS) if address else None,
        status=status,
        details={
            _cut(key, MAX_ACTION): _cut(value, MAX_DETAIL) if isinstance(value, str) else value
            for key, value in (details or {}).items()
        },
    )


async def entries(
    *,
    target_kind: str | None = None,
    target_id: str | None = None,
    actor_kind: ActorKind | None = None,
    actor_id: str | None = None,
    action: str | None = None,
    site_id: int | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[AuditEntry]:
    """Newest first, at most ``limit`` (≤ 500); ``before_id`` pages back."""
    return await repo.select(
        target_kind=target_kind,
        target_id=target_id,
        actor_kind=actor_kind,
        actor_id=actor_id,
        action=action,
        site_id=site_id,
        before_id=before_id,
        limit=max(1, min(limit, MAX_LIMIT)),
    )


async def forget_addresses(before: datetime) -> int:
    """Forget the client address of every entry older than ``before`` (an address is
    personal data; the rest of an entry is not): for the retention purge. How many."""
    return await repo.forget_addresses(before)
