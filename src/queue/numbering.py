"""Ticket numbers: a letter per queue, numbered per site and local day (A001, A002…).

The next number comes from one upsert on ``ticket_sequence`` (unique per site,
letter and day), which the database runs atomically on SQLite and PostgreSQL alike;
a new day starts a new row, so numbers restart each local day by themselves.
"""

from __future__ import annotations

from datetime import date

from .tables import SiteQueue, TicketSequence

DIGITS = 3


async def next_code(site_id: int, letter: str, day: date) -> str:
    rows = await TicketSequence.raw(
        "INSERT INTO ticket_sequence (site, letter, day, last) VALUES ({}, {}, {}, 1) "
        "ON CONFLICT (site, letter, day) DO UPDATE SET last = ticket_sequence.last + 1 "
        "RETURNING last",
        site_id,
        letter,
        day,
    )
    return f"{letter}{rows[0]['last']:0{DIGITS}d}"


async def letters(site_id: int) -> dict[int, str]:
    """Service id -> queue letter at a site."""
    rows = await SiteQueue.select(SiteQueue.service, SiteQueue.letter).where(
        SiteQueue.site == site_id
    )
    return {r["service"]: r["letter"] for r in rows}
