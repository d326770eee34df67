"""Tickets and what counters do with them.

Each use case that writes opens one write transaction; the state changes themselves
are the conditional updates of :mod:`.repository`, so two clicks, two counters or
two browsers never act twice on one ticket: the loser gets 409. Call-next picks and
calls inside one transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, SQLite's
BEGIN IMMEDIATE serialises writers), so two counters calling at once get two
different tickets.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from piccolo.engine.base import Engine

from wcr.booking import public as booking
from wcr.catalogue import public as catalogue
from wcr.clock import now
from wcr.database import is_unique_violation, write_transaction
from wcr.errors import Conflict, InvalidInput, NotFound
from wcr.tokens import normalise_reference

from . import numbering, ordering, tokens
from . import repository as repo
from .records import Counter, NewTicket, Step, StepOutcome, Ticket, TicketKind, TicketStatus

# What a QR code on a confirmation may hold: the manage link or the bare reference.
MANAGE_LINK = re.compile(r"/manage/([A-Za-z0-9-]+)")
MAX_CALL_ATTEMPTS = 5


async def _issue(
    engine: Engine[Any],
    site: catalogue.Site,
    steps: list[Step],
    *,
    kind: TicketKind,
    due_at: datetime,
    booking_id: int | None = None,
    name: str | None = None,
    phone: str | None = None,
    priority: bool = False,
) -> Ticket:
    """A new ticket waiting for ``steps[0]``; its number from that queue's letter."""
    letters = await repo.letters(site.id)
    first, rest = steps[0], steps[1:]
    day = now().astimezone(site.tz).date()
    try:
        async with write_transaction(engine):
            code = await numbering.next_code(site.id, letters[first.service_id], day)
            return await repo.insert_ticket(
                NewTicket(
                    site_id=site.id,
                    day=day,
                    code=code,
                    booking_id=booking_id,
                    first=first,
                    rest=tuple(rest),
                    kind=kind,
                    priority=priority,
                    name=name,
                    phone=phone,
                    due_at=due_at,
                    at=now(),
                )
            )
    except Exception as error:
        if booking_id is not None and is_unique_violation(error):
            raise Conflict("this booking is checked in already") from None
        raise


async def _service_ids(site_id: int, slugs: list[str]) -> list[int]:
    served = await repo.letters(site_id)
    ids = []
    for slug in slugs:
        row = await catalogue.service_by_slug(slug, field="services")
        if row.id not in served:
            raise InvalidInput.field("services", f"{slug!r} has no queue at this site")
        ids.append(row.id)
    return ids


async def walk_in(
    engine: Engine[Any],
    site: catalogue.Site,
    services: list[str],
    *,
    name: str | None,
    phone: str | None,
    priority: bool,
) -> Ticket:
    if not services:
        raise InvalidInput.field("service", "give the service (or services) wanted")
    if len(set(services)) != len(services):
        raise InvalidInput.field("services", "the same service twice")
    ids = await _service_ids(site.id, services)
    return await _issue(
        engine,
        site,
        [Step(i, None) for i in ids],
        kind=TicketKind.WALKIN,
        due_at=now(),
        name=booking.clean_name(name) if name else None,
        phone=booking.clean_phone(phone),
        priority=priority,
    )


def reference_from(scanned: str) -> str:
    found = MANAGE_LINK.search(scanned)
    return normalise_reference(found.group(1) if found else scanned)


async def check_in(engine: Engine[Any], site: catalogue.Site, scanned: str) -> tuple[Ticket, bool]:
    """Ticket for a booked visitor; returns (ticket, moved to the walk-in line)."""
    booked = await booking.booking_by_reference(reference_from(scanned))
    if booked is None:
        raise NotFound("no booking with that reference")
    if booked.status != booking.BookingStatus.CONFIRMED:
        raise Conflict(f"the booking is {booked.status}")
    facts = await booking.slots_by_id(await booking.itinerary(booked.id))
    tz = site.tz
    today = now().astimezone(tz).date()
    visit = sorted(
        (
            f
            for f in facts.values()
            if f.site_id == site.id and f.starts_at.astimezone(tz).date() == today
        ),
        key=lambda f: f.starts_at,
    )
    if not visit:
        raise Conflict("the booking has no appointment at this site today")
    served = await repo.letters(site.id)
    missing = [f.service for f in visit if f.service_id not in served]
    if missing:
        raise Conflict(f"no queue at this site for {', '.join(missing)}")
    first = visit[0].starts_at
    moment = now()
    opens = first - timedelta(minutes=site.checkin_early_minutes)
    if moment < opens:
        raise Conflict(f"too early: check-in opens at {opens.astimezone(tz):%H:%M}")
    late = moment > first + timedelta(minutes=site.checkin_late_minutes)
    ticket = await _issue(
        engine,
        site,
        [Step(f.service_id, f.starts_at) for f in visit],
        kind=TicketKind.WALKIN if late else TicketKind.APPOINTMENT,
        due_at=moment if late else first,
        booking_id=booked.id,
        name=booked.name,
        phone=booked.phone,
    )
    return ticket, late


async def counter_of(site: catalogue.Site, counter_id: int) -> Counter:
    counter = await repo.counter_by_id(counter_id)
    if counter is None or counter.site_id != site.id:
        raise NotFound(f"no counter {counter_id} at {site.slug}")
    return counter


async def call_next(engine: Engine[Any], site: catalogue.Site, counter_id: int) -> Ticket | None:
    """Call the next ticket for this counter (see :mod:`.ordering`); None if nobody waits."""
    await counter_of(site, counter_id)
    ranks = ordering.ranks(await repo.profile_entries([counter_id]))
    if not ranks:
        return None
    for _ in range(MAX_CALL_ATTEMPTS):
        async with write_transaction(engine):
            picked = await repo.pick_next(site.id, ranks)
            if picked is None:
                return None
            called = await repo.call(picked, counter_id, now())
            if called is not None:
                return called
    raise Conflict("the queue is very busy; please try again")


async def call_chosen(
    engine: Engine[Any], site: catalogue.Site, counter_id: int, ticket_id: int
) -> Ticket:
    """Call a ticket out of order (staff's choice)."""
    await counter_of(site, counter_id)
    ticket = await ticket_at(site, ticket_id)
    async with write_transaction(engine):
        called = await repo.call(ticket.id, counter_id, now())
        if called is None:
            raise Conflict(f"ticket {ticket.code} is not waiting")
    return called


async def ticket_at(site: catalogue.Site | None, ticket_id: int) -> Ticket:
    ticket = await repo.ticket_by_id(ticket_id)
    if ticket is None or (site is not None and ticket.site_id != site.id):
        raise NotFound(f"no ticket {ticket_id}")
    return ticket


async def _record_step(ticket: Ticket, outcome: StepOutcome, moment: datetime) -> None:
    """The service given at the counter (``ticket`` as it was before the change): the
    source of waiting and transaction times. A ticket never called has none."""
    if ticket.called_at is not None:
        await repo.insert_step(ticket, ticket.called_at, outcome, moment)


async def recall(engine: Engine[Any], ticket: Ticket, max_recalls: int) -> Ticket:
    """Call again; past ``max_recalls`` the ticket becomes a no-show (see the status of
    the ticket returned)."""
    async with write_transaction(engine):
        moment = now()
        recalled = await repo.recall(ticket.id, moment, max_recalls)
        if recalled is not None:
            return recalled
        return await _no_show(ticket, moment)


async def _no_show(ticket: Ticket, moment: datetime) -> Ticket:
    changed = await repo.mark_no_show(ticket.id, moment)
    if changed is None:
        raise Conflict(f"ticket {ticket.code} is {ticket.status}")
    await _record_step(ticket, StepOutcome.NO_SHOW, moment)
    return changed


async def no_show(engine: Engine[Any], ticket: Ticket) -> Ticket:
    async with write_transaction(engine):
        return await _no_show(ticket, now())


async def finish(engine: Engine[Any], ticket: Ticket) -> Ticket:
    """End the current service; a one-stop visitor joins the next queue with the same
    number (the ticket returned is waiting again then)."""
    async with write_transaction(engine):
        moment = now()
        if ticket.next_steps:
            following, *rest = ticket.next_steps
            changed = await repo.advance(ticket.id, following, rest, moment)
        else:
            changed = await repo.finish(ticket.id, moment)
        if changed is None:
            raise Conflict(f"ticket {ticket.code} is not at a counter (it is {ticket.status})")
        await _record_step(ticket, StepOutcome.DONE, moment)
    return changed


async def transfer(
    engine: Engine[Any], site: catalogue.Site, ticket: Ticket, service: str
) -> Ticket:
    [service_id] = await _service_ids(site.id, [service])
    async with write_transaction(engine):
        moment = now()
        changed = await repo.transfer(ticket.id, service_id, moment)
        if changed is None:
            raise Conflict(f"ticket {ticket.code} is {ticket.status}")
        await _record_step(ticket, StepOutcome.TRANSFERRED, moment)
    return changed


async def public_ticket(ticket_id: int, token: str | None) -> Ticket:
    """The ticket, if ``token`` is its token (:mod:`.tokens`); otherwise, whatever the
    token holds (none, wrong, not ASCII), answered as if the ticket did not exist."""
    ticket = await repo.ticket_by_id(ticket_id)
    if ticket is None or not tokens.opens(ticket, token):
        raise NotFound(f"no ticket {ticket_id}")
    return ticket


def goes_on(ticket: Ticket) -> bool:
    """After :func:`finish`: True when the visit goes on at the next agency."""
    return ticket.status == TicketStatus.WAITING
