"""Tickets and what counters do with them.

Each use case that writes opens one write transaction; the state changes themselves
are the conditional updates of :mod:`.repository`, so two clicks, two counters or
two browsers never act twice on one ticket: the loser gets 409. Call-next picks and
calls in one statement (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, SQLite's BEGIN
IMMEDIATE serialises writers), so two counters calling at once get two different
tickets; a call reads its counter's state under a share lock in that transaction (in
call-next's statement itself), so a counter that is paused or closed calls nobody
(409 ``counter_not_open``). The visitor's messages are emitted in the same transactions
(:mod:`.news`). Errors carry the codes of :mod:`.problems`.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from datetime import datetime, timedelta
from typing import Any

from piccolo.engine.base import Engine

from wcr.booking import public as booking
from wcr.catalogue import public as catalogue
from wcr.clock import now
from wcr.config import SUPPORTED_LANGUAGES
from wcr.database import is_unique_violation, write_transaction
from wcr.errors import ErrorCode
from wcr.tokens import normalise_reference

from . import news, numbering, tokens
from . import repository as repo
from .problems import Code, conflict, invalid, not_found, wrong_state
from .records import (
    Call,
    Counter,
    CounterState,
    NewTicket,
    Step,
    StepOutcome,
    Ticket,
    TicketKind,
    TicketStatus,
)

# What a QR code on a confirmation may hold: the manage link or the bare reference.
MANAGE_LINK = re.compile(r"/manage/([A-Za-z0-9-]+)")
# A number as typed at the desk: its queue letter and digits ("A012", "a 12").
TYPED_NUMBER = re.compile(r"^\s*([A-Za-z])\s*-?\s*0*(\d{1,6})\s*$")
MAX_CALL_ATTEMPTS = 8
# Seconds before call-next tries again when the tickets it could call were held (x
# attempt): the head of the line waits while another counter's call marks it "almost
# your turn", a few milliseconds; short steps keep that wait short (bench-live, with a
# core taken: call-next p99 73 ms with steps of 10 ms, 39 ms with these), 84 ms in all.
HELD_PAUSE = 0.003
UNDO_NO_SHOW = timedelta(seconds=60)  # how long a no-show can be taken back
MAX_NOTE = 500
LIVE_LANGUAGE = "en"  # the live stream names queues in English (as views.snapshot does)


def clean_language(raw: str | None) -> str:
    language = (raw or "de").strip().lower()
    if language not in SUPPORTED_LANGUAGES:
        raise invalid("language", f"one of {', '.join(SUPPORTED_LANGUAGES)}")
    return language


async def issue(
    engine: Engine[Any],
    site: catalogue.Site,
    steps: list[Step],
    *,
    kind: TicketKind,
    due_at: datetime,
    notify_ahead: int,
    booking_id: int | None = None,
    name: str | None = None,
    phone: str | None = None,
    priority: bool = False,
    language: str = "de",
    remote: bool = False,
    phone_key: str | None = None,
    email_key: str | None = None,
) -> Ticket:
    """A new ticket waiting for ``steps[0]``; its number from that queue's letter."""
    letters = await repo.letters(site.id)
    first, rest = steps[0], steps[1:]
    day = now().astimezone(site.tz).date()
    try:
        async with write_transaction(engine):
            code = await numbering.next_code(site.id, letters[first.service_id], day)
            ticket = await repo.insert_ticket(
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
                    language=language,
                    remote=remote,
                    phone_key=phone_key,
                    email_key=email_key,
                )
            )
            await news.issued(site, ticket, notify_ahead)
            return ticket
    except Exception as error:
        if is_unique_violation(error):
            if booking_id is not None:
                raise conflict(
                    Code.CHECKED_IN_ALREADY, "this booking is checked in already"
                ) from None
            if remote:
                raise conflict(
                    Code.REMOTE_TICKET_EXISTS,
                    "you are in a queue of this site already today; leave it first",
                ) from None
        raise


async def service_ids(site_id: int, slugs: list[str]) -> list[int]:
    if not slugs:
        raise invalid("service", "give the service (or services) wanted")
    if len(set(slugs)) != len(slugs):
        raise invalid("services", "the same service twice")
    served = await repo.letters(site_id)
    ids = []
    for slug in slugs:
        row = await catalogue.service_by_slug(slug, field="services")
        if row.id not in served:
            raise invalid("services", f"{slug!r} has no queue at this site")
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
    language: str | None = None,
    notify_ahead: int = 0,
) -> Ticket:
    ids = await service_ids(site.id, services)
    return await issue(
        engine,
        site,
        [Step(i, None) for i in ids],
        kind=TicketKind.WALKIN,
        due_at=now(),
        name=booking.clean_name(name) if name else None,
        phone=booking.clean_phone(phone),
        priority=priority,
        language=clean_language(language),
        notify_ahead=notify_ahead,
    )


def reference_from(scanned: str) -> str:
    found = MANAGE_LINK.search(scanned)
    return normalise_reference(found.group(1) if found else scanned)


async def check_in(
    engine: Engine[Any], site: catalogue.Site, scanned: str, notify_ahead: int = 0
) -> tuple[Ticket, bool]:
    """Ticket for a booked visitor; returns (ticket, moved to the walk-in line)."""
    booked = await booking.booking_by_reference(reference_from(scanned))
    if booked is None:
        raise not_found(Code.BOOKING_NOT_FOUND, "no booking with that reference")
    return await check_in_booked(engine, site, booked, notify_ahead)


async def check_in_booked(
    engine: Engine[Any], site: catalogue.Site, booked: booking.BookingRecord, notify_ahead: int
) -> tuple[Ticket, bool]:
    """The check-in rule, at the desk or from the visitor's phone: today's appointments
    of the booking at this site, from ``checkin_early_minutes`` before the first; later
    than ``checkin_late_minutes`` after it, the walk-in line."""
    if booked.status != booking.BookingStatus.CONFIRMED:
        raise conflict(Code.BOOKING_NOT_ACTIVE, f"the booking is {booked.status}")
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
        raise conflict(
            Code.NO_APPOINTMENT_TODAY, "the booking has no appointment at this site today"
        )
    served = await repo.letters(site.id)
    missing = [f.service for f in visit if f.service_id not in served]
    if missing:
        raise conflict(Code.NO_QUEUE_HERE, f"no queue at this site for {', '.join(missing)}")
    first = visit[0].starts_at
    moment = now()
    opens = first - timedelta(minutes=site.checkin_early_minutes)
    if moment < opens:
        local = opens.astimezone(tz)
        raise conflict(
            Code.TOO_EARLY,
            f"too early: check-in opens at {local:%H:%M}",
            opens_at=local.isoformat(),
        )
    late = moment > first + timedelta(minutes=site.checkin_late_minutes)
    ticket = await issue(
        engine,
        site,
        [Step(f.service_id, f.starts_at) for f in visit],
        kind=TicketKind.WALKIN if late else TicketKind.APPOINTMENT,
        due_at=moment if late else first,
        booking_id=booked.id,
        name=booked.name,
        phone=booked.phone,
        language=booked.language if booked.language in SUPPORTED_LANGUAGES else "de",
        notify_ahead=notify_ahead,
    )
    return ticket, late


# --- counters ------------------------------------------------------------------------


async def counter_of(site: catalogue.Site, counter_id: int) -> Counter:
    counter = await repo.counter_by_id(counter_id)
    if counter is None or counter.site_id != site.id:
        raise not_found(Code.COUNTER_NOT_FOUND, f"no counter {counter_id} at {site.slug}")
    return counter


async def _ensure_open(counter: Counter) -> None:
    """Inside the call's transaction: the counter's state, held until it ends."""
    state = await repo.lock_counter(counter.id)
    if state != CounterState.OPEN:
        raise _not_open(counter.name, state)


def _not_open(name: str, state: CounterState | None) -> Exception:
    shown = state.value if state else "gone"
    return conflict(Code.COUNTER_NOT_OPEN, f"{name} is {shown}: open it to call", state=shown)


async def set_state(
    engine: Engine[Any], site: catalogue.Site, counter_id: int, state: CounterState
) -> Counter:
    """Open, pause or close a counter of the site (a paused or closed one calls nobody;
    the visitor it serves stays with it until finished)."""
    async with write_transaction(engine):
        changed = await repo.set_counter_state(site.id, counter_id, state)
    if changed is None:
        raise not_found(Code.COUNTER_NOT_FOUND, f"no counter {counter_id} at {site.slug}")
    return changed


async def call_next(
    engine: Engine[Any], site: catalogue.Site, counter_id: int, notify_ahead: int = 0
) -> Call | None:
    """Call the next ticket for this counter (see :mod:`.ordering`); None if nobody waits.

    The pick and the call are one statement (:func:`.repository.call_next_ticket`),
    which also holds the counter's state; the visitor's messages follow in the same
    transaction."""
    for attempt in range(MAX_CALL_ATTEMPTS):
        async with write_transaction(engine):
            outcome = await repo.call_next_ticket(site.id, counter_id, now())
            counter, called = outcome.counter, outcome.ticket
            if counter is None:
                raise not_found(Code.COUNTER_NOT_FOUND, f"no counter {counter_id} at {site.slug}")
            if called is not None:
                service = await news.called(site, called, counter.name)
                await news.almost(site, called.service_id, notify_ahead)
                return Call(
                    ticket=called,
                    counter_name=counter.name,
                    queue=service.slug if service else "?",
                    queue_name=service.name(LIVE_LANGUAGE) if service else "?",
                )
            if counter.state != CounterState.OPEN:
                raise _not_open(counter.name, counter.state)
            if not (outcome.lost or outcome.held):
                return None
        # Held: another counter's call marks the next ones told "almost your turn",
        # for milliseconds. Never "nobody waiting" while people wait.
        if outcome.held:
            await asyncio.sleep(HELD_PAUSE * (attempt + 1))
    raise conflict(Code.QUEUE_BUSY, "the queue is very busy; please try again")


def typed_number(raw: str) -> str:
    """``A012`` from what the desk typed (``a12``, ``A-012``); 422 naming ``number``."""
    found = TYPED_NUMBER.match(raw)
    if not found:
        raise invalid("number", "a ticket number is a letter and digits, like A012")
    return numbering.code(found.group(1).upper(), int(found.group(2)))


async def ticket_by_number(site: catalogue.Site, raw: str) -> Ticket:
    """Today's waiting or parked ticket of that number at the site; 404 naming ``number``."""
    code = typed_number(raw)
    ticket = await repo.ticket_by_code(site.id, now().astimezone(site.tz).date(), code)
    if ticket is None or ticket.status not in (TicketStatus.WAITING, TicketStatus.PARKED):
        error = not_found(Code.NUMBER_NOT_FOUND, f"number: nobody waits with {code} today")
        error.errors = [{"field": "number", "message": f"nobody waits with {code} today"}]
        raise error
    return ticket


async def call_chosen(
    engine: Engine[Any],
    site: catalogue.Site,
    counter_id: int,
    *,
    ticket_id: int | None = None,
    number: str | None = None,
    notify_ahead: int = 0,
) -> Ticket:
    """Call a ticket out of order (staff's choice): by id, or by the number typed in; a
    parked ticket may be called back this way too."""
    if (ticket_id is None) == (number is None):
        raise invalid("number", "give the ticket's number (or its ticket_id), not both")
    counter = await counter_of(site, counter_id)
    ticket = (
        await ticket_by_number(site, number)
        if number is not None
        else await ticket_at(site, ticket_id or 0)
    )
    async with write_transaction(engine):
        await _ensure_open(counter)
        called = await repo.call(ticket.id, counter_id, now(), parked_too=True)
        if called is None:
            raise wrong_state(ticket.code, ticket.status, f"ticket {ticket.code} is not waiting")
        await news.called(site, called, counter.name)
        await news.almost(site, called.service_id, notify_ahead)
    return called


# --- one ticket ------------------------------------------------------------------------


async def ticket_at(site: catalogue.Site | None, ticket_id: int) -> Ticket:
    ticket = await repo.ticket_by_id(ticket_id)
    if ticket is None or (site is not None and ticket.site_id != site.id):
        raise not_found(Code.TICKET_NOT_FOUND, f"no ticket {ticket_id}")
    return ticket


async def _record_step(ticket: Ticket, outcome: StepOutcome, moment: datetime) -> None:
    """The service given at the counter (``ticket`` as it was before the change): the
    source of waiting and transaction times. A ticket never called has none."""
    if ticket.called_at is not None and ticket.status == TicketStatus.CALLED:
        await repo.insert_step(ticket, ticket.called_at, outcome, moment)


async def recall(
    engine: Engine[Any], site: catalogue.Site, ticket: Ticket, notify_ahead: int = 0
) -> Ticket:
    """Call again; past the site's ``max_recalls`` the ticket becomes a no-show (see the
    status of the ticket returned)."""
    if ticket.status != TicketStatus.CALLED:
        raise wrong_state(
            ticket.code, ticket.status, f"ticket {ticket.code} is {ticket.status}, not called"
        )
    async with write_transaction(engine):
        moment = now()
        recalled = await repo.recall(ticket.id, moment, site.max_recalls)
        if recalled is not None:
            return recalled
        return await _no_show(site, ticket, moment, notify_ahead)


async def _no_show(
    site: catalogue.Site, ticket: Ticket, moment: datetime, notify_ahead: int
) -> Ticket:
    changed = await repo.mark_no_show(ticket.id, moment)
    if changed is None:
        raise wrong_state(ticket.code, ticket.status)
    await _record_step(ticket, StepOutcome.NO_SHOW, moment)
    await news.almost(site, ticket.service_id, notify_ahead)
    return changed


async def no_show(
    engine: Engine[Any], site: catalogue.Site, ticket: Ticket, notify_ahead: int = 0
) -> Ticket:
    async with write_transaction(engine):
        return await _no_show(site, ticket, now(), notify_ahead)


async def undo_no_show(engine: Engine[Any], ticket: Ticket) -> Ticket:
    """A no-show of the last minute taken back: the ticket waits again at its old place
    (its due time never changed); 409 ``undo_too_late`` after that."""
    async with write_transaction(engine):
        moment = now()
        changed = await repo.undo_no_show(ticket.id, moment - UNDO_NO_SHOW)
        if changed is None:
            if ticket.status == TicketStatus.NO_SHOW:
                raise conflict(
                    Code.UNDO_TOO_LATE,
                    f"ticket {ticket.code} was marked a no-show more than a minute ago",
                )
            raise wrong_state(
                ticket.code,
                ticket.status,
                f"ticket {ticket.code} is {ticket.status}, not a no-show",
            )
        if ticket.finished_at is not None:
            await repo.forget_no_show_step(ticket.id, ticket.finished_at)
    return changed


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
            raise wrong_state(
                ticket.code,
                ticket.status,
                f"ticket {ticket.code} is not at a counter (it is {ticket.status})",
            )
        await _record_step(ticket, StepOutcome.DONE, moment)
    return changed


async def transfer(
    engine: Engine[Any],
    site: catalogue.Site,
    ticket: Ticket,
    service: str,
    notify_ahead: int = 0,
) -> Ticket:
    [service_id] = await service_ids(site.id, [service])
    async with write_transaction(engine):
        moment = now()
        changed = await repo.transfer(ticket.id, service_id, moment)
        if changed is None:
            raise wrong_state(ticket.code, ticket.status)
        await _record_step(ticket, StepOutcome.TRANSFERRED, moment)
        await news.almost(site, ticket.service_id, notify_ahead)
    return changed


async def park(
    engine: Engine[Any], site: catalogue.Site, ticket: Ticket, notify_ahead: int = 0
) -> Ticket:
    """Set aside (waiting or at a counter): out of the line and of call-next until
    :func:`unpark` or a call by number; its due time is kept."""
    async with write_transaction(engine):
        moment = now()
        changed = await repo.park(ticket.id, moment)
        if changed is None:
            raise wrong_state(
                ticket.code,
                ticket.status,
                f"ticket {ticket.code} is {ticket.status}: only waiting or called tickets park",
            )
        await _record_step(ticket, StepOutcome.PARKED, moment)
        await news.almost(site, ticket.service_id, notify_ahead)
    return changed


async def unpark(engine: Engine[Any], ticket: Ticket) -> Ticket:
    """Back in its line, at its old due time."""
    async with write_transaction(engine):
        changed = await repo.unpark(ticket.id)
    if changed is None:
        raise wrong_state(
            ticket.code, ticket.status, f"ticket {ticket.code} is {ticket.status}, not parked"
        )
    return changed


async def set_note(engine: Engine[Any], ticket: Ticket, note: str) -> Ticket:
    """The desk's note on the ticket ("" clears it); staff see it, visitors never."""
    text = note.strip()
    if len(text) > MAX_NOTE:
        raise invalid(
            "note", f"at most {MAX_NOTE} characters", reason=ErrorCode.TOO_LONG, n=MAX_NOTE
        )
    if any(unicodedata.category(ch) in {"Cc", "Cs"} and ch not in "\n\t" for ch in text):
        raise invalid("note", "contains control characters")
    async with write_transaction(engine):
        changed = await repo.set_note(ticket.id, text or None)
    if changed is None:
        raise not_found(Code.TICKET_NOT_FOUND, f"no ticket {ticket.id}")
    return changed


# --- the visitor's own ticket -------------------------------------------------------------


async def public_ticket(ticket_id: int, token: str | None) -> Ticket:
    """The ticket, if ``token`` is its token (:mod:`.tokens`); otherwise, whatever the
    token holds (none, wrong, not ASCII), answered as if the ticket did not exist."""
    ticket = await repo.ticket_by_id(ticket_id)
    if ticket is None or not tokens.opens(ticket, token):
        raise not_found(Code.TICKET_NOT_FOUND, f"no ticket {ticket_id}")
    return ticket


async def done_services(ticket: Ticket) -> list[int]:
    return await repo.done_services(ticket.id)


async def leave(
    engine: Engine[Any], ticket_id: int, token: str | None, notify_ahead: int = 0
) -> tuple[Ticket, bool]:
    """The visitor leaves the queue (from their ticket page, with its token). Returns
    (ticket, whether it changed now): leaving twice is no error and changes nothing."""
    ticket = await public_ticket(ticket_id, token)
    if ticket.status == TicketStatus.LEFT:
        return ticket, False
    site = await catalogue.site_by_id(ticket.site_id)
    async with write_transaction(engine):
        changed = await repo.leave(ticket.id, now())
        if changed is not None:
            await news.almost(site, ticket.service_id, notify_ahead)
    if changed is not None:
        return changed, True
    again = await repo.ticket_by_id(ticket.id)
    if again is not None and again.status == TicketStatus.LEFT:
        return again, False  # a second tab left a moment earlier
    status = again.status if again else ticket.status
    raise wrong_state(ticket.code, status, f"ticket {ticket.code} is {status}: nothing to leave")


def goes_on(ticket: Ticket) -> bool:
    """After :func:`finish`: True when the visit goes on at the next agency."""
    return ticket.status == TicketStatus.WAITING
