"""The one clock: every "now" in the system is UTC and comes from here.

:func:`now` reads the clock's *source*, by default the system's clock. A test or a
bench that needs another time sets the source, for a block with :func:`using` or
for good with :func:`set_source`; since :func:`now` looks the source up on every
call, every holder of the function (``from wcr.clock import now``, a dataclass
field's ``default_factory=now``) reads the source set at that moment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

Source = Callable[[], datetime]


def system() -> datetime:
    """The system's clock, in UTC: the default source."""
    return datetime.now(UTC)


_source: Source = system


def now() -> datetime:
    """The current instant (aware, UTC) of the clock's source."""
    moment = _source()
    if moment.tzinfo is None:
        raise ValueError(f"the clock's source gave a naive time, {moment}")
    return moment.astimezone(UTC)


def set_source(source: Source) -> Source:
    """Read ``source`` from now on; returns the source it replaces."""
    global _source
    previous, _source = _source, source
    return previous


@contextmanager
def using(source: Source) -> Iterator[None]:
    """:func:`now` reads ``source`` until the block ends (however it ends)."""
    previous = set_source(source)
    try:
        yield
    finally:
        set_source(previous)
