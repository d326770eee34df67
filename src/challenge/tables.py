"""Challenges that have been used: a solution counts once, on every instance."""

from __future__ import annotations

from piccolo.columns import Serial, Timestamptz, Varchar
from piccolo.table import Table


class SpentChallenge(Table, tablename="spent_challenge"):
    id: Serial  # Piccolo adds the primary key itself; this tells the type checker
    # The challenge's HMAC signature (hex): one row per challenge ever accepted, so a
    # second use of the same solution hits the unique index.
    signature = Varchar(length=128, unique=True)
    # When the challenge itself expires; the row is kept a little longer, then deleted.
    expires_at = Timestamptz(index=True)
