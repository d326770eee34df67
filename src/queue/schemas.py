from __future__ import annotations

from typing import Annotated

import msgspec

from wcr.database import MAX_ID

Slug = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


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


class TransferRequest(msgspec.Struct, forbid_unknown_fields=True):
    service: Slug


class CallRequest(msgspec.Struct, forbid_unknown_fields=True):
    ticket_id: Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)]


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
    next_services: list[str]
    estimated_wait_minutes: int | None
    position: int | None
    ticket_url: str


class TicketEnvelope(msgspec.Struct):
    ticket: TicketView


class CounterView(msgspec.Struct):
    id: int
    name: str
    services: list[str]
    serving: TicketView | None = None


class QueueView(msgspec.Struct):
    service: str
    name: str
    letter: str
    waiting: list[TicketView]


class SiteQueueView(msgspec.Struct):
    site: str
    queues: list[QueueView]
    called: list[TicketView]


class PublicTicketView(msgspec.Struct):
    number: str
    status: str
    queue_name: str
    position: int | None
    estimated_wait_minutes: int | None
    counter: str | None
    site: str
