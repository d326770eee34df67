"""Shared steps of the waitlist tests: join through the API, read the database."""

from __future__ import annotations

from datetime import date

import httpx

from wcr.booking.tables import Slot
from wcr.waitlist.tables import WaitlistEntry, WaitlistHold


async def join(
    client: httpx.AsyncClient,
    day: date,
    n: int = 0,
    *,
    service: str | None = "registration",  # None: a one-stop entry (`services`, `package`)
    last: date | None = None,
    **extra: object,
) -> dict[str, str]:
    body: dict[str, object] = {
        "site": "bochum",
        "service": service,
        "from": day.isoformat(),
        "to": (last or day).isoformat(),
        "name": f"Waiting Person {n}",
        "email": f"waiting{n}@example.org",
        "language": "en",
    }
    body |= extra
    response = await client.post("/api/v1/waitlist", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def holds() -> list[dict[str, object]]:
    """Every hold with its entry's reference, in the order they were made."""
    rows = await WaitlistHold.select(
        WaitlistHold.id,
        WaitlistHold.slot,
        WaitlistHold.status,
        WaitlistHold.entry.reference,
    ).order_by(WaitlistHold.id)
    return [
        {"slot": r["slot"], "status": r["status"], "reference": r["entry.reference"]} for r in rows
    ]


async def entry_status(reference: str) -> str:
    row = (
        await WaitlistEntry.select(WaitlistEntry.status)
        .where(WaitlistEntry.reference == reference)
        .first()
    )
    assert row is not None
    return str(row["status"])


async def booked(slot_id: int) -> int:
    row = await Slot.select(Slot.booked).where(Slot.id == slot_id).first()
    assert row is not None
    return int(row["booked"])
