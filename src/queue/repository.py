"""Every query of the front desk: queues and letters, counters and work profiles,
ticket numbers, tickets and the steps they went through.

The concurrency rules live here, as single statements the database runs atomically:

- **Numbers** come from one upsert on ``ticket_sequence`` (unique per site, letter
  and day), ``INSERT … ON CONFLICT … DO UPDATE SET last = last + 1 RETURNING last``,
  atomic on SQLite and PostgreSQL alike; a new day starts a new row, so numbers
  restart each local day by themselves.
- **Every state change** of a ticket is one conditional UPDATE (``… WHERE id = ? AND
  status = 'called' … RETURNING``) that hands back the changed row, or nothing when
  the ticket was no longer in that status: two clicks, two counters or two browsers
  never act twice on one ticket, the loser gets 409.
- **Call-next** picks its ticket with :func:`pick_next` inside the caller's write
  transaction, ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite's BEGIN IMMEDIATE
  serialises writers), and then calls it with :func:`call`, the conditional update
  ``WHERE status = 'waiting'``; so two counters calling at once get two different
  tickets.
- **Names and letters** are decided by unique indexes: a counter's name per site and
  a queue's letter per site are inserted with ``ON CONFLICT DO NOTHING``, and the
  caller learns from the empty answer that someone else had it first.

Statuses are bound as parameters (the :mod:`.records` enums), never written into SQL.
No function here opens a transaction: the use cases do.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from wcr.timezones import as_utc

from .records import (
    Counter,
    NewTicket,
    ProfileEntry,
    ServiceTime,
    Step,
    StepOutcome,
    Ticket,
    TicketKind,
    TicketStatus,
)
from .tables import Counter as CounterTable
from .tables import CounterService, SiteQueue, TicketSequence, TicketStep
from .tables import Ticket as TicketTable

# The ticket's columns, as every conditional update hands them back.
TICKET_COLUMNS = (
    "id, site, day, code, booking, service, next_steps, kind, priority, "
    "name, phone, status, counter, recalls, due_at, created_at, queued_at, called_at, "
    "finished_at"
)
# Where a service outside the counter's profile would sort (the pick never sees one).
UNRANKED = 1000


# --- rows to records ----------------------------------------------------------------


def _instant(value: datetime | str) -> datetime:
    """A timestamp as aware UTC (SQLite may hand back text or naive values)."""
    return as_utc(datetime.fromisoformat(value) if isinstance(value, str) else value)


def _maybe_instant(value: datetime | str | None) -> datetime | None:
    return None if value is None else _instant(value)


def _day(value: date | str) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _steps(value: str | list[dict[str, Any]] | None) -> tuple[Step, ...]:
    """The JSON column comes back as text from SQLite and as text or a list from asyncpg."""
    items = json.loads(value) if isinstance(value, str) else (value or [])
    return tuple(Step.from_json(item) for item in items)


def _steps_json(steps: Sequence[Step]) -> str:
    return json.dumps([step.to_json() for step in steps])


def _ticket(row: dict[str, Any]) -> Ticket:
    return Ticket(
        id=row["id"],
        site_id=row["site"],
        day=_day(row["day"]),
        code=row["code"],
        booking_id=row["booking"],
        service_id=row["service"],
        next_steps=_steps(row["next_steps"]),
        kind=TicketKind(row["kind"]),
        priority=bool(row["priority"]),
        name=row["name"],
        phone=row["phone"],
        status=TicketStatus(row["status"]),
        counter_id=row["counter"],
        recalls=row["recalls"],
        due_at=_instant(row["due_at"]),
        created_at=_instant(row["created_at"]),
        queued_at=_instant(row["queued_at"]),
        called_at=_maybe_instant(row["called_at"]),
        finished_at=_maybe_instant(row["finished_at"]),
    )


def _changed(rows: list[dict[str, Any]]) -> Ticket | None:
    return _ticket(rows[0]) if rows else None


def _counter(row: dict[str, Any]) -> Counter:
    return Counter(id=row["id"], site_id=row["site"], name=row["name"])


# --- queues and letters ---------------------------------------------------------------


async def letters(site_id: int) -> dict[int, str]:
    """Service id -> queue letter at a site."""
    rows = await SiteQueue.select(SiteQueue.service, SiteQueue.letter).where(
        SiteQueue.site == site_id
    )
    return {r["service"]: r["letter"] for r in rows}


async def insert_queue(site_id: int, service_id: int, letter: str) -> bool:
    """A queue for the service with that letter; False when the site has a queue for
    the service or a queue with the letter already (unique indexes decide)."""
    rows = await SiteQueue.raw(
        "INSERT INTO site_queue (site, service, letter) VALUES ({}, {}, {}) "
        "ON CONFLICT DO NOTHING RETURNING id",
        site_id,
        service_id,
        letter,
    )
    return bool(rows)


# --- counters and work profiles -------------------------------------------------------


async def insert_counter(site_id: int, name: str) -> int | None:
    """The new counter's id; None when the site has a counter of that name already."""
    rows = await CounterTable.raw(
        "INSERT INTO counter (site, name) VALUES ({}, {}) "
        "ON CONFLICT (site, name) DO NOTHING RETURNING id",
        site_id,
        name,
    )
    return int(rows[0]["id"]) if rows else None


async def insert_profile(counter_id: int, service_ids: Sequence[int]) -> None:
    """The counter's work profile: ``service_ids`` get ranks 1, 2, … in that order."""
    await CounterService.insert(
        *(
            CounterService(counter=counter_id, service=service_id, rank=rank)
            for rank, service_id in enumerate(service_ids, start=1)
        )
    )


async def counter_by_id(counter_id: int) -> Counter | None:
    row = await CounterTable.select().where(CounterTable.id == counter_id).first()
    return _counter(row) if row else None


async def counters_at(site_id: int) -> list[Counter]:
    rows = await CounterTable.select().where(CounterTable.site == site_id)
    return [_counter(row) for row in rows]


async def profile_entries(counter_ids: Sequence[int]) -> list[ProfileEntry]:
    """The work profiles of ``counter_ids``, by rank."""
    if not counter_ids:
        return []
    rows = (
        await CounterService.select(
            CounterService.counter, CounterService.service, CounterService.rank
        )
        .where(CounterService.counter.is_in(list(counter_ids)))
        .order_by(CounterService.rank)
    )
    return [
        ProfileEntry(counter_id=r["counter"], service_id=r["service"], rank=r["rank"]) for r in rows
    ]


# --- numbers ----------------------------------------------------------------------------


async def next_number(site_id: int, letter: str, day: date) -> int:
    """The next number of the site's ``letter`` on its local ``day``: one upsert."""
    rows = await TicketSequence.raw(
        "INSERT INTO ticket_sequence (site, letter, day, last) VALUES ({}, {}, {}, 1) "
        "ON CONFLICT (site, letter, day) DO UPDATE SET last = ticket_sequence.last + 1 "
        "RETURNING last",
        site_id,
        letter,
        day,
    )
    return int(rows[0]["last"])


# --- tickets ----------------------------------------------------------------------------


async def insert_ticket(new: NewTicket) -> Ticket:
    """A new ticket waiting for ``new.first``. A second ticket for one booking fails on
    the unique index ``ticket_booking_key``."""
    rows = await TicketTable.raw(
        "INSERT INTO ticket (site, day, code, booking, service, next_steps, "  # noqa: S608 - fixed column list
        "kind, priority, name, phone, status, due_at, created_at, queued_at, recalls) "
        "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, 0) "
        f"RETURNING {TICKET_COLUMNS}",
        new.site_id,
        new.day,
        new.code,
        new.booking_id,
        new.first.service_id,
        _steps_json(new.rest),
        new.kind,
        new.priority,
        new.name,
        new.phone,
        TicketStatus.WAITING,
        new.due_at,
        new.at,
        new.at,
    )
    return _ticket(rows[0])


async def ticket_by_id(ticket_id: int) -> Ticket | None:
    row = await TicketTable.select().where(TicketTable.id == ticket_id).first()
    return _ticket(row) if row else None


def _call_order(ranks: Mapping[int, int]) -> tuple[str, list[Any]]:
    """ORDER BY of :mod:`.ordering`'s rule for a counter whose profile maps service id
    -> rank, and its bound values: priority, rank, due time, id."""
    cases = " ".join("WHEN {} THEN {}" for _ in ranks)
    args: list[Any] = []
    for service_id, rank in ranks.items():
        args += [service_id, rank]
    rank_sql = f"CASE service {cases} ELSE {UNRANKED} END" if ranks else "0"
    return f"priority DESC, {rank_sql}, due_at, id", args


async def pick_next(site_id: int, ranks: Mapping[int, int]) -> int | None:
    """The id of the waiting ticket a counter with this profile calls next (see
    :mod:`.ordering`), or None. Run it inside the write transaction that then calls the
    ticket: on PostgreSQL the row stays locked (``FOR UPDATE``) until the transaction
    ends, and a row another counter holds is skipped (``SKIP LOCKED``), not waited for."""
    if not ranks:
        return None
    order, order_args = _call_order(ranks)
    placeholders = ", ".join("{}" for _ in ranks)
    skip_locked = (
        " FOR UPDATE SKIP LOCKED"
        if TicketTable._meta.db.engine_type == "postgres"  # noqa: SLF001
        else ""
    )
    rows = await TicketTable.raw(
        "SELECT id FROM ticket WHERE site = {} AND status = {} "  # noqa: S608 - fixed fragments, bound values
        f"AND service IN ({placeholders}) ORDER BY {order} LIMIT 1{skip_locked}",
        site_id,
        TicketStatus.WAITING,
        *ranks,
        *order_args,
    )
    return int(rows[0]["id"]) if rows else None


async def call(ticket_id: int, counter_id: int, at: datetime) -> Ticket | None:
    """To the counter, if the ticket still waits."""
    rows = await TicketTable.raw(
        "UPDATE ticket SET status = {}, counter = {}, called_at = {}, recalls = 0 "  # noqa: S608 - fixed column list
        f"WHERE id = {{}} AND status = {{}} RETURNING {TICKET_COLUMNS}",
        TicketStatus.CALLED,
        counter_id,
        at,
        ticket_id,
        TicketStatus.WAITING,
    )
    return _changed(rows)


async def recall(ticket_id: int, at: datetime, max_recalls: int) -> Ticket | None:
    """Called again, if it is at a counter and was recalled fewer than ``max_recalls``."""
    rows = await TicketTable.raw(
        "UPDATE ticket SET recalls = recalls + 1, called_at = {} "  # noqa: S608 - fixed column list
        f"WHERE id = {{}} AND status = {{}} AND recalls < {{}} RETURNING {TICKET_COLUMNS}",
        at,
        ticket_id,
        TicketStatus.CALLED,
        max_recalls,
    )
    return _changed(rows)


async def mark_no_show(ticket_id: int, at: datetime) -> Ticket | None:
    """A no-show, if it is waiting or at a counter."""
    rows = await TicketTable.raw(
        "UPDATE ticket SET status = {}, finished_at = {} "  # noqa: S608 - fixed column list
        f"WHERE id = {{}} AND status IN ({{}}, {{}}) RETURNING {TICKET_COLUMNS}",
        TicketStatus.NO_SHOW,
        at,
        ticket_id,
        TicketStatus.CALLED,
        TicketStatus.WAITING,
    )
    return _changed(rows)


async def finish(ticket_id: int, at: datetime) -> Ticket | None:
    """Done, if it is at a counter."""
    rows = await TicketTable.raw(
        "UPDATE ticket SET status = {}, finished_at = {} "  # noqa: S608 - fixed column list
        f"WHERE id = {{}} AND status = {{}} RETURNING {TICKET_COLUMNS}",
        TicketStatus.DONE,
        at,
        ticket_id,
        TicketStatus.CALLED,
    )
    return _changed(rows)


async def advance(
    ticket_id: int, following: Step, rest: Sequence[Step], at: datetime
) -> Ticket | None:
    """Waiting in the line of ``following`` (the next service of a one-stop visit), with
    the same number, if it is at a counter; due at the booked time, else now."""
    rows = await TicketTable.raw(
        "UPDATE ticket SET status = {}, service = {}, next_steps = {}, "  # noqa: S608 - fixed column list
        "due_at = {}, queued_at = {}, called_at = NULL, counter = NULL, recalls = 0 "
        f"WHERE id = {{}} AND status = {{}} RETURNING {TICKET_COLUMNS}",
        TicketStatus.WAITING,
        following.service_id,
        _steps_json(rest),
        following.due or at,
        at,
        ticket_id,
        TicketStatus.CALLED,
    )
    return _changed(rows)


async def transfer(ticket_id: int, service_id: int, at: datetime) -> Ticket | None:
    """Waiting in the line of ``service_id``, if it is waiting or at a counter."""
    rows = await TicketTable.raw(
        "UPDATE ticket SET status = {}, service = {}, queued_at = {}, "  # noqa: S608 - fixed column list
        "called_at = NULL, counter = NULL, recalls = 0 "
        f"WHERE id = {{}} AND status IN ({{}}, {{}}) RETURNING {TICKET_COLUMNS}",
        TicketStatus.WAITING,
        service_id,
        at,
        ticket_id,
        TicketStatus.WAITING,
        TicketStatus.CALLED,
    )
    return _changed(rows)


async def waiting_tickets(site_id: int) -> list[Ticket]:
    """The site's waiting tickets: priority first, then due time, then id."""
    rows = (
        await TicketTable.select()
        .where(TicketTable.site == site_id, TicketTable.status == TicketStatus.WAITING)
        .order_by(TicketTable.priority, ascending=False)
        .order_by(TicketTable.due_at)
        .order_by(TicketTable.id)
    )
    return [_ticket(row) for row in rows]


async def called_tickets(site_id: int) -> list[Ticket]:
    """The site's tickets at a counter, the latest call first."""
    rows = (
        await TicketTable.select()
        .where(TicketTable.site == site_id, TicketTable.status == TicketStatus.CALLED)
        .order_by(TicketTable.called_at, ascending=False)
    )
    return [_ticket(row) for row in rows]


# --- steps --------------------------------------------------------------------------------


async def insert_step(
    ticket: Ticket, called_at: datetime, outcome: StepOutcome, at: datetime
) -> None:
    """The service the ticket was given at its counter (``ticket`` as it was then)."""
    await TicketStep.insert(
        TicketStep(
            ticket=ticket.id,
            site=ticket.site_id,
            service=ticket.service_id,
            counter=ticket.counter_id,
            queued_at=ticket.queued_at,
            called_at=called_at,
            finished_at=at,
            outcome=outcome,
        )
    )


async def service_times(site_id: int, since: datetime, limit: int) -> list[ServiceTime]:
    """The site's services finished (not no-shows) after ``since``, the latest first."""
    rows = (
        await TicketStep.select(TicketStep.service, TicketStep.called_at, TicketStep.finished_at)
        .where(
            TicketStep.site == site_id,
            TicketStep.outcome == StepOutcome.DONE,
            TicketStep.finished_at > since,
        )
        .order_by(TicketStep.finished_at, ascending=False)
        .limit(limit)
    )
    return [
        ServiceTime(
            service_id=r["service"],
            called_at=_instant(r["called_at"]),
            finished_at=_instant(r["finished_at"]),
        )
        for r in rows
    ]
