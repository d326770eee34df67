from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from wcr.database import MAX_ID

Slug = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Language = Annotated[str, msgspec.Meta(min_length=2, max_length=8)]


class CheckInRequest(msgspec.Struct, forbid_unknown_fields=True):
    # The reference as typed or read from the confirmation's QR code (which may hold
    # the whole manage link).
    reference: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]


class WalkInRequest(msgspec.Struct, forbid_unknown_fields=True):
    service: Slug | None = None
    services: Annotated[list[Slug], msgspec.Meta(max_length=5)] | None = None
    name: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    phone: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    priority: bool = False
    language: Language | None = None  # the visitor's; de when not given


class RemoteTicketRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Joining a walk-in line from one's phone: services, name, a contact (phone or
    e-mail), the language, and the ALTCHA solution; or a booked visitor's remote
    check-in: ``reference`` alone, with the manage token as ``Authorization: Bearer``."""

    service: Slug | None = None
    services: Annotated[list[Slug], msgspec.Meta(max_length=5)] | None = None
    name: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    phone: Annotated[str, msgspec.Meta(max_length=64)] | None = None
    email: Annotated[str, msgspec.Meta(max_length=320)] | None = None
    language: Language | None = None
    altcha: Annotated[str, msgspec.Meta(max_length=4096)] | None = None
    reference: Annotated[str, msgspec.Meta(min_length=1, max_length=300)] | None = None


class TransferRequest(msgspec.Struct, forbid_unknown_fields=True):
    service: Slug


class CallRequest(msgspec.Struct, forbid_unknown_fields=True):
    """A chosen ticket: by id, or by the number on it as typed (``A012``, ``a12``)."""

    ticket_id: Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)] | None = None
    number: Annotated[str, msgspec.Meta(min_length=1, max_length=16)] | None = None


class CounterStateRequest(msgspec.Struct, forbid_unknown_fields=True):
    state: Literal["open", "paused", "closed"]


class NoteRequest(msgspec.Struct, forbid_unknown_fields=True):
    note: Annotated[str, msgspec.Meta(max_length=500)]  # "" clears it


class TicketView(msgspec.Struct):
    id: int
    number: str
    status: str
    queue: str
    queue_name: str
    kind: str
    priority: bool
    name: str | None
    due: str
    counter: str | None
    recalls: int
    next_services: list[str]  # slugs
    estimated_wait_minutes: int | None
    position: int | None
    ticket_url: str
    next_service_names: list[str] = []  # in the language of the request
    ahead: int | None = None
    language: str = "de"  # the visitor's
    note: str | None = None  # the desk's; never in a public view
    called_at: str | None = None  # site zone, for the serving timer
    waited_minutes: int | None = None  # in this line, until called or until now
    booked_at: str | None = None  # the booked time of an appointment, else null
    remote: bool = False  # joined from the visitor's phone
    parked_at: str | None = None


class TicketEnvelope(msgspec.Struct):
    ticket: TicketView


class CounterView(msgspec.Struct):
    id: int
    name: str
    services: list[str]
    serving: TicketView | None = None
    state: str = "open"


class CounterEnvelope(msgspec.Struct):
    counter: CounterView


class QueueView(msgspec.Struct):
    service: str
    name: str
    letter: str
    waiting: list[TicketView]


class SiteQueueView(msgspec.Struct):
    site: str
    queues: list[QueueView]
    called: list[TicketView]
    parked: list[TicketView] = []


class TodayView(msgspec.Struct):
    """A site's local day so far."""

    site: str
    day: str  # ISO date, the site's local day
    served: int  # services given (a one-stop visitor served twice counts twice)
    waiting: int
    parked: int
    no_shows: int
    left: int  # left the queue from their ticket page
    issued: int  # tickets of the day
    median_wait_minutes: float | None  # over today's calls, until called
    longest_wait_now_minutes: int | None  # of who waits now; null when nobody does


class PublicSite(msgspec.Struct):
    slug: str
    name: str
    timezone: str


class PublicStep(msgspec.Struct):
    service: str
    name: str
    state: Literal["done", "now", "next"]


class PublicTicketView(msgspec.Struct):
    number: str
    status: str
    queue_name: str
    position: int | None
    estimated_wait_minutes: int | None
    counter: str | None
    site: PublicSite
    id: int = 0
    queue: str = ""
    language: str = "de"
    ahead: int | None = None
    called_at: str | None = None
    steps: list[PublicStep] = []
    can_leave: bool = False


class RemoteQueueService(msgspec.Struct):
    slug: str
    name: str  # in the language asked for (else English, else German)


class RemoteQueueStatus(msgspec.Struct):
    """May a visitor join the site's walk-in lines from afar now? No personal data."""

    allowed: bool  # wcr site-remote-queue SITE on
    open: bool  # within today's opening hours, in the site's zone
    services: list[RemoteQueueService]  # the walk-in lines, by queue letter
    today: str = ""  # the site's local date (ISO): a booking's day to check in on


class RemoteTicketView(msgspec.Struct):
    ticket: PublicTicketView
    ticket_url: str
