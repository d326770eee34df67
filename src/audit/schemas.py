"""The audit log's JSON answers."""

from __future__ import annotations

import msgspec


class AuditEntryView(msgspec.Struct, kw_only=True):
    id: int
    at: str  # ISO 8601, UTC
    actor_kind: str
    actor_id: str
    action: str
    target_kind: str
    target_id: str
    site_id: int | None
    address: str | None
    status: int | None
    details: dict[str, str | int | None]


class AuditPage(msgspec.Struct, kw_only=True):
    entries: list[AuditEntryView]
    # Pass as ``before`` for the next, older page; null on the last one.
    next_before: int | None
