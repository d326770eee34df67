"""Booking places that are already taken for the visitor: the waitlist's holds.

A waitlist hold takes its place with the same conditional update as a booking
(:func:`take_held_place`), so while it is held nobody can book it. Claiming the hold
makes the booking on those places without touching ``booked`` again. Both run in the
caller's write transaction (the waitlist's), which is why nothing here opens one.

For a one-stop entry, :func:`visits_through` runs the one-stop search for the visits
a freed place completes, and :func:`take_other_place` takes their other places.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from wcr.catalogue import public as catalogue
from wcr.timezones import local_range
from wcr.tokens import digest, new_manage_token, new_reference

from . import repository as repo
from . import visits
from .bookings import _announce
from .contact import Contact
from .events import BookingChange
from .events import TimedAppointment as Timed
from .itinerary import FreeSlot, search
from .notice import Notice
from .records import Marked, NewBooking, SlotFacts


async def take_held_place(slot_id: int, at: datetime) -> datetime | None:
    """One place of the slot for a hold; its start, or None when it had none free."""
    return await repo.take_place(slot_id, at)


async def take_other_place(slot_id: int, at: datetime) -> datetime | None:
    """:func:`take_held_place` for the other places of a one-stop hold: the caller
    already holds the freed slot's row, so a row that another transaction holds is
    not waited for (that one may be waiting for ours: a deadlock) but counts as full."""
    return await repo.take_place_unless_locked(slot_id, at)


async def give_back_place(slot_id: int) -> None:
    await repo.free_place(slot_id)


def _free(slot_id: int, service: str, start: datetime, end: datetime, slot: SlotFacts) -> FreeSlot:
    return FreeSlot(
        id=slot_id, service=service, start=start, end=end, day=start.astimezone(slot.tz).date()
    )


async def visits_through(
    slot: SlotFacts, service_ids: Sequence[int], package_id: int | None
) -> list[tuple[int, ...]]:
    """The one-stop visits of ``service_ids`` on the slot's local day that ``slot``
    completes, earliest first, as booking's search finds them (the site's gap, idle
    and order rules, the package's days and hours); each as its slot ids, ascending.

    The slot's own place is the caller's (taken for the hold): it counts as free; of
    its service, only it is used. The other services' slots must have a place free.
    """
    package = await visits.package_by_id(package_id)
    if package is not None and not package.allows(slot.starts_at, slot.ends_at, slot.tz):
        return []
    services = await catalogue.services_by_id(list(service_ids))
    if slot.service_id not in services or len(services) != len(set(service_ids)):
        return []
    slugs = {service_id: services[service_id].slug for service_id in service_ids}
    day = slot.starts_at.astimezone(slot.tz).date()
    start, end = local_range(day, day, slot.tz)
    others = [sid for sid in slugs if sid != slot.service_id]
    times = await repo.free_slot_times(slot.site_id, others, start, end)
    if package is not None:
        times = [t for t in times if package.allows(t.starts_at, t.ends_at, slot.tz)]
    free = [_free(t.id, slugs[t.service_id], t.starts_at, t.ends_at, slot) for t in times]
    free.append(_free(slot.id, slot.service, slot.starts_at, slot.ends_at, slot))
    site = await catalogue.site_by_id(slot.site_id)
    rules = await visits.site_rules(site, list(slugs))
    found = search(
        free, list(slugs.values()), rules, limit=visits.MAX_OPTIONS, per_day=visits.MAX_OPTIONS
    )
    found.sort(key=lambda option: (option.start, option.idle, option.end))
    return [tuple(sorted(s.id for s in option.slots)) for option in found]


async def book_held(
    slot_ids: list[int],
    contact: Contact,
    at: datetime,
    notice: Notice,
    *,
    package_id: int | None = None,
) -> tuple[str, str]:
    """A confirmed booking of places held for ``contact``: (reference, manage token);
    several places are one visit (of ``package_id``, when the hold was a package's)."""
    token = new_manage_token()
    reference = new_reference()
    booking_id = await repo.insert_booking(
        NewBooking(
            reference=reference,
            token_hash=digest(token),
            name=contact.name,
            email=contact.email,
            phone=contact.phone,
            language=contact.language,
            at=at,
            silent=notice.silent,
            email_key=contact.email_key,
            phone_key=contact.phone_key,
            company_id=None,
            advice_language=None,
            package_id=package_id,
        )
    )
    facts = await repo.slots_by_id(slot_ids)
    visit = sorted(facts.values(), key=lambda s: (s.starts_at, s.id))
    ordered = [slot.id for slot in visit]
    await repo.insert_appointments(booking_id, ordered, at)
    await _announce(
        booking_id,
        BookingChange.BOOKED,
        Marked(version=0, email=contact.email, phone=contact.phone, silent=notice.silent),
        [Timed(slot.id, slot.starts_at) for slot in visit],
        at,
        notice=notice,
    )
    return reference, token
