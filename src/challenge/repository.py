"""Every query of the challenge feature: spending a challenge, forgetting old ones."""

from __future__ import annotations

from datetime import datetime

from .tables import SpentChallenge


async def spend(signature: str, expires_at: datetime) -> bool:
    """Record the challenge as used; False when it was used before (the unique index
    decides, also between instances and under races)."""
    rows = await SpentChallenge.raw(
        "INSERT INTO spent_challenge (signature, expires_at) VALUES ({}, {}) "
        "ON CONFLICT (signature) DO NOTHING RETURNING id",
        signature,
        expires_at,
    )
    return bool(rows)


async def forget_expired(before: datetime) -> None:
    """Drop the rows of challenges that expired before ``before``: they are refused as
    expired anyway."""
    await SpentChallenge.delete().where(SpentChallenge.expires_at < before)
