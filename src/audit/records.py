"""What the audit log hands out: who acted, and the entries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ActorKind(StrEnum):
    STAFF = "staff"  # id: the staff account's id
    AGENCY = "agency"  # id: the agency's id (its key is never written)
    VISITOR = "visitor"  # id: the booking reference the manage token opened
    SYSTEM = "system"  # id: the part of the system: "cli", "purge", "worker"
    ANONYMOUS = "anonymous"  # a refused attempt without a credential we know; id ""


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    id: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"


SYSTEM_CLI = Actor(ActorKind.SYSTEM, "cli")
SYSTEM_PURGE = Actor(ActorKind.SYSTEM, "purge")
SYSTEM_WORKER = Actor(ActorKind.SYSTEM, "worker")

Details = dict[str, str | int | None]


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: Actor
    action: str
    target_kind: str
    target_id: str
    site_id: int | None = None
    address: str | None = None
    status: int | None = None
    details: Details = field(default_factory=dict)
