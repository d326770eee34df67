"""What other features (and the worker) use of the waitlist."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from typing import Any

from piccolo.engine.base import Engine

from .events import EndedBecause, EntryEnded, EntryJoined, OfferMade
from .links import message_link
from .records import OPEN, EntryRecord, HoldStatus
from .repository import entries_by_id, holds_of, waiting_counts
from .sweep import sweep

log = logging.getLogger(__name__)

# Holds run out at minute granularity; a sweep a minute keeps a place idle at most that.
SWEEP_EVERY = 60.0


async def every_minute(engine: Engine[Any], stop: asyncio.Event) -> None:
    """The worker's loop: expired holds pass on, entries past their days lapse."""
    while not stop.is_set():
        try:
            await sweep(engine)
        except Exception:  # a failed round is logged and retried, the worker stays up
            log.exception("waitlist sweep failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), SWEEP_EVERY)


async def entry_by_id(entry_id: int) -> EntryRecord | None:
    found = await entries_by_id([entry_id])
    return found[0] if found else None


async def live_hold(entry_id: int) -> tuple[list[int], datetime] | None:
    """The slots held for the entry right now and when the hold runs out; None when
    nothing is held (claimed, declined, expired)."""
    held = await holds_of(entry_id, HoldStatus.HELD)
    if not held:
        return None
    return [h.slot_id for h in held], min(h.expires_at for h in held)


__all__ = [
    "OPEN",
    "EndedBecause",
    "EntryEnded",
    "EntryJoined",
    "EntryRecord",
    "OfferMade",
    "entry_by_id",
    "every_minute",
    "live_hold",
    "message_link",
    "sweep",
    "waiting_counts",
]

# --- data protection (wcr.privacy): a person's entries, and the purge's ---------------
from .erasure import entries_of, erase_entries, leave_silently  # noqa: E402 - a section of its own
from .repository import entries_done_before  # noqa: E402 - a section of its own

__all__ += ["entries_done_before", "entries_of", "erase_entries", "leave_silently"]

# --- counts (wcr.stats, the staff pages) ----------------------------------------------
from .counts import offer_days, waiting  # noqa: E402 - a section of its own
from .records import OfferDay  # noqa: E402 - a section of its own

__all__ += ["OfferDay", "offer_days", "waiting"]
