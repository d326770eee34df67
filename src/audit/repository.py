"""Every query of the audit log. Entries are appended and read; the one change is to
forget old client addresses. There is deliberately no other update and no delete (and
the database refuses them, see the migration's triggers)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from wcr.database import json_value

from .records import Actor, ActorKind, Details
from .records import AuditEntry as Entry
from .tables import AuditEntry


async def append(
    *,
    at: datetime,
    actor: Actor,
    action: str,
    target_kind: str,
    target_id: str,
    site_id: int | None,
    address: str | None,
    status: int | None,
    details: Details,
) -> None:
    """One new row; on the current transaction when the caller is inside one."""
    await AuditEntry.insert(
        AuditEntry(
            at=at,
            actor_kind=str(actor.kind),
            actor_id=actor.id,
            action=action,
            target_kind=target_kind,
            target_id=target_id,
            site_id=site_id,
            address=address,
            status=status,
            details=details,
        )
    )


async def select(
    *,
    target_kind: str | None,
    target_id: str | None,
    actor_kind: ActorKind | None,
    actor_id: str | None,
    action: str | None,
    site_id: int | None,
    before_id: int | None,
    limit: int,
) -> list[Entry]:
    """Newest first; ``before_id`` pages backwards (entries with a smaller id)."""
    query = AuditEntry.select().order_by(AuditEntry.id, ascending=False).limit(limit)
    if target_kind is not None:
        query = query.where(AuditEntry.target_kind == target_kind)
    if target_id is not None:
        query = query.where(AuditEntry.target_id == target_id)
    if actor_kind is not None:
        query = query.where(AuditEntry.actor_kind == str(actor_kind))
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if site_id is not None:
        query = query.where(AuditEntry.site_id == site_id)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    return [_entry(row) for row in await query]


async def forget_addresses(before: datetime) -> int:
    """Set the client address of entries older than ``before`` to NULL; how many."""
    rows = await (
        AuditEntry.update({AuditEntry.address: None})
        .where(AuditEntry.at < before, AuditEntry.address.is_not_null())
        .returning(AuditEntry.id)
    )
    return len(rows)


def _entry(row: dict[str, Any]) -> Entry:
    return Entry(
        id=row["id"],
        at=row["at"],
        actor=Actor(ActorKind(row["actor_kind"]), row["actor_id"]),
        action=row["action"],
        target_kind=row["target_kind"],
        target_id=row["target_id"],
        site_id=row["site_id"],
        address=row["address"],
        status=row["status"],
        details=json_value(row["details"]),
    )
