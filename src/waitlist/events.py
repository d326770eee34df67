"""What the waitlist tells the rest of the system (notifications send the messages)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from wcr.events import Event

from .records import EntryRecord


@dataclass(frozen=True, kw_only=True)
class EntryJoined(Event):
    """A visitor joined the list; they are to get the link to their entry's page."""

    entry_id: int
    reference: str
    email: str | None
    phone: str | None
    language: str
    at: datetime


@dataclass(frozen=True, kw_only=True)
class OfferMade(Event):
    """Places were held for an entry until ``expires_at``; its visitor is to be told."""

    entry_id: int
    reference: str
    email: str | None
    phone: str | None
    language: str
    slot_ids: tuple[int, ...]
    starts_at: datetime
    expires_at: datetime
    at: datetime


class EndedBecause(StrEnum):
    LAPSED = "lapsed"  # offered often enough, or its days passed
    LEFT = "left"  # the visitor left the list


@dataclass(frozen=True, kw_only=True)
class EntryEnded(Event):
    """An entry left the list without a booking; its visitor is to be told."""

    entry_id: int
    reference: str
    email: str | None
    phone: str | None
    language: str
    because: EndedBecause
    at: datetime
    # No message: the person asked for their data to be erased (wcr person-erase).
    silent: bool = False

    @classmethod
    def of(
        cls, entry: EntryRecord, because: EndedBecause, at: datetime, *, silent: bool = False
    ) -> EntryEnded:
        return cls(
            entry_id=entry.id,
            reference=entry.reference,
            email=entry.email,
            phone=entry.phone,
            language=entry.language,
            because=because,
            at=at,
            silent=silent,
        )
