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
- **Call-next** is one statement, :func:`call_next_ticket`: the conditional update
  ``WHERE id = (the pick) AND status = 'waiting'``, the pick ``FOR UPDATE SKIP
  LOCKED`` on PostgreSQL (SQLite's BEGIN IMMEDIATE serialises writers) with the
  counter's state in its condition; so two counters calling at once get two different
  tickets, and a paused counter calls nobody.
- **A counter that is not open calls nobody**: a call reads the counter's state
  with ``FOR SHARE`` (in call-next's statement, or :func:`lock_counter`) in its
  transaction, so a pause waits for the calls already under way and every call after
  the pause sees it.
- **One active remote ticket per contact**, site and day: partial unique indexes on
  ``ticket (site, day, phone_key)`` and ``(…, email_key)`` over the active statuses.
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

from wcr import clock
from wcr.booking.public import AppointmentStatus
from wcr.timezones import as_utc

from . import ordering
from .records import (
    Counter,
    CounterState,
    DayCounts,
    NewTicket,
    NextCall,
    ProfileEntry,
    ServiceTime,
    Step,
    StepOutcome,
    Ticket,
    TicketKind,
    TicketStatus,
    WaitSample,
)
from .stats_records import Attendance, ServiceDay, VisitorDay
from .tables import Counter as CounterTable
from .tables import CounterService, QueueSite, SiteQueue, TicketSequence, TicketStep
from .tables import Ticket as TicketTable

# The ticket's columns, as every conditional update hands them back.
TICKET_COLUMNS = (
    "id, site, day, code, booking, service, next_steps, kind, priority, "
    "name, phone, status, counter, recalls, due_at, created_at, queued_at, called_at, "
    "finished_at, language, note, parked_at, step, almost_step, remote"
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
        language=row["language"],
        note=row["note"],
        parked_at=_maybe_instant(row["parked_at"]),
        step=row["step"],
        almost_step=row["almost_step"],
        remote=bool(row["remote"]),
    )


def _changed(rows: list[dict[str, Any]]) -> Ticket | None:
    return _ticket(rows[0]) if rows else None


def _counter(row: dict[str, Any]) -> Counter:
    return Counter(
        id=row["id"], site_id=row["site"], name=row["name"], state=CounterState(row["state"])
    )


def _postgres() -> bool:
    return bool(TicketTable._meta.db.engine_type == "postgres")  # noqa: SLF001


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


async def set_counter_state(site_id: int, counter_id: int, state: CounterState) -> Counter | None:
    """The counter in ``state``; None when the site has no such counter. On PostgreSQL
    the update waits for calls of this counter still under way (:func:`lock_counter`)."""
    rows = await CounterTable.raw(
        "UPDATE counter SET state = {} WHERE id = {} AND site = {} RETURNING id, site, name, state",
        state,
        counter_id,
        site_id,
    )
    return _counter(rows[0]) if rows else None


async def lock_counter(counter_id: int) -> CounterState | None:
    """The counter's state, held (``FOR SHARE`` on PostgreSQL) until the caller's write
    transaction ends, so that a pause cannot slip between this read and the call;
    SQLite's BEGIN IMMEDIATE serialises writers anyway."""
    lock = " FOR SHARE" if _postgres() else ""
    rows = await CounterTable.raw(
        f"SELECT state FROM counter WHERE id = {{}}{lock}",  # noqa: S608 - fixed fragment
        counter_id,
    )
    return CounterState(rows[0]["state"]) if rows else None


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
    the unique index ``ticket_booking_key``, a second active remote ticket of a contact
    on ``ticket_remote_phone_key`` or ``ticket_remote_email_key``."""
    rows = await TicketTable.raw(
        "INSERT INTO ticket (site, day, code, booking, service, next_steps, "  # noqa: S608 - fixed column list
        "kind, priority, name, phone, status, due_at, created_at, queued_at, recalls, "
        "language, remote, phone_key, email_key, step) "
        "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, 0, {}, {}, {}, {}, 0) "
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
        new.language,
        new.remote,
        new.phone_key,
        new.email_key,
    )
    return _ticket(rows[0])


async def ticket_by_id(ticket_id: int) -> Ticket | None:
    row = await TicketTable.select().where(TicketTable.id == ticket_id).first()
    return _ticket(row) if row else None


def _call_order(ranks: Mapping[int, int], at: datetime) -> tuple[str, list[Any]]:
    """ORDER BY of :mod:`.ordering`'s rule at ``at`` for a counter whose profile maps
    service id -> rank (none: one line), and its bound values: priority, rank, due
    now or not, due time, id."""
    cases = " ".join("WHEN {} THEN {}" for _ in ranks)
    args: list[Any] = []
    for service_id, rank in ranks.items():
        args += [service_id, rank]
    rank_sql = f"CASE service {cases} ELSE {UNRANKED} END, " if ranks else ""
    booked_until, anyone_until = ordering.thresholds(at)
    due_sql = "CASE WHEN (kind = {} AND due_at <= {}) OR due_at <= {} THEN 0 ELSE 1 END"
    args += [TicketKind.APPOINTMENT, booked_until, anyone_until]
    return f"priority DESC, {rank_sql}{due_sql}, due_at, id", args


async def pick_next(
    site_id: int, ranks: Mapping[int, int], at: datetime | None = None
) -> int | None:
    """The id of the waiting ticket a counter with this profile calls next at ``at``
    (by default now; see :mod:`.ordering`), or None: the pick of
    :func:`call_next_ticket` on its own, with the ranks bound (the tests compare
    them). Run it inside the write transaction that then calls the ticket: on
    PostgreSQL the row stays locked (``FOR UPDATE``) until the transaction ends, and a
    row another counter holds is skipped (``SKIP LOCKED``), not waited for."""
    if not ranks:
        return None
    order, order_args = _call_order(ranks, at or clock.now())
    placeholders = ", ".join("{}" for _ in ranks)
    skip_locked = " FOR UPDATE SKIP LOCKED" if _postgres() else ""
    rows = await TicketTable.raw(
        "SELECT id FROM ticket WHERE site = {} AND status = {} "  # noqa: S608 - fixed fragments, bound values
        f"AND service IN ({placeholders}) ORDER BY {order} LIMIT 1{skip_locked}",
        site_id,
        TicketStatus.WAITING,
        *ranks,
        *order_args,
    )
    return int(rows[0]["id"]) if rows else None


async def call(
    ticket_id: int, counter_id: int, at: datetime, *, parked_too: bool = False
) -> Ticket | None:
    """To the counter, if the ticket still waits (or, ``parked_too``, is parked: the
    desk calls a parked visitor back by number)."""
    statuses = [TicketStatus.WAITING, TicketStatus.PARKED if parked_too else TicketStatus.WAITING]
    rows = await TicketTable.raw(
        "UPDATE ticket SET status = {}, counter = {}, called_at = {}, recalls = 0, "  # noqa: S608 - fixed column list
        "parked_at = NULL "
        f"WHERE id = {{}} AND status IN ({{}}, {{}}) RETURNING {TICKET_COLUMNS}",
        TicketStatus.CALLED,
        counter_id,
        at,
        ticket_id,
        *statuses,
    )
    return _changed(rows)


def _pick_sql(
    site_id: int, counter_id: int, at: datetime, open_sql: str
) -> tuple[str, list[Any], list[Any]]:
    """The SELECT of the ticket a counter calls next at ``at``: the waiting tickets of
    its profile's services in :mod:`.ordering`'s order, the rank from the profile's
    rows (``counter_service``), if ``open_sql`` (the counter open) holds."""
    booked_until, anyone_until = ordering.thresholds(at)
    sql = (
        "SELECT t.id FROM ticket t JOIN counter_service cs ON cs.service = t.service "  # noqa: S608 - fixed fragments
        f"WHERE cs.counter = {{}} AND t.site = {{}} AND t.status = {{}} AND {open_sql} "
        "ORDER BY t.priority DESC, cs.rank, "
        "CASE WHEN (t.kind = {} AND t.due_at <= {}) OR t.due_at <= {} THEN 0 ELSE 1 END, "
        "t.due_at, t.id LIMIT 1"
    )
    args = [counter_id, site_id, TicketStatus.WAITING]
    return sql, args, [TicketKind.APPOINTMENT, booked_until, anyone_until]


async def call_next_ticket(site_id: int, counter_id: int, at: datetime) -> NextCall:
    """Call-next's pick and call as one statement: the ticket :mod:`.ordering` puts
    first for the counter's work profile goes to the counter, if the counter (of this
    site) is open. Run it inside the caller's write transaction.

    On PostgreSQL one statement answers everything: the counter's row read ``FOR
    SHARE`` (a pause waits for the call, and a call after the pause sees it), the pick
    ``FOR UPDATE SKIP LOCKED`` (a ticket another counter is calling is not waited for),
    and the conditional update ``AND status = 'waiting'``, in CTEs; when it calls
    nobody, whether tickets wait all the same, held by other transactions.

    Passing over a held ticket must not let the one behind it go first, unless the held
    one is leaving the line. The lock tells which: another counter calling a ticket
    holds it ``FOR UPDATE`` (the pick's lock), anyone else changing it (marking the next
    ones "almost your turn", a check-in, parking) ``FOR NO KEY UPDATE`` (a plain
    UPDATE's). So the head is also read ``FOR KEY SHARE SKIP LOCKED``, which only the
    first kind stops: the pick is called if it is that head; otherwise the head waits
    held by a change, nobody is called and the caller tries again once the change is
    over (``held``). Two counters calling at once still call the first two, in
    parallel. On
    SQLite (BEGIN IMMEDIATE serialises writers, so the pick cannot be lost) the update
    with the counter's state in its condition; only when it calls nobody, a second
    statement reads the counter to tell why."""
    update = (
        "UPDATE ticket SET status = {}, counter = {}, called_at = {}, recalls = 0, "
        "parked_at = NULL WHERE id = ({}) AND status = {} "
    )
    head = [TicketStatus.CALLED, counter_id, at]
    if _postgres():
        is_open = "EXISTS (SELECT 1 FROM c WHERE c.state = {})"
        pick, pick_args, order_args = _pick_sql(site_id, counter_id, at, is_open)
        # The head is read after the pick (its condition waits for p): read first, its
        # KEY SHARE lock would make another counter's pick skip the head as if it were
        # being called, and two counters could stop each other.
        head_pick, _, _ = _pick_sql(
            site_id,
            counter_id,
            at,
            f"{is_open} AND (SELECT count(*) FROM p) >= 0",  # noqa: S608
        )
        call = update.format("{}", "{}", "{}", "SELECT p.id FROM p JOIN f ON f.id = p.id", "{}")
        rows = await TicketTable.raw(
            "WITH c AS (SELECT id, site, name, state FROM counter "  # noqa: S608 - fixed fragments, bound values
            "WHERE id = {} AND site = {} FOR SHARE), "
            f"p AS ({pick} FOR UPDATE OF t SKIP LOCKED), "
            f"f AS ({head_pick} FOR KEY SHARE OF t SKIP LOCKED), "
            f"u AS ({call}RETURNING {TICKET_COLUMNS}) "
            "SELECT c.id AS counter_id, c.site AS counter_site, c.name AS counter_name, "
            "c.state AS counter_state, (SELECT id FROM p) AS picked, "
            "(SELECT id FROM f) AS line_head, "
            # A plain read, which a held row does not stop: "nobody picked" tells
            # "all of them held" from "nobody there".
            "EXISTS (SELECT 1 FROM ticket w JOIN counter_service ws ON ws.service = w.service "
            "WHERE ws.counter = c.id AND w.site = c.site AND w.status = {}) AS anyone, u.* "
            "FROM c LEFT JOIN u ON TRUE",
            counter_id,
            site_id,
            *pick_args,
            CounterState.OPEN,
            *order_args,
            *pick_args,
            CounterState.OPEN,
            *order_args,
            *head,
            TicketStatus.WAITING,
            TicketStatus.WAITING,
        )
        if not rows:
            return NextCall(counter=None, ticket=None)
        row = rows[0]
        counter = Counter(
            id=row["counter_id"],
            site_id=row["counter_site"],
            name=row["counter_name"],
            state=CounterState(row["counter_state"]),
        )
        ticket = _ticket(row) if row["id"] is not None else None
        # Picked the head, but the update found it no longer waiting: called meanwhile.
        lost = ticket is None and row["picked"] is not None and row["picked"] == row["line_head"]
        return NextCall(counter, ticket, lost=lost, held=ticket is None and bool(row["anyone"]))
    pick, pick_args, order_args = _pick_sql(
        site_id,
        counter_id,
        at,
        "EXISTS (SELECT 1 FROM counter c WHERE c.id = {} AND c.site = {} AND c.state = {})",
    )
    named = "(SELECT name FROM counter WHERE id = {}) AS counter_name"
    sql = update.format("{}", "{}", "{}", pick, "{}") + f"RETURNING {TICKET_COLUMNS}, {named}"
    rows = await TicketTable.raw(
        sql,
        *head,
        *pick_args,
        counter_id,
        site_id,
        CounterState.OPEN,
        *order_args,
        TicketStatus.WAITING,
        counter_id,
    )
    if rows:
        row = rows[0]
        counter = Counter(id=counter_id, site_id=site_id, name=row["counter_name"])
        return NextCall(counter, _ticket(row))
    found = await counter_by_id(counter_id)
    return NextCall(counter=found if found and found.site_id == site_id else None, ticket=None)


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
        "due_at = {}, queued_at = {}, called_at = NULL, counter = NULL, recalls = 0, "
        "step = step + 1 "
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
        "called_at = NULL, counter = NULL, recalls = 0, parked_at = NULL, step = step + 1 "
        f"WHERE id = {{}} AND status IN ({{}}, {{}}, {{}}) RETURNING {TICKET_COLUMNS}",
        TicketStatus.WAITING,
        service_id,
        at,
        ticket_id,
        TicketStatus.WAITING,
        TicketStatus.CALLED,
        TicketStatus.PARKED,
    )
    return _changed(rows)


async def park(ticket_id: int, at: datetime) -> Ticket | None:
    """Set aside, if it waits or is at a counter: out of the line and of call-next, its
    due time kept for its return."""
    rows = await TicketTable.raw(
        "UPDATE ticket SET status = {}, parked_at = {}, called_at = NULL, counter = NULL, "  # noqa: S608 - fixed column list
        "recalls = 0 "
        f"WHERE id = {{}} AND status IN ({{}}, {{}}) RETURNING {TICKET_COLUMNS}",
        TicketStatus.PARKED,
        at,
        ticket_id,
        TicketStatus.WAITING,
        TicketStatus.CALLED,
    )
    return _changed(rows)


async def unpark(ticket_id: int) -> Ticket | None:
    """Back in its line at its old due time, if it is parked."""
    rows = await TicketTable.raw(
        "UPDATE ticket SET status = {}, parked_at = NULL "  # noqa: S608 - fixed column list
        f"WHERE id = {{}} AND status = {{}} RETURNING {TICKET_COLUMNS}",
        TicketStatus.WAITING,
        ticket_id,
        TicketStatus.PARKED,
    )
    return _changed(rows)


async def undo_no_show(ticket_id: int, since: datetime) -> Ticket | None:
    """Back in its line at its old due time, if it became a no-show after ``since``."""
    rows = await TicketTable.raw(
        "UPDATE ticket SET status = {}, finished_at = NULL, called_at = NULL, "  # noqa: S608 - fixed column list
        "counter = NULL, recalls = 0 "
        f"WHERE id = {{}} AND status = {{}} AND finished_at > {{}} RETURNING {TICKET_COLUMNS}",
        TicketStatus.WAITING,
        ticket_id,
        TicketStatus.NO_SHOW,
        since,
    )
    return _changed(rows)


async def forget_no_show_step(ticket_id: int, finished_at: datetime) -> None:
    """The no-show step an undone no-show wrote (the figures must not count it)."""
    await TicketStep.delete().where(
        TicketStep.ticket == ticket_id,
        TicketStep.outcome == StepOutcome.NO_SHOW,
        TicketStep.finished_at == finished_at,
    )


async def leave(ticket_id: int, at: datetime) -> Ticket | None:
    """The visitor left, if the ticket is still in the waiting room."""
    rows = await TicketTable.raw(
        "UPDATE ticket SET status = {}, finished_at = {}, parked_at = NULL "  # noqa: S608 - fixed column list
        f"WHERE id = {{}} AND status IN ({{}}, {{}}, {{}}) RETURNING {TICKET_COLUMNS}",
        TicketStatus.LEFT,
        at,
        ticket_id,
        TicketStatus.WAITING,
        TicketStatus.CALLED,
        TicketStatus.PARKED,
    )
    return _changed(rows)


async def set_note(ticket_id: int, note: str | None) -> Ticket | None:
    rows = await TicketTable.raw(
        f"UPDATE ticket SET note = {{}} WHERE id = {{}} RETURNING {TICKET_COLUMNS}",  # noqa: S608 - fixed column list
        note,
        ticket_id,
    )
    return _changed(rows)


async def mark_almost(ticket_id: int, step: int) -> bool:
    """True once per ticket and line: the ticket, still waiting in its ``step``-th line,
    is marked as told "almost your turn" (False when it was told already). On
    PostgreSQL a row another transaction holds is skipped, not waited for: that one is
    being called (it needs no "almost") or told; waiting could deadlock two counters
    that each hold the ticket they call."""
    condition = (
        "WHERE id = {} AND step = {} AND status = {} AND (almost_step IS NULL OR almost_step < {})"
    )
    if _postgres():
        # FOR NO KEY UPDATE, a plain UPDATE's lock: not FOR UPDATE, which call-next
        # takes as "this one is being called, leaving the line" (call_next_ticket).
        condition = f"WHERE id = (SELECT id FROM ticket {condition} FOR NO KEY UPDATE SKIP LOCKED)"  # noqa: S608
    rows = await TicketTable.raw(
        f"UPDATE ticket SET almost_step = {{}} {condition} RETURNING id",  # noqa: S608 - fixed fragments
        step,
        ticket_id,
        step,
        TicketStatus.WAITING,
        step,
    )
    return bool(rows)


async def ticket_by_code(site_id: int, day: date, code: str) -> Ticket | None:
    row = (
        await TicketTable.select()
        .where(TicketTable.site == site_id, TicketTable.day == day, TicketTable.code == code)
        .first()
    )
    return _ticket(row) if row else None


async def waiting_tickets(site_id: int, at: datetime | None = None) -> list[Ticket]:
    """The site's waiting tickets in the order of :mod:`.ordering` at ``at`` (by
    default now) within each line: priority, due now or not, due time, id."""
    order, args = _call_order({}, at or clock.now())
    rows = await TicketTable.raw(
        f"SELECT {TICKET_COLUMNS} FROM ticket WHERE site = {{}} AND status = {{}} "  # noqa: S608 - fixed fragments, bound values
        f"ORDER BY {order}",
        site_id,
        TicketStatus.WAITING,
        *args,
    )
    return [_ticket(row) for row in rows]


async def waiting_in_line(
    site_id: int, service_id: int, at: datetime | None = None
) -> list[Ticket]:
    """One line's waiting tickets, in the order of :func:`waiting_tickets`."""
    order, args = _call_order({}, at or clock.now())
    rows = await TicketTable.raw(
        f"SELECT {TICKET_COLUMNS} FROM ticket WHERE site = {{}} AND service = {{}} "  # noqa: S608 - fixed fragments, bound values
        f"AND status = {{}} ORDER BY {order}",
        site_id,
        service_id,
        TicketStatus.WAITING,
        *args,
    )
    return [_ticket(row) for row in rows]


async def joined_since(site_id: int, since: datetime) -> list[Ticket]:
    """The site's tickets that joined their current line after ``since`` (whatever
    became of them since), the estimates' recent arrivals."""
    rows = await TicketTable.select().where(
        TicketTable.site == site_id, TicketTable.queued_at > since
    )
    return [_ticket(row) for row in rows]


async def parked_tickets(site_id: int) -> list[Ticket]:
    """The site's parked tickets, parked longest first."""
    rows = (
        await TicketTable.select()
        .where(TicketTable.site == site_id, TicketTable.status == TicketStatus.PARKED)
        .order_by(TicketTable.parked_at)
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


async def done_services(ticket_id: int) -> list[int]:
    """The services given to the ticket so far, in order (its itinerary's done part)."""
    rows = (
        await TicketStep.select(TicketStep.service)
        .where(TicketStep.ticket == ticket_id, TicketStep.outcome == StepOutcome.DONE)
        .order_by(TicketStep.finished_at)
    )
    return [int(r["service"]) for r in rows]


# --- today's figures --------------------------------------------------------------------


async def day_counts(site_id: int, day: date, start: datetime, end: datetime) -> DayCounts:
    """The site's local ``day`` (from ``start`` to ``end``, UTC): tickets by status,
    services given, and how long each visitor called that day had waited."""
    statuses = await TicketTable.raw(
        "SELECT status, COUNT(*) AS n FROM ticket WHERE site = {} AND day = {} GROUP BY status",
        site_id,
        day,
    )
    by_status = {r["status"]: int(r["n"]) for r in statuses}
    served = await TicketStep.raw(
        "SELECT COUNT(*) AS n FROM ticket_step WHERE site = {} AND outcome = {} "
        "AND finished_at >= {} AND finished_at < {}",
        site_id,
        StepOutcome.DONE,
        start,
        end,
    )
    # Every call of the day: the steps it ended in, and the tickets at a counter now.
    waits = await TicketStep.raw(
        "SELECT queued_at, called_at FROM ticket_step WHERE site = {} "
        "AND called_at >= {} AND called_at < {} "
        "UNION ALL SELECT queued_at, called_at FROM ticket WHERE site = {} AND status = {} "
        "AND called_at >= {} AND called_at < {}",
        site_id,
        start,
        end,
        site_id,
        TicketStatus.CALLED,
        start,
        end,
    )
    longest = await TicketTable.raw(
        "SELECT MIN(queued_at) AS since FROM ticket WHERE site = {} AND status = {}",
        site_id,
        TicketStatus.WAITING,
    )
    since = longest[0]["since"] if longest else None
    return DayCounts(
        issued=sum(by_status.values()),
        served=int(served[0]["n"]),
        no_shows=by_status.get(TicketStatus.NO_SHOW, 0),
        left=by_status.get(TicketStatus.LEFT, 0),
        waiting=by_status.get(TicketStatus.WAITING, 0),
        parked=by_status.get(TicketStatus.PARKED, 0),
        longest_waiting_since=_maybe_instant(since),
        waits=tuple(
            WaitSample(queued_at=_instant(r["queued_at"]), called_at=_instant(r["called_at"]))
            for r in waits
        ),
    )


# --- site settings ------------------------------------------------------------------------


async def remote_queue(site_id: int) -> bool:
    """Whether visitors may join the site's walk-in lines from their phones."""
    row = await QueueSite.select(QueueSite.remote_queue).where(QueueSite.site == site_id).first()
    return bool(row and row["remote_queue"])


async def set_remote_queue(site_id: int, *, allowed: bool) -> None:
    await QueueSite.raw(
        "INSERT INTO queue_site (site, remote_queue) VALUES ({}, {}) "
        "ON CONFLICT (site) DO UPDATE SET remote_queue = excluded.remote_queue",
        site_id,
        allowed,
    )


# --- data protection (wcr.privacy): finding and erasing a visitor's data -------------
# A ticket's personal data is its name, phone number, the desk's note and the hashed
# contact keys of a remote ticket. Erasing them keeps the row (site, day, kind, status,
# times, language, its steps) for the statistics. The ids come in batches.

_TICKET_PERSONAL = (
    "(name IS NOT NULL OR phone IS NOT NULL OR note IS NOT NULL "
    "OR phone_key IS NOT NULL OR email_key IS NOT NULL)"
)


async def tickets_issued_before(cutoff: datetime, after_id: int, limit: int) -> list[int]:
    """Up to ``limit`` ids above ``after_id``, ascending, of tickets issued before
    ``cutoff`` that still hold personal data (a ticket is one day's visit)."""
    rows = await TicketTable.raw(
        f"SELECT id FROM ticket WHERE id > {{}} AND created_at < {{}} AND {_TICKET_PERSONAL} "  # noqa: S608 - fixed fragments only
        f"ORDER BY id LIMIT {int(limit)}",
        after_id,
        cutoff,
    )
    return [row["id"] for row in rows]


async def tickets_of_contact(
    *, phone: str | None, keys: Sequence[str], booking_ids: Sequence[int]
) -> list[int]:
    """Ids of the tickets of one visitor: by the E.164 number, by the hashed contact keys
    of a remote ticket, or issued for one of their bookings (a check-in)."""
    conditions: list[str] = []
    args: list[Any] = []
    if phone:
        conditions.append("phone = {}")
        args.append(phone)
    for column, values in (("phone_key", keys), ("email_key", keys), ("booking", booking_ids)):
        if values:
            conditions.append(f"{column} IN ({', '.join('{}' for _ in values)})")
            args += list(values)
    if not conditions:
        return []
    rows = await TicketTable.raw(
        f"SELECT id FROM ticket WHERE {' OR '.join(conditions)} ORDER BY id",  # noqa: S608 - fixed fragments only
        *args,
    )
    return [row["id"] for row in rows]


async def tickets_by_id(ticket_ids: Sequence[int]) -> list[Ticket]:
    if not ticket_ids:
        return []
    rows = await TicketTable.raw(
        f"SELECT {TICKET_COLUMNS} FROM ticket WHERE id IN ({', '.join('{}' for _ in ticket_ids)}) "  # noqa: S608 - placeholders only
        "ORDER BY id",
        *ticket_ids,
    )
    return [_ticket(row) for row in rows]


async def erase_tickets(ticket_ids: Sequence[int]) -> int:
    """Name, phone, note and contact keys of these tickets erased; how many had some."""
    if not ticket_ids:
        return 0
    rows = await TicketTable.raw(
        "UPDATE ticket SET name = NULL, phone = NULL, note = NULL, phone_key = NULL, "  # noqa: S608 - fixed fragments only
        f"email_key = NULL WHERE id IN ({', '.join('{}' for _ in ticket_ids)}) "
        f"AND {_TICKET_PERSONAL} RETURNING id",
        *ticket_ids,
    )
    return len(rows)


# --- counters as an admin sets them (wcr.queue.setup) ---------------------------------


async def rename_counter(counter_id: int, name: str) -> None:
    """Raises the driver's unique violation when the site has a counter of that name."""
    await CounterTable.update({CounterTable.name: name}).where(CounterTable.id == counter_id)


async def replace_profile(counter_id: int, ranked: Sequence[tuple[int, int]]) -> None:
    """The counter's work profile is exactly ``ranked``: (service id, rank) pairs."""
    await CounterService.delete().where(CounterService.counter == counter_id)
    if ranked:
        await CounterService.insert(
            *(
                CounterService(counter=counter_id, service=service_id, rank=rank)
                for service_id, rank in ranked
            )
        )


# --- statistics (wcr.stats): the lines per service and local day ------------------------
# A ticket belongs to the site's local day in its ``day``; so do its steps. Durations are
# whole seconds, handed back as one comma-joined list per service and day (the median and
# percentiles are taken from them in Python: one row per day, not one per visitor).


def _stats_seconds(later: str, earlier: str) -> str:
    if _postgres():
        return f"CAST(ROUND(EXTRACT(EPOCH FROM ({later} - {earlier}))) AS INTEGER)"
    return f"CAST(ROUND((julianday({later}) - julianday({earlier})) * 86400) AS INTEGER)"


def _stats_joined(expression: str) -> str:
    if _postgres():
        return f"string_agg(CAST({expression} AS TEXT), ',')"
    return f"group_concat({expression}, ',')"


def _stats_numbers(joined: str | None) -> tuple[int, ...]:
    return tuple(map(int, joined.split(","))) if joined else ()


def _stats_languages(codes: Sequence[str], alias: str) -> str:
    return "".join(
        f", SUM(CASE WHEN {alias}.language = {{}} THEN 1 ELSE 0 END) AS lang_{i}"
        for i in range(len(codes))
    )


def _stats_counts(row: dict[str, Any], codes: Sequence[str]) -> dict[str, int]:
    return {code: int(row[f"lang_{i}"] or 0) for i, code in enumerate(codes)}


async def service_days(
    site_id: int, first: date, last: date, languages: Sequence[str]
) -> list[ServiceDay]:
    """Per service and local day ``first``…``last`` at the site: walk-ins (by
    ``languages``), services given, one-stop services, waits and transaction times."""
    # A walk-in's lines: the services of its steps, and the one it is (or ended) in; a
    # ticket that never changed lines (step 0) has steps of that one only.
    walk_ins = await TicketTable.raw(
        "SELECT l.service, l.day, COUNT(*) AS walk_ins"  # noqa: S608 - fixed fragments only
        f"{_stats_languages(languages, 'l')} FROM ("
        "SELECT st.service, t.id, t.day, t.language FROM ticket t "
        "JOIN ticket_step st ON st.ticket = t.id WHERE t.site = {} AND t.booking IS NULL "
        "AND t.day >= {} AND t.day <= {} AND t.step > 0 "
        "UNION SELECT t.service, t.id, t.day, t.language FROM ticket t "
        "WHERE t.site = {} AND t.booking IS NULL AND t.day >= {} AND t.day <= {}) l "
        "GROUP BY l.service, l.day",
        *languages,
        site_id,
        first,
        last,
        site_id,
        first,
        last,
    )
    wait = _stats_seconds("st.called_at", "st.queued_at")
    transaction = _stats_seconds("st.finished_at", "st.called_at")
    # One-stop: the tickets given two or more services (a join, not a correlated
    # subquery: PostgreSQL's planner prices those so high that it compiles the query
    # with its JIT, which took seconds).
    steps = await TicketStep.raw(
        "SELECT st.service, t.day, "  # noqa: S608 - fixed fragments only
        "SUM(CASE WHEN st.outcome = {} THEN 1 ELSE 0 END) AS served, "
        "SUM(CASE WHEN st.outcome = {} AND m.ticket IS NOT NULL THEN 1 ELSE 0 END) AS one_stop, "
        f"{_stats_joined(f'CASE WHEN st.outcome <> {{}} THEN {wait} END')} AS waits, "
        f"{_stats_joined(f'CASE WHEN st.outcome = {{}} THEN {transaction} END')} AS transactions "
        "FROM ticket_step st JOIN ticket t ON t.id = st.ticket LEFT JOIN ("
        "SELECT o.ticket FROM ticket_step o JOIN ticket t2 ON t2.id = o.ticket "
        "WHERE t2.site = {} AND t2.day >= {} AND t2.day <= {} AND t2.step > 0 AND o.outcome = {} "
        "GROUP BY o.ticket HAVING COUNT(DISTINCT o.service) >= 2) m ON m.ticket = st.ticket "
        "WHERE st.site = {} AND t.day >= {} AND t.day <= {} GROUP BY st.service, t.day",
        StepOutcome.DONE,
        StepOutcome.DONE,
        StepOutcome.PARKED,
        StepOutcome.DONE,
        site_id,
        first,
        last,
        StepOutcome.DONE,
        site_id,
        first,
        last,
    )
    found: dict[tuple[int, date], dict[str, Any]] = {}
    for row in walk_ins:
        found.setdefault((row["service"], _day(row["day"])), {}).update(
            walk_ins=int(row["walk_ins"]), walk_in_languages=_stats_counts(row, languages)
        )
    for row in steps:
        found.setdefault((row["service"], _day(row["day"])), {}).update(
            served=int(row["served"] or 0),
            one_stop=int(row["one_stop"] or 0),
            waits=_stats_numbers(row["waits"]),
            transactions=_stats_numbers(row["transactions"]),
        )
    return [
        ServiceDay(service_id=service_id, day=day, **values)
        for (service_id, day), values in found.items()
    ]


async def attendance_days(site_id: int, first: date, last: date) -> list[Attendance]:
    """Per service and local day ``first``…``last`` at the site: held appointments whose
    visitor checked in (a booking's ticket is of its appointments' day), and no-shows."""
    arrived = await TicketTable.raw(
        "SELECT sl.service, t.day, COUNT(*) AS n FROM ticket t "
        "JOIN appointment a ON a.booking = t.booking JOIN slot sl ON sl.id = a.slot "
        "WHERE t.site = {} AND t.day >= {} AND t.day <= {} AND a.status = {} "
        "AND sl.site = t.site GROUP BY sl.service, t.day",
        site_id,
        first,
        last,
        AppointmentStatus.ACTIVE,
    )
    no_shows = await TicketTable.raw(
        "SELECT service, day, COUNT(*) AS n FROM ticket WHERE site = {} AND status = {} "
        "AND day >= {} AND day <= {} GROUP BY service, day",
        site_id,
        TicketStatus.NO_SHOW,
        first,
        last,
    )
    found: dict[tuple[int, date], dict[str, int]] = {}
    for name, rows in (("arrived", arrived), ("no_shows", no_shows)):
        for row in rows:
            found.setdefault((row["service"], _day(row["day"])), {})[name] = int(row["n"])
    return [
        Attendance(service_id=service_id, day=day, **values)
        for (service_id, day), values in found.items()
    ]


async def visitor_days(
    site_id: int, first: date, last: date, languages: Sequence[str]
) -> list[VisitorDay]:
    """Per local day ``first``…``last``: the visits the site gave at least one service
    (people advised), with a booking or not, one-stop, by ``languages``."""
    rows = await TicketTable.raw(
        "SELECT d.day, COUNT(*) AS advised, SUM(d.booked) AS attended, "  # noqa: S608 - fixed fragments only
        "SUM(CASE WHEN d.services >= 2 THEN 1 ELSE 0 END) AS one_stop"
        f"{_stats_languages(languages, 'd')} FROM ("
        "SELECT t.id, t.day, t.language, CASE WHEN t.booking IS NULL THEN 0 ELSE 1 END AS booked, "
        "COUNT(DISTINCT st.service) AS services FROM ticket t "
        "JOIN ticket_step st ON st.ticket = t.id WHERE t.site = {} AND t.day >= {} "
        "AND t.day <= {} AND st.outcome = {} GROUP BY t.id, t.day, t.language, t.booking) d "
        "GROUP BY d.day",
        *languages,
        site_id,
        first,
        last,
        StepOutcome.DONE,
    )
    return [
        VisitorDay(
            day=_day(row["day"]),
            advised=int(row["advised"]),
            attended=int(row["attended"] or 0),
            one_stop=int(row["one_stop"] or 0),
            languages=_stats_counts(row, languages),
        )
        for row in rows
    ]
