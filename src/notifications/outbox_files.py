"""The folder outbox (no SMTP or Twilio set up, see :mod:`.transports`): every message
sent becomes a file holding all of it, recipient, name and text, so the data
protection rules (:mod:`wcr.privacy`) reach these files too."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path


def _files(folder: Path) -> Iterator[Path]:
    if folder.is_dir():
        yield from (path for path in folder.iterdir() if path.is_file())


def written_before(folder: Path, before: datetime) -> Iterator[Path]:
    """The outbox files last written before ``before``."""
    cutoff = before.timestamp()
    return (path for path in _files(folder) if path.stat().st_mtime < cutoff)


def naming(folder: Path, needles: Sequence[str]) -> Iterator[Path]:
    """The outbox files that contain one of ``needles`` (an address, a number), case-blind."""
    wanted = [needle.lower().encode() for needle in needles if needle]
    return (path for path in _files(folder) if any(n in path.read_bytes().lower() for n in wanted))


def remove(paths: Iterable[Path]) -> int:
    """Delete ``paths``; how many were there to delete."""
    removed = 0
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        removed += 1
    return removed
