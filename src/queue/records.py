"""Typed records of the front desk, and the statuses and kinds its rows can take."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class TicketStatus(StrEnum):
    WAITING = "waiting"  # in the line of its current service
    CALLED = "called"  # at a counter
    PARKED = "parked"  # set aside by the desk (fetching a document): out of the line
    DONE = "done"  # every service of the visit given
    NO_SHOW = "no_show"  # did not come when called
    LEFT = "left"  # the visitor left the queue from the ticket page


# A ticket in these is still somewhere in the waiting room (the partial unique indexes
# of remote tickets list the same statuses).
ACTIVE = frozenset({TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.PARKED})


class CounterState(StrEnum):
    """Only an open counter calls; the display shows the others as paused or closed."""

    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


class TicketKind(StrEnum):
    APPOINTMENT = "appointment"  # checked in on time: ordered by the booked time
    WALKIN = "walkin"  # walked in, or came too late for the booking: ordered by arrival


class StepOutcome(StrEnum):
    """How one service given at a counter ended (a ``ticket_step`` row)."""

    DONE = "done"
    NO_SHOW = "no_show"
    TRANSFERRED = "transferred"
    PARKED = "parked"  # set aside from the counter; it comes back into the line later


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
    PARKED = "parked"
    UNPARKED = "unparked"
    RESTORED = "restored"  # a no-show undone: back in its line
    LEFT = "left"  # the visitor left the queue
    NOTED = "noted"  # the desk's note changed (the event does not carry it)
    COUNTER = "counter"  # a counter opened, paused or closed (carries the counter)


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
    language: str = "de"
    note: str | None = None
    parked_at: datetime | None = None
    step: int = 0  # the n-th line it waits in (see the table)
    almost_step: int | None = None  # the last line it was told "almost your turn" in
    remote: bool = False


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
    language: str = "de"
    remote: bool = False
    phone_key: str | None = None
    email_key: str | None = None


@dataclass(frozen=True)
class Counter:
    id: int
    site_id: int
    name: str
    state: CounterState = CounterState.OPEN


@dataclass(frozen=True)
class NextCall:
    """What call-next's one statement found (:func:`.repository.call_next_ticket`)."""

    counter: Counter | None  # None: the site has no such counter
    ticket: Ticket | None  # the ticket called now, if any
    # A ticket was picked but not called (PostgreSQL: another transaction changed it
    # between the pick and the update; try again).
    lost: bool = False
    # Nobody picked, but tickets wait in the counter's lines, each held by another
    # transaction for a moment (PostgreSQL: the pick skips held rows; try again).
    held: bool = False


@dataclass(frozen=True)
class Call:
    """A ticket call-next called, with what the live displays show of it."""

    ticket: Ticket
    counter_name: str
    queue: str  # the service's slug
    queue_name: str  # in English, as the live stream names queues


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


@dataclass(frozen=True)
class WaitSample:
    """One call of the day: how long the visitor waited in that line."""

    queued_at: datetime
    called_at: datetime


@dataclass(frozen=True)
class DayCounts:
    """What a site's day holds so far (its local day), for today's figures."""

    issued: int
    served: int  # services given (a one-stop visitor served by two agencies counts twice)
    no_shows: int
    left: int
    waiting: int
    parked: int
    longest_waiting_since: datetime | None  # queued_at of who waits longest now
    waits: tuple[WaitSample, ...]
