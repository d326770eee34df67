"""Booking, viewing, cancelling and rescheduling, each all or nothing.

A booking holds one slot, or several for a one-stop visit. Places are taken with
the conditional updates of :mod:`.repository` inside one write transaction: if any
slot is full the transaction rolls back and nothing is reserved. Each change emits
:class:`.events.BookingChanged` (and :class:`.events.PlaceFreed` where places come
free) inside that transaction, so what subscribers write commits with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from itertools import pairwise
from typing import Any

from piccolo.engine.base import Engine

from wcr import events
from wcr.clock import now
from wcr.database import is_unique_violation, write_transaction
from wcr.errors import Conflict, InvalidInput, NotFound
from wcr.tokens import digest, matches, new_manage_token, new_reference, normalise_reference

from . import links, visits
from . import repository as repo
from .contact import Contact
from .events import BookingChange, BookingChanged, FreedBecause, PlaceFreed, TimedAppointment
from .limits import OFF, Limits, enforce
from .notice import QUIET, Notice
from .records import (
    GERMAN,
    AppointmentStatus,
    BookingRecord,
    BookingStatus,
    CompanyRecord,
    Marked,
    NewBooking,
    NoPlace,
    PackageInfo,
    SlotFacts,
)
from .schemas import MAX_VISIT_SLOTS, AppointmentView, BookingView

# A fresh reference collides with one in 1.5e11 per existing booking; retry then.
REFERENCE_ATTEMPTS = 5


def requested_slot_ids(slot_id: int | None, slot_ids: list[int] | None) -> list[int]:
    if slot_id is not None and slot_ids:
        raise InvalidInput.field("slot_ids", "give slot_id or slot_ids, not both")
    ids = [slot_id] if slot_id is not None else list(slot_ids or [])
    if not ids:
        raise InvalidInput.field("slot_id", "give the slot to book (slot_id or slot_ids)")
    if len(set(ids)) != len(ids):
        raise InvalidInput.field("slot_ids", "the same slot twice")
    if len(ids) > MAX_VISIT_SLOTS:
        raise InvalidInput.field("slot_ids", f"at most {MAX_VISIT_SLOTS} appointments a visit")
    return ids


async def load_visit(ids: list[int]) -> list[SlotFacts]:
    """The requested slots in visiting order, checked for one site and no overlaps."""
    facts = await repo.slots_by_id(ids)
    unknown = [i for i in ids if i not in facts]
    field = "slot_id" if len(ids) == 1 else "slot_ids"
    if unknown:
        raise InvalidInput.field(field, f"no slot {unknown[0]}")
    visit = sorted(facts.values(), key=lambda s: (s.starts_at, s.id))
    if len({s.site for s in visit}) > 1:
        raise InvalidInput.field(field, "all appointments of a visit must be at one site")
    for earlier, later in pairwise(visit):
        if later.starts_at < earlier.ends_at:
            raise InvalidInput.field(field, f"slots {earlier.id} and {later.id} overlap")
    await visits.check_visit(visit)
    return visit


def _appointment(slot: SlotFacts, position: int, language: str) -> AppointmentView:
    content = slot.service_content(language)
    fell_back = {
        what: code
        for what, code in (
            ("name", content.name_lang),
            ("description", content.description_lang),
            ("bring", content.bring_lang),
        )
        if code != language
    }
    return AppointmentView(
        slot_id=slot.id,
        position=position,
        site=slot.site,
        agency=slot.agency,
        service=slot.service,
        service_name=slot.service_name(language),
        start=slot.start_local,
        end=slot.end_local,
        site_name=slot.site_name,
        address=slot.address,
        description=content.description,
        bring=list(content.bring),
        text_languages=fell_back,
    )


def appointments_view(visit: list[SlotFacts], language: str) -> list[AppointmentView]:
    return [_appointment(slot, i, language) for i, slot in enumerate(visit)]


class _NoPlace(Exception):
    """A signal inside this module (turned into 409 or 422), never seen outside."""

    def __init__(self, slot_id: int, why: NoPlace) -> None:
        self.slot_id = slot_id
        self.why = why


async def _take_places(ids: list[int], at: datetime) -> list[TimedAppointment]:
    taken = []
    for slot_id in sorted(ids):  # ascending: the one lock order of every writer
        start = await repo.take_place_or_why(slot_id, at)
        if isinstance(start, NoPlace):
            raise _NoPlace(slot_id, start)
        taken.append(TimedAppointment(slot_id, start))
    return taken


async def _free_places(slot_ids: Iterable[int], because: FreedBecause, at: datetime) -> None:
    freed = sorted(slot_ids)  # ascending: the one lock order of every writer
    for slot_id in freed:
        await repo.free_place(slot_id)
    await _tell_freed(freed, because, at)


async def _tell_freed(slot_ids: list[int], because: FreedBecause, at: datetime) -> None:
    if slot_ids:
        await events.emit(PlaceFreed(slot_ids=tuple(slot_ids), because=because, at=at))


async def _announce(
    booking_id: int,
    change: BookingChange,
    marked: Marked,
    appointments: Iterable[TimedAppointment],
    at: datetime,
    *,
    notice: Notice,
) -> None:
    await events.emit(
        BookingChanged(
            booking_id=booking_id,
            change=change,
            version=marked.version,
            email=marked.email,
            phone=marked.phone,
            appointments=tuple(appointments),
            reminders=notice.reminders,
            at=at,
            silent=marked.silent,
        )
    )


def _explain(error: _NoPlace, field: str) -> Exception:
    if error.why == NoPlace.NO_SLOT:
        return InvalidInput.field(field, f"no slot {error.slot_id}")
    return Conflict(f"slot {error.slot_id} has no free place left (or is no longer bookable)")


async def check_terms(
    ids: list[int], advice_language: str | None, package: PackageInfo | None
) -> None:
    """Refuse slots whose adviser does not speak the language asked for (422 naming
    ``advice_language``), or that lie outside the package's services, days and hours."""
    if not ids or (package is None and advice_language in (None, GERMAN)):
        return
    facts = await repo.slots_by_id(ids)
    visit = sorted(facts.values(), key=lambda s: (s.starts_at, s.id))
    unspoken = [s.id for s in visit if not s.offers(advice_language)]
    if unspoken:
        raise InvalidInput.field(
            "advice_language",
            f"slot {unspoken[0]} offers no advice in {advice_language!r}",
        )
    if package is not None:
        visits.check_package(package, visit, "slot_id" if len(ids) == 1 else "slot_ids")


async def book(
    engine: Engine[Any],
    ids: list[int],
    contact: Contact,
    *,
    notice: Notice = QUIET,
    limits: Limits = OFF,
    company: CompanyRecord | None = None,
    advice_language: str | None = None,
    package: PackageInfo | None = None,
) -> tuple[str, str, list[SlotFacts]]:
    """Reserve every slot or none; returns (reference, manage token, visit).

    Under a rush most attempts find the slot full: a read refuses them before any
    transaction, and for the rest the conditional update decides. A visit of several slots is
    checked against the one-stop rules before, a single slot needs no check. The
    contact's (or ``company``'s) limits are counted after the places are taken, under
    the contact's lock (:mod:`.limits`).
    """
    if len(ids) > 1:
        ids = [slot.id for slot in await load_visit(ids)]  # visiting order
    await check_terms(ids, advice_language, package)
    field = "slot_id" if len(ids) == 1 else "slot_ids"
    # A full slot is refused on a read, before any transaction or lock: under a rush
    # that is most attempts, and they then cost one query instead of three and never
    # queue for the slot's row behind the one attempt that gets it.
    unavailable = await repo.first_unavailable(ids, now())
    if unavailable is not None:
        raise _explain(_NoPlace(*unavailable), field)
    drawn: str | None = None
    for attempt in range(REFERENCE_ATTEMPTS):
        try:
            async with write_transaction(engine):
                at = now()
                taken = await _take_places(ids, at)
                if limits != OFF:
                    facts = await repo.slots_by_id(ids)
                    await enforce(
                        limits, contact, company.id if company else None, [*facts.values()], at
                    )
                # Drawn once the places are taken: in a rush most attempts end above,
                # and the two draws from the system's random source cost about 5 % of
                # the server's CPU there (bench/booking_race.py).
                token = drawn = drawn or new_manage_token()
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
                        company_id=company.id if company else None,
                        advice_language=advice_language,
                        package_id=package.id if package else None,
                    )
                )
                await repo.insert_appointments(booking_id, ids, at)
                await _announce(
                    booking_id,
                    BookingChange.BOOKED,
                    Marked(
                        version=0, email=contact.email, phone=contact.phone, silent=notice.silent
                    ),
                    taken,
                    at,
                    notice=notice,
                )
        except _NoPlace as error:
            raise _explain(error, field) from None
        except Exception as error:
            if is_unique_violation(error) and attempt + 1 < REFERENCE_ATTEMPTS:
                continue
            raise
        facts = await repo.slots_by_id(ids)
        return reference, token, [facts[i] for i in ids]
    raise AssertionError("unreachable")  # pragma: no cover


async def authorised_booking(reference: str, token: str | None) -> BookingRecord:
    """The booking, if ``token`` is its manage token or the link token its messages
    carry (:mod:`.links`); otherwise as if it did not exist."""
    booking = await repo.booking_by_reference(normalise_reference(reference))
    if (
        booking is None
        or not token
        or not (matches(token, booking.token_hash) or links.opens(booking, token))
    ):
        raise NotFound("no booking with that reference and token")
    return booking


async def view(booking: BookingRecord) -> BookingView:
    status = (
        AppointmentStatus.ACTIVE
        if booking.status == BookingStatus.CONFIRMED
        else AppointmentStatus.CANCELLED
    )
    ids = await repo.itinerary(booking.id, status)
    facts = await repo.slots_by_id(ids)
    visit = [facts[i] for i in ids]
    package = await visits.package_by_id(booking.package_id)
    return BookingView(
        reference=booking.reference,
        status=booking.status,
        name=booking.name,
        email=booking.email,
        phone=booking.phone,
        language=booking.language,
        created_at=booking.created_at.isoformat(),
        appointments=appointments_view(visit, booking.language),
        advice_language=booking.advice_language or GERMAN,
        package=package.slug if package else None,
    )


async def _ensure_changeable(booking: BookingRecord, what: str) -> list[int]:
    if booking.status != BookingStatus.CONFIRMED:
        raise Conflict(f"the booking is {booking.status}; it cannot be {what}")
    ids = await repo.itinerary(booking.id)
    facts = await repo.slots_by_id(ids)
    if any(f.starts_at <= now() for f in facts.values()):
        raise Conflict(f"the visit has begun; it can no longer be {what}")
    return ids


async def cancel(engine: Engine[Any], booking: BookingRecord) -> None:
    await _ensure_changeable(booking, "cancelled")
    await cancel_booking(engine, booking.id)


async def cancel_booking(
    engine: Engine[Any], booking_id: int, change: BookingChange = BookingChange.CANCELLED
) -> None:
    """Cancel and free its places, and tell the visitor (``change``: cancelled by them,
    or withdrawn by the agency); 409 if it was no longer confirmed."""
    async with write_transaction(engine):
        at = now()
        marked = await repo.mark_booking(
            booking_id,
            from_status=BookingStatus.CONFIRMED,
            to_status=BookingStatus.CANCELLED,
            at=at,
        )
        if marked is None:
            raise Conflict("the booking is already cancelled")
        await _announce(booking_id, change, marked, (), at, notice=QUIET)
        held = await repo.itinerary(booking_id)
        await repo.end_appointments(booking_id, AppointmentStatus.CANCELLED, marked.version)
        because = (
            FreedBecause.WITHDRAWN if change == BookingChange.WITHDRAWN else FreedBecause.CANCELLED
        )
        await _free_places(held, because, at)


async def withdraw_appointment(engine: Engine[Any], booking_id: int, slot_id: int) -> None:
    """The agency withdrew ``slot_id``, one appointment of a visit: only that one ends,
    the visitor is told of the visit as it now stands, the other agencies' appointments
    keep their places. 409 when the visit changed meanwhile (the caller cancels then)."""
    async with write_transaction(engine):
        await _drop_in_transaction(booking_id, slot_id, FreedBecause.WITHDRAWN, notice=QUIET)


async def _bump(booking_id: int, at: datetime) -> Marked:
    """Raise the version of a confirmed booking before changing it: this serialises
    concurrent changes of one booking (the row is locked until commit)."""
    marked = await repo.mark_booking(
        booking_id, from_status=BookingStatus.CONFIRMED, to_status=BookingStatus.CONFIRMED, at=at
    )
    if marked is None:
        raise Conflict("the booking was cancelled meanwhile")
    return marked


def _contact_of(booking: BookingRecord) -> Contact:
    return Contact(
        name=booking.name, email=booking.email, phone=booking.phone, language=booking.language
    )


async def reschedule(
    engine: Engine[Any],
    booking: BookingRecord,
    ids: list[int],
    *,
    notice: Notice = QUIET,
    limits: Limits = OFF,
) -> None:
    """Replace the visit's slots by ``ids`` atomically; slots kept keep their place.
    The new visit must keep the day rule of :mod:`.limits` (one booking of a contact
    for a service on a day), counted like a booking's, after the places are taken."""
    held_now = await _ensure_changeable(booking, "rescheduled")
    visit = await load_visit(ids)
    await _keep_services(held_now, visit, ids)
    # The visit keeps the language it is held in and the package's days and hours.
    await check_terms(ids, booking.advice_language, await visits.package_by_id(booking.package_id))
    async with write_transaction(engine):
        at = now()
        marked = await _bump(booking.id, at)
        held = set(await repo.itinerary(booking.id))
        wanted = set(ids)
        freed = []
        for slot_id in sorted(held | wanted):  # ascending: the one lock order of every writer
            if slot_id in wanted and slot_id not in held:
                if await repo.take_place(slot_id, at) is None:
                    raise Conflict(f"slot {slot_id} has no free place left")
            elif slot_id in held and slot_id not in wanted:
                await repo.free_place(slot_id)
                freed.append(slot_id)
        if limits != OFF:
            await enforce(
                limits, _contact_of(booking), booking.company_id, visit, at, booking_id=booking.id
            )
        await _tell_freed(freed, FreedBecause.RESCHEDULED, at)
        await repo.end_appointments(booking.id, AppointmentStatus.REPLACED, marked.version)
        await repo.insert_appointments(booking.id, [s.id for s in visit], at, marked.version)
        await _announce(
            booking.id,
            BookingChange.RESCHEDULED,
            marked,
            [TimedAppointment(s.id, s.starts_at) for s in visit],
            at,
            notice=notice,
        )


async def _keep_services(held: list[int], visit: list[SlotFacts], ids: list[int]) -> None:
    """A visit moves, it does not turn into another: the new slots must be for the same
    services as the appointments held (a one-stop visit may move to another day)."""
    current = await repo.slots_by_id(held)
    if sorted(s.service_id for s in current.values()) != sorted(s.service_id for s in visit):
        field = "slot_id" if len(ids) == 1 else "slot_ids"
        raise InvalidInput.field(
            field, "a booking moves to slots of the same services; book anew for others"
        )


async def drop_appointment(
    engine: Engine[Any],
    booking: BookingRecord,
    slot_id: int,
    *,
    notice: Notice = QUIET,
) -> None:
    """Drop one appointment of a visit; the others keep their places and order."""
    held = await _ensure_changeable(booking, "changed")
    if slot_id not in held:
        raise NotFound(f"the booking has no appointment in slot {slot_id}")
    async with write_transaction(engine):
        await _drop_in_transaction(booking.id, slot_id, FreedBecause.DROPPED, notice=notice)


async def _drop_in_transaction(
    booking_id: int, slot_id: int, because: FreedBecause, *, notice: Notice
) -> None:
    """End one appointment of a visit, free its place, tell the visitor what remains."""
    at = now()
    marked = await _bump(booking_id, at)
    current = await repo.itinerary(booking_id)
    if slot_id not in current:
        raise Conflict("the visit was changed meanwhile; please reload it")
    if len(current) == 1:
        raise Conflict("this is the visit's only appointment: cancel the booking instead")
    await repo.end_appointments(booking_id, AppointmentStatus.DROPPED, marked.version, slot_id)
    await _free_places([slot_id], because, at)
    remaining = await repo.slots_by_id([i for i in current if i != slot_id])
    await _announce(
        booking_id,
        BookingChange.RESCHEDULED,
        marked,
        [TimedAppointment(s.id, s.starts_at) for s in remaining.values()],
        at,
        notice=notice,
    )
