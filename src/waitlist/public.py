"""What other features (and the worker) use of the waitlist."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from piccolo.engine.base import Engine

from .events import EndedBecause, EntryEnded, OfferMade
from .repository import waiting_counts
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


__all__ = ["EndedBecause", "EntryEnded", "OfferMade", "every_minute", "sweep", "waiting_counts"]
