"""What the data protection use cases hand back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Purge:
    """One purge: the visits before ``cutoff`` and, per table (or ``outbox files``), how
    many rows had personal data erased or removed (would have, with ``dry_run``)."""

    cutoff: datetime
    retention_days: int
    dry_run: bool
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Erasure:
    """One person erased: the bookings cancelled first (references), per table how many
    rows had personal data erased, messages dropped or lock rows removed, and the other
    contacts the erased bookings held (the operator decides whether they are the same
    person's too: erasing follows only the contact asked for)."""

    cancelled: tuple[str, ...]
    counts: dict[str, int] = field(default_factory=dict)
    other_contacts: tuple[str, ...] = ()
    # The waitlist entries that were still open and left the list (references).
    left_waitlist: tuple[str, ...] = ()
