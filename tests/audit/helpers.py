"""For any test: assert that the audit log holds an entry (``await audited(...)``),
and read the raw table (for "no secret in it" checks)."""

from __future__ import annotations

from typing import Any

from wcr.audit.public import ActorKind, AuditEntry, entries
from wcr.audit.tables import AuditEntry as AuditTable


async def audited(
    *,
    action: str | None = None,
    target_kind: str | None = None,
    target_id: str | int | None = None,
    actor_kind: ActorKind | None = None,
    actor_id: str | int | None = None,
    status: int | None = None,
    site_id: int | None = None,
) -> AuditEntry:
    """The newest entry matching every given filter; fails showing the newest entries."""
    found = await entries(
        action=action,
        target_kind=target_kind,
        target_id=None if target_id is None else str(target_id),
        actor_kind=actor_kind,
        actor_id=None if actor_id is None else str(actor_id),
        site_id=site_id,
        limit=500,
    )
    matching = [entry for entry in found if status is None or entry.status == status]
    if not matching:
        newest = "\n".join(map(describe, await entries(limit=20)))
        wanted = {
            "action": action,
            "target": f"{target_kind}:{target_id}",
            "actor": f"{actor_kind}:{actor_id}",
            "status": status,
        }
        msg = f"no audit entry like {wanted}; the newest are:\n{newest}"
        raise AssertionError(msg)
    return matching[0]


async def not_audited(**filters: Any) -> None:
    try:
        entry = await audited(**filters)
    except AssertionError:
        return
    msg = f"unexpected audit entry: {describe(entry)}"
    raise AssertionError(msg)


def describe(entry: AuditEntry) -> str:
    return (
        f"#{entry.id} {entry.actor} {entry.action} {entry.target_kind}:{entry.target_id} "
        f"site={entry.site_id} status={entry.status} from={entry.address} {entry.details}"
    )


async def table_text() -> str:
    """Every column of every audit row as one text, to search for what must never be in
    it."""
    return "\n".join(repr(row) for row in await AuditTable.select())
