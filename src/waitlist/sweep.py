"""The worker's round: holds that ran out pass on, entries past their days lapse."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from piccolo.engine.base import Engine

from wcr import events
from wcr.clock import now
from wcr.database import retrying_deadlocks, write_transaction

from . import repository as repo
from .entries import give_back
from .events import EndedBecause, EntryEnded
from .records import EntryRecord


async def _tell_lapsed(entries: list[EntryRecord], at: Any) -> None:
    for entry in entries:
        await events.emit(EntryEnded.of(entry, EndedBecause.LAPSED, at))


async def sweep(engine: Engine[Any]) -> int:
    """One round in one transaction; how many holds ran out and entries lapsed."""
    return await retrying_deadlocks(lambda: _round(engine))


async def _round(engine: Engine[Any]) -> int:
    async with write_transaction(engine):
        at = now()
        expired = await repo.expire_holds(at)
        entry_ids = sorted({entry_id for entry_id, _ in expired})
        lapsed = await repo.reopen_entries(entry_ids, at)
        # A day ends at the latest at UTC+14: yesterday in UTC is over everywhere.
        lapsed += await repo.lapse_past(at.date() - timedelta(days=1), at)
        await _tell_lapsed(await repo.entries_by_id(lapsed), at)
        # Given back after the entries reopened, so the same passing-on rules apply
        # (an entry is never offered a slot it held before).
        await give_back([slot_id for _, slot_id in expired], at)
    return len(expired) + len(lapsed)
