"""Personal data of visits is erased ``WCR_RETENTION_DAYS`` after the visit.

What goes: the names, e-mail addresses, phone numbers and their hashed keys of
bookings, the names, numbers, notes and keys of front-desk tickets, the names,
addresses, numbers and contact keys of waitlist entries, the recipients
and provider answers of their messages (and of the attempts to send them), the
contacts' lock rows once no booking holds their key, the daily-cap counts, the
client addresses of the audit log's entries, and the folder outbox's files. What
stays is every row with its status, times, site, service, language and package: the
statistics count them (see the README's "Data protection").

A booking's visit has ended when its last appointment (held, or held when it was
cancelled) ended; a ticket's when its day did; a waitlist entry's when it ended
(booked, left, lapsed) or its last acceptable day did, whichever is first (one never
swept keeps its status: it is past its days and is offered nothing). The work goes in batches of
:data:`BATCH` rows, each one write transaction holding a batch of bookings (or
tickets) together with their messages: a year's data at the first run would
otherwise hold SQLite's write lock, and every booking waiting for it, for the whole
purge, and memory stays flat however much is due. A purge that stops half-way leaves
every batch either erased or untouched, and the next one goes on.

``--dry-run`` runs the very same purge in one transaction and rolls it back, so its
counts are exactly what a purge would erase; it writes no file and no audit entry.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from piccolo.engine.base import Engine

from wcr.audit import public as audit
from wcr.booking import public as booking
from wcr.clock import now
from wcr.config import Settings
from wcr.database import write_transaction
from wcr.notifications import public as notifications
from wcr.queue import public as queue
from wcr.waitlist import public as waitlist

from .records import Purge

log = logging.getLogger("wcr.privacy")

BATCH = 500
# How often the worker looks whether a new UTC day began (and so a purge is due).
CHECK_EVERY = 600.0

# What a purge reports on, in this order.
TABLES = (
    "booking",
    "ticket",
    "waitlist_entry",
    "message",
    "message_attempt",
    "contact_lock",
    "message_quota",
    "audit_entry",
    "outbox files",
)

Select = Callable[[int, int], Awaitable[list[int]]]
Handle = Callable[[list[int]], Awaitable[None]]


class _RolledBack(Exception):
    """Ends a dry run's transaction, carrying what it counted."""

    def __init__(self, purge: Purge) -> None:
        self.purge = purge


async def purge(
    engine: Engine[Any], settings: Settings, *, dry_run: bool = False, batch: int = BATCH
) -> Purge:
    """Erase the personal data of visits that ended ``settings.retention_days`` ago."""
    run = Purge(now() - timedelta(days=settings.retention_days), settings.retention_days, dry_run)
    if not dry_run:
        return await _purge(engine, settings, run, batch)
    try:
        async with write_transaction(engine):  # the batches' transactions join this one
            await _counted_then_undone(engine, settings, run, batch)
    except _RolledBack as rolled:
        return rolled.purge
    raise AssertionError("unreachable")  # pragma: no cover


async def _counted_then_undone(
    engine: Engine[Any], settings: Settings, run: Purge, size: int
) -> None:
    raise _RolledBack(await _purge(engine, settings, run, size))


async def _purge(engine: Engine[Any], settings: Settings, run: Purge, size: int) -> Purge:
    counts: Counter[str] = Counter(dict.fromkeys(TABLES, 0))  # every table, also at 0

    async def bookings(ids: list[int]) -> None:
        keys = await booking.contact_keys_of(ids)
        counts["booking"] += await booking.erase_bookings(ids)
        await _messages(counts, ids, [])
        # Their contacts' lock rows, unless a booking still in the retention holds the key.
        counts["contact_lock"] += await booking.forget_contact_locks(keys=sorted(keys))

    async def tickets(ids: list[int]) -> None:
        counts["ticket"] += await queue.erase_tickets(ids)
        await _messages(counts, [], ids)

    async def entries(ids: list[int]) -> None:
        counts["waitlist_entry"] += await waitlist.erase_entries(ids)
        await _messages(counts, [], [], ids)

    async def locks(ids: list[int]) -> None:
        counts["contact_lock"] += await booking.forget_contact_locks(ids=ids)

    cutoff = run.cutoff
    await _in_batches(
        engine, lambda after, n: booking.bookings_visited_before(cutoff, after, n), bookings, size
    )
    await _in_batches(
        engine, lambda after, n: queue.tickets_issued_before(cutoff, after, n), tickets, size
    )
    await _in_batches(
        engine, lambda after, n: waitlist.entries_done_before(cutoff, after, n), entries, size
    )
    # Lock rows left from before (their bookings erased while another still held the key).
    await _in_batches(
        engine, lambda after, n: booking.unused_contact_locks(cutoff, after, n), locks, size
    )
    async with write_transaction(engine):
        counts["message_quota"] = await _forget_counts(cutoff.date())
        # The audit log keeps what was done, by ids; the client address goes.
        counts["audit_entry"] = await audit.forget_addresses(cutoff)
    old_files = notifications.outbox_files.written_before(settings.outbox_dir, cutoff)
    counts["outbox files"] = (
        sum(1 for _ in old_files) if run.dry_run else notifications.outbox_files.remove(old_files)
    )
    done = replace(run, counts=dict(counts))
    async with write_transaction(engine):
        await audit.record(
            audit.SYSTEM_PURGE,
            "purge",
            "retention",
            cutoff.date().isoformat(),
            details={"retention_days": run.retention_days, **done.counts},
        )
    return done


async def _messages(
    counts: Counter[str],
    booking_ids: list[int],
    ticket_ids: list[int],
    entry_ids: list[int] | None = None,
) -> None:
    messages, attempts = await notifications.erase_messages(
        booking_ids, ticket_ids, waitlist_entry_ids=entry_ids or []
    )
    counts["message"] += messages
    counts["message_attempt"] += attempts


async def _forget_counts(before: date) -> int:
    counted = await notifications.counts_before(before)
    await notifications.forget_counts_before(before)
    return counted


async def _in_batches(engine: Engine[Any], select: Select, handle: Handle, size: int) -> None:
    """``select(after_id, size)`` and ``handle`` the ids, a transaction per batch, until
    a batch comes back short."""
    after = 0
    while True:
        async with write_transaction(engine):
            ids = await select(after, size)
            if ids:
                await handle(ids)
        if len(ids) < size:
            return
        after = ids[-1]


async def every_day(
    engine: Engine[Any],
    settings: Settings,
    stop: asyncio.Event,
    *,
    check_every: float = CHECK_EVERY,
) -> None:
    """Purge once a UTC day until ``stop`` is set: at the start, then after each
    midnight (UTC). A purge that fails is tried again at the next look."""
    done: date | None = None
    while not stop.is_set():
        today = now().date()
        if today != done:
            try:
                run = await purge(engine, settings)
            except Exception:
                log.exception("purge failed; tried again in %.0f s", check_every)
            else:
                done = today
                log.info("purge of visits before %s: %s", run.cutoff.date(), run.counts)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=check_every)
