"""Tickets and what counters do with them.

Every state change is one conditional UPDATE (``… WHERE status = 'called'``), so two
clicks, two counters or two browsers never act twice on one ticket: the loser gets
409. Call-next picks its ticket inside a write transaction with ``FOR UPDATE SKIP
LOCKED`` on PostgreSQL (SQLite's BEGIN IMMEDIATE serialises writers), so two
counters calling at once get two different tickets.
"""

from __future__ import annotations

import hmac
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from piccolo.engine.base import Engine

from wcr.booking import public as booking
from wcr.catalogue import public as catalogue
from wcr.clock import now
from wcr.database import is_unique_violation, write_transaction
from wcr.errors import Conflict, InvalidInput, NotFound
from wcr.timezones import as_utc
from wcr.tokens import normalise_reference

from . import numbering
from .ordering import order_by
from .tables import Counter, CounterService, Ticket, TicketStep

# What a QR code on a confirmation may hold: the manage link or the bare reference.
MANAGE_LINK = re.compile(r"/manage/([A-Za-z0-9-]+)")
MAX_CALL_ATTEMPTS = 5


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


def steps_of(row: dict[str, Any]) -> list[Step]:
    raw = row["next_steps"]
    items = json.loads(raw) if isinstance(raw, str) else (raw or [])
    return [Step.from_json(item) for item in items]


def _steps_json(steps: list[Step]) -> str:
    return json.dumps([s.to_json() for s in steps])


async def _issue(
    engine: Engine[Any],
    site: catalogue.Site,
    steps: list[Step],
    *,
    kind: str,
    due_at: datetime,
    booking_id: int | None = None,
    name: str | None = None,
    phone: str | None = None,
    priority: bool = False,
) -> int:
    """A new ticket waiting for ``steps[0]``; its number from that queue's letter."""
    letters = await numbering.letters(site.id)
    first, rest = steps[0], steps[1:]
    day = datetime.now(site.tz).date()
    try:
        async with write_transaction(engine):
            code = await numbering.next_code(site.id, letters[first.service_id], day)
            created = await Ticket.insert(
                Ticket(
                    site=site.id,
                    day=day,
                    code=code,
                    public_token=secrets.token_urlsafe(16),
                    booking=booking_id,
                    service=first.service_id,
                    next_steps=_steps_json(rest),
                    kind=kind,
                    priority=priority,
                    name=name,
                    phone=phone,
                    status="waiting",
                    due_at=due_at,
                    created_at=now(),
                    queued_at=now(),
                )
            ).returning(Ticket.id)
    except Exception as error:
        if booking_id is not None and is_unique_violation(error):
            raise Conflict("this booking is checked in already") from None
        raise
    return int(created[0]["id"])


async def _service_ids(site_id: int, slugs: list[str]) -> list[int]:
    served = await numbering.letters(site_id)
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
) -> int:
    if not services:
        raise InvalidInput.field("service", "give the service (or services) wanted")
    if len(set(services)) != len(services):
        raise InvalidInput.field("services", "the same service twice")
    ids = await _service_ids(site.id, services)
    return await _issue(
        engine,
        site,
        [Step(i, None) for i in ids],
        kind="walkin",
        due_at=now(),
        name=booking.clean_name(name) if name else None,
        phone=booking.clean_phone(phone),
        priority=priority,
    )


def reference_from(scanned: str) -> str:
    found = MANAGE_LINK.search(scanned)
    return normalise_reference(found.group(1) if found else scanned)


async def check_in(engine: Engine[Any], site: catalogue.Site, scanned: str) -> tuple[int, bool]:
    """Ticket for a booked visitor; returns (ticket id, moved to the walk-in line)."""
    booked = await booking.booking_by_reference(reference_from(scanned))
    if booked is None:
        raise NotFound("no booking with that reference")
    if booked.status != booking.BookingStatus.CONFIRMED:
        raise Conflict(f"the booking is {booked.status}")
    facts = await booking.slots_by_id(await booking.itinerary(booked.id))
    tz = site.tz
    today = datetime.now(tz).date()
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
    served = await numbering.letters(site.id)
    missing = [f.service for f in visit if f.service_id not in served]
    if missing:
        raise Conflict(f"no queue at this site for {', '.join(missing)}")
    first = visit[0].starts_at
    moment = now()
    opens = first - timedelta(minutes=site.checkin_early_minutes)
    if moment < opens:
        raise Conflict(f"too early: check-in opens at {opens.astimezone(tz):%H:%M}")
    late = moment > first + timedelta(minutes=site.checkin_late_minutes)
    ticket_id = await _issue(
        engine,
        site,
        [Step(f.service_id, f.starts_at) for f in visit],
        kind="walkin" if late else "appointment",
        due_at=moment if late else first,
        booking_id=booked.id,
        name=booked.name,
        phone=booked.phone,
    )
    return ticket_id, late


async def counter_of(site: catalogue.Site, counter_id: int) -> dict[str, Any]:
    row = await Counter.select().where(Counter.id == counter_id).first()
    if row is None or row["site"] != site.id:
        raise NotFound(f"no counter {counter_id} at {site.slug}")
    return row


async def profile(counter_id: int) -> dict[int, int]:
    rows = await CounterService.select(CounterService.service, CounterService.rank).where(
        CounterService.counter == counter_id
    )
    return {r["service"]: r["rank"] for r in rows}


async def call_next(engine: Engine[Any], site: catalogue.Site, counter_id: int) -> int | None:
    """Call the next ticket for this counter (see :mod:`.ordering`); None if nobody waits."""
    await counter_of(site, counter_id)
    ranks = await profile(counter_id)
    if not ranks:
        return None
    order, order_args = order_by(ranks)
    placeholders = ", ".join("{}" for _ in ranks)
    skip_locked = " FOR UPDATE SKIP LOCKED" if Ticket._meta.db.engine_type == "postgres" else ""  # noqa: SLF001
    pick = (
        "SELECT id FROM ticket WHERE site = {} AND status = 'waiting' "  # noqa: S608 - fixed fragments, bound values
        f"AND service IN ({placeholders}) ORDER BY {order} LIMIT 1{skip_locked}"
    )
    for _ in range(MAX_CALL_ATTEMPTS):
        async with write_transaction(engine):
            rows = await Ticket.raw(pick, site.id, *ranks, *order_args)
            if not rows:
                return None
            if await _call(rows[0]["id"], counter_id):
                return int(rows[0]["id"])
    raise Conflict("the queue is very busy; please try again")


async def _call(ticket_id: int, counter_id: int) -> bool:
    rows = await Ticket.raw(
        "UPDATE ticket SET status = 'called', counter = {}, called_at = {}, recalls = 0 "
        "WHERE id = {} AND status = 'waiting' RETURNING id",
        counter_id,
        now(),
        ticket_id,
    )
    return bool(rows)


async def call_chosen(
    engine: Engine[Any], site: catalogue.Site, counter_id: int, ticket_id: int
) -> int:
    """Call a ticket out of order (staff's choice)."""
    await counter_of(site, counter_id)
    ticket = await ticket_at(site, ticket_id)
    async with write_transaction(engine):
        if not await _call(ticket["id"], counter_id):
            raise Conflict(f"ticket {ticket['code']} is not waiting")
    return int(ticket["id"])


async def ticket_at(site: catalogue.Site | None, ticket_id: int) -> dict[str, Any]:
    row = await Ticket.select().where(Ticket.id == ticket_id).first()
    if row is None or (site is not None and row["site"] != site.id):
        raise NotFound(f"no ticket {ticket_id}")
    return row


async def _record_step(ticket: dict[str, Any], outcome: str) -> None:
    if ticket["called_at"] is None:
        return
    await TicketStep.insert(
        TicketStep(
            ticket=ticket["id"],
            site=ticket["site"],
            service=ticket["service"],
            counter=ticket["counter"],
            queued_at=as_utc(ticket["queued_at"]),
            called_at=as_utc(ticket["called_at"]),
            finished_at=now(),
            outcome=outcome,
        )
    )


async def recall(engine: Engine[Any], ticket: dict[str, Any], max_recalls: int) -> str:
    """Call again; past ``max_recalls`` the ticket becomes a no-show. Returns the status."""
    async with write_transaction(engine):
        rows = await Ticket.raw(
            "UPDATE ticket SET recalls = recalls + 1, called_at = {} "
            "WHERE id = {} AND status = 'called' AND recalls < {} RETURNING id",
            now(),
            ticket["id"],
            max_recalls,
        )
        if rows:
            return "called"
    await no_show(engine, ticket)
    return "no_show"


async def no_show(engine: Engine[Any], ticket: dict[str, Any]) -> None:
    async with write_transaction(engine):
        rows = await Ticket.raw(
            "UPDATE ticket SET status = 'no_show', finished_at = {} "
            "WHERE id = {} AND status IN ('called', 'waiting') RETURNING id",
            now(),
            ticket["id"],
        )
        if not rows:
            raise Conflict(f"ticket {ticket['code']} is {ticket['status']}")
        await _record_step(ticket, "no_show")


async def finish(engine: Engine[Any], ticket: dict[str, Any]) -> bool:
    """End the current service; a one-stop visitor joins the next queue with the same
    number. Returns True when the visit goes on."""
    steps = steps_of(ticket)
    async with write_transaction(engine):
        if steps:
            following, rest = steps[0], steps[1:]
            moment = now()
            rows = await Ticket.raw(
                "UPDATE ticket SET status = 'waiting', service = {}, next_steps = {}, "
                "due_at = {}, queued_at = {}, called_at = NULL, counter = NULL, recalls = 0 "
                "WHERE id = {} AND status = 'called' RETURNING id",
                following.service_id,
                _steps_json(rest),
                following.due or moment,
                moment,
                ticket["id"],
            )
        else:
            rows = await Ticket.raw(
                "UPDATE ticket SET status = 'done', finished_at = {} "
                "WHERE id = {} AND status = 'called' RETURNING id",
                now(),
                ticket["id"],
            )
        if not rows:
            raise Conflict(
                f"ticket {ticket['code']} is not at a counter (it is {ticket['status']})"
            )
        await _record_step(ticket, "done")
    return bool(steps)


async def transfer(
    engine: Engine[Any], site: catalogue.Site, ticket: dict[str, Any], service: str
) -> None:
    [service_id] = await _service_ids(site.id, [service])
    async with write_transaction(engine):
        rows = await Ticket.raw(
            "UPDATE ticket SET status = 'waiting', service = {}, queued_at = {}, "
            "called_at = NULL, counter = NULL, recalls = 0 "
            "WHERE id = {} AND status IN ('waiting', 'called') RETURNING id",
            service_id,
            now(),
            ticket["id"],
        )
        if not rows:
            raise Conflict(f"ticket {ticket['code']} is {ticket['status']}")
        await _record_step(ticket, "transferred")


async def public_ticket(ticket_id: int, token: str) -> dict[str, Any]:
    """The ticket, if ``token`` is its public token; otherwise as if unknown."""
    row = await Ticket.select().where(Ticket.id == ticket_id).first()
    if row is None or not hmac.compare_digest(row["public_token"], token):
        raise NotFound(f"no ticket {ticket_id}")
    return row
