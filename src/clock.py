"""The one clock: every "now" in the system is UTC and comes from here."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
