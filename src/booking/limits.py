"""Booking limits: one contact, or one firm, cannot hold more than its share of places.

A visitor (counted by hashed mailbox and by phone number, each on its own) holds at
most ``per_contact`` confirmed bookings with an appointment ahead, and at most one
for a service on a local day. A firm booking with its company key counts against
``per_company`` instead, one booking per employee (by name) for a service and day.

The counts are taken inside the booking's transaction, after its places are taken
and under a lock of the contact's (or company's) row, so two bookings of one contact
are counted one after the other and 50 at once still leave exactly the limit booked.
Every writer takes slot rows before contact rows, so the locks never wait in a cycle.
``0`` switches a limit off: staff, the demo and load tests book with :data:`OFF`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from wcr.config import Settings
from wcr.errors import Conflict
from wcr.timezones import local_range

from . import repository as repo
from .contact import Contact
from .records import SlotFacts


@dataclass(frozen=True)
class Limits:
    per_contact: int = 0
    per_company: int = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            per_contact=settings.max_active_bookings_per_contact,
            per_company=settings.max_active_bookings_per_company,
        )


OFF = Limits()


class LimitReached(Conflict):
    """409 naming the booking the visitor already has, so that they can change it."""

    title = "Booking limit reached"

    def __init__(self, detail: str, references: Sequence[str], *, reason: str) -> None:
        super().__init__(
            detail,
            extra={
                "reason": reason,
                "bookings": [
                    {"reference": reference, "manage_url": f"/manage/{reference}"}
                    for reference in references
                ],
            },
        )
        self.reason = reason
        self.references = list(references)


def _holders(contact: Contact, company: int | None) -> list[tuple[repo.LimitColumn, str | int]]:
    if company is not None:
        return [("company", company)]
    pairs: list[tuple[repo.LimitColumn, str | None]] = [
        ("email_key", contact.email_key),
        ("phone_key", contact.phone_key),
    ]
    return [(column, key) for column, key in pairs if key is not None]


async def enforce(
    limits: Limits,
    contact: Contact,
    company: int | None,
    visit: Sequence[SlotFacts],
    at: datetime,
    *,
    booking_id: int | None = None,
) -> None:
    """Inside the write transaction: refuse (409) what would exceed a limit of the
    contact, or of the company (its id) when booked with a company key.

    ``booking_id`` is the booking being rescheduled: it is not counted against
    itself, and rescheduling never adds a booking, so only the day rule applies.
    """
    limit = limits.per_company if company is not None else limits.per_contact
    if limit <= 0:
        return
    if company is not None:
        await repo.lock_company(company, at)
    else:
        for key in contact.lock_keys():  # in key order: the one lock order
            await repo.lock_contact(key, at)
    holders = _holders(contact, company)
    employee = contact.name if company is not None else None
    for slot in visit:
        day = slot.starts_at.astimezone(slot.tz).date()
        start, end = local_range(day, day, slot.tz)
        for column, value in holders:
            found = await repo.booking_same_day(
                column, value, slot.service_id, start, end, name=employee, exclude=booking_id
            )
            if found is not None:
                who = "this employee" if company is not None else "this contact"
                raise LimitReached(
                    f"{who} already has a booking for {slot.service} on {day.isoformat()} "
                    f"({found}); change that one instead",
                    [found],
                    reason="same_service_day",
                )
    if booking_id is not None:
        return
    for column, value in holders:
        upcoming = await repo.upcoming_bookings(column, value, at)
        if len(upcoming) >= limit:
            who = "this company" if company is not None else _contact_word(column)
            raise LimitReached(
                f"{who} already has {len(upcoming)} upcoming bookings, the most allowed; "
                "change or cancel one with the link in its confirmation",
                upcoming,
                reason="too_many_bookings",
            )


def _contact_word(column: repo.LimitColumn) -> str:
    return "this phone number" if column == "phone_key" else "this e-mail address"
