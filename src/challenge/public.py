"""What other features use of the challenge: the check of a solution (booking and
rescheduling call it before they change anything)."""

from __future__ import annotations

from typing import Any

from piccolo.engine.base import Engine

from wcr.config import Settings

from .challenges import FIELD, ProofOfWork


async def verify(engine: Engine[Any], settings: Settings, payload: str | None) -> None:
    """Nothing when ``WCR_CHALLENGE`` is off or ``payload`` solves a fresh challenge
    (which it spends); else ``InvalidInput`` naming the field ``altcha``: missing,
    malformed, wrong, expired or used before."""
    if not settings.challenge:
        return  # before the keys are read: off, a booking should not pay for them
    await ProofOfWork.from_settings(settings).verify(engine, payload)


def enabled(settings: Settings) -> bool:
    """Whether the pages must solve a challenge before they book."""
    return settings.challenge


__all__ = ["FIELD", "enabled", "verify"]
