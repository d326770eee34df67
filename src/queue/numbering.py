"""Ticket numbers: a letter per queue, numbered per site and local day (A001, A002…).

The number itself comes from :func:`.repository.next_number`, one upsert on
``ticket_sequence`` that the database runs atomically; this module only writes it.
"""

from __future__ import annotations

from datetime import date

from . import repository as repo

DIGITS = 3


def code(letter: str, number: int) -> str:
    return f"{letter}{number:0{DIGITS}d}"


async def next_code(site_id: int, letter: str, day: date) -> str:
    """The next ticket code of the site's queue ``letter`` on its local ``day``; call it
    inside the transaction that issues the ticket."""
    return code(letter, await repo.next_number(site_id, letter, day))
