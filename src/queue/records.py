"""Typed records of the front desk, and the statuses and kinds its rows can take."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class TicketStatus(StrEnum):
    WAITING = "waiting"  # in the line of its current service
    CALLED = "called"  # at a counter
    DONE = "done"  # every service of the visit given
    NO_SHOW = "no_show"  # did not come when called (or left)


class TicketKind(StrEnum):
    APPOINTMENT = "appointment"  # checked in on time: ordered by the booked time
    WALKIN = "walkin"  # walked in, or came too late for the booking: ordered by arrival


class StepOutcome(StrEnum):
    """How one service given at a counter ended (a ``ticket_step`` row)."""

    DONE = "done"
    NO_SHOW = "no_show"
    TRANSFERRED = "transferred"


class LiveEvent(StrEnum):
    """What the live stream tells a display about a ticket."""

    CHECKED_IN = "checked_in"
    CREATED = "created"
    CALLED = "called"
    RECALLED = "recalled"
    NO_SHOW = "no_show"
    QUEUED = "queued"  # a one-stop visitor joined the next agency's line
    FINISHED = "finished"
    TRANSFERRED = "transferred"


@dataclass(frozen=True)
class Step:
    """A service still to come in a visit, with the booked time if there is one."""

    service_id: int
    due: datetime | None

    def to_json(self) -> dict[str, Any]:
        return {"service": self.service_id, "due": self.due.isoformat() if self.due else None}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Step:
        due = data.get("due")
        return cls(int(data["service"]), datetime.fromisoformat(due) if due else None)


@dataclass(frozen=True)
class Ticket:
    id: int
    site_id: int
    day: date  # the site's local day the number belongs to
    code: str  # A001
    booking_id: int | None
    service_id: int  # the queue it waits in now
    next_steps: tuple[Step, ...]  # services still to come (a one-stop visit), in order
    kind: TicketKind
    priority: bool
    name: str | None
    phone: str | None
    status: TicketStatus
    counter_id: int | None
    recalls: int
    due_at: datetime  # the ordering time: booked time, or arrival
    created_at: datetime
    queued_at: datetime  # entered the current queue
    called_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True)
class NewTicket:
    """What issuing a ticket writes; the database adds the id."""

    site_id: int
    day: date
    code: str
    booking_id: int | None
    first: Step
    rest: tuple[Step, ...]
    kind: TicketKind
    priority: bool
    name: str | None
    phone: str | None
    due_at: datetime
    at: datetime


@dataclass(frozen=True)
class Counter:
    id: int
    site_id: int
    name: str


@dataclass(frozen=True)
class ProfileEntry:
    """One service of a counter's work profile; lower rank is called first."""

    counter_id: int
    service_id: int
    rank: int


@dataclass(frozen=True)
class ServiceTime:
    """When a finished service was called and ended: the source of estimated waits."""

    service_id: int
    called_at: datetime
    finished_at: datetime
