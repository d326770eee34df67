"""What runs beside the web: the outbox's dispatcher, once a UTC day the purge of
personal data past the retention, and every minute the waitlist's sweep (holds that
ran out pass on, entries past their days lapse). `wcr worker` runs it, and so does the
app itself when it dispatches in process (``WCR_DISPATCH_IN_PROCESS``, `make run`), so
that a centre on one process gets all of it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from piccolo.engine.base import Engine

from .config import Settings
from .notifications.dispatcher import Dispatcher
from .privacy.public import every_day
from .waitlist.public import every_minute


async def run(engine: Engine[Any], settings: Settings, stop: asyncio.Event) -> None:
    """Until ``stop`` is set."""
    dispatcher = Dispatcher.from_settings(engine, settings)
    await asyncio.gather(
        dispatcher.run(stop), every_day(engine, settings, stop), every_minute(engine, stop)
    )
