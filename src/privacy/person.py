"""A person's data on request: everything held about an e-mail address or phone number
(GDPR Art. 15, ``wcr person-export``), and its erasure (Art. 17, ``wcr person-erase``).

A person is found the way the booking limits count them (:mod:`wcr.booking.contact`):
an e-mail address by its mailbox (``J.Doe+x@GoogleMail.com`` is ``jdoe@gmail.com``), a
phone number in E.164 whichever way it was typed (``+49 151 …``, ``0049151…``,
``0151 …`` as a German number). Their bookings are those made with that contact, their
tickets those with that number or contact key or issued for one of their bookings,
their waitlist entries those made with that address (as its mailbox) or number, their
messages those of these bookings, tickets and entries or sent to that contact. Other
addresses or numbers on these records are listed, not followed: a booking may carry a
relative's, and an erasure cannot be undone.

Erasing is one write transaction: the bookings still ahead are cancelled first
through booking's own use case, so their places are freed and ``PlaceFreed`` and
``BookingChanged`` go out as for any cancellation, but marked silent before, so the
person is not sent a cancellation; their open waitlist entries leave the list the way
"leave" does (a place held for them passes on), with ``EntryEnded(silent=True)`` so no
"you left" goes out; then their pending messages are dropped, and the personal fields
of every booking, ticket, waitlist entry and message erased (the rows stay, for the
statistics). The folder outbox's files naming them go after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from piccolo.engine.base import Engine

from wcr.audit import public as audit
from wcr.booking import public as booking
from wcr.catalogue import public as catalogue
from wcr.clock import now
from wcr.config import Settings
from wcr.database import write_transaction
from wcr.errors import Conflict, InvalidInput
from wcr.notifications import public as notifications
from wcr.queue import public as queue
from wcr.waitlist import public as waitlist

from .records import Erasure


@dataclass(frozen=True)
class Person:
    """A contact as typed, normalised: an e-mail address or an E.164 number, and the
    hashed key the booking limits (and remote tickets) know it by."""

    email: str | None
    phone: str | None
    key: str

    @property
    def contact(self) -> str:
        return self.email or self.phone or ""


def identify(text: str) -> Person:
    """The person of an e-mail address or phone number (422 naming ``contact`` otherwise)."""
    raw = text.strip()
    try:
        if "@" in raw:
            email = booking.clean_email(raw)
            phone = None
        else:
            email, phone = None, booking.clean_phone(raw)
    except InvalidInput as error:
        why = error.errors[0]["message"] if error.errors else error.detail
        raise InvalidInput.field("contact", why) from None
    contact = booking.Contact(name="", email=email, phone=phone, language="de")
    key = contact.email_key or contact.phone_key
    if key is None:
        raise InvalidInput.field("contact", "give an e-mail address or a phone number")
    return Person(email=email, phone=phone, key=key)


@dataclass(frozen=True)
class Found:
    bookings: list[booking.BookingRecord]
    tickets: list[queue.Ticket]
    messages: list[notifications.MessageRecord]
    entries: list[waitlist.EntryRecord]

    @property
    def booking_ids(self) -> list[int]:
        return [b.id for b in self.bookings]

    @property
    def entry_ids(self) -> list[int]:
        return [e.id for e in self.entries]

    @property
    def ticket_ids(self) -> list[int]:
        return [t.id for t in self.tickets]

    def addresses(self, person: Person) -> list[str]:
        """Every address and number these records hold (and the one asked for)."""
        held = {person.contact}
        held |= {b.email for b in self.bookings if b.email}
        held |= {b.phone for b in self.bookings if b.phone}
        held |= {t.phone for t in self.tickets if t.phone}
        held |= {e.email for e in self.entries if e.email}
        held |= {e.phone for e in self.entries if e.phone}
        return sorted(held)

    def other_contacts(self, person: Person) -> list[str]:
        """The addresses and numbers these records hold besides the one asked for."""
        asked = person.contact.casefold()
        return [a for a in self.addresses(person) if a.casefold() != asked]


async def find(person: Person) -> Found:
    booking_ids = await booking.bookings_of_contact(
        key=person.key, email=person.email, phone=person.phone
    )
    records = [await booking.booking_by_id(i) for i in booking_ids]
    ticket_ids = await queue.tickets_of_contact(
        phone=person.phone, keys=[person.key], booking_ids=booking_ids
    )
    tickets = await queue.tickets_by_id(ticket_ids)
    entries = await waitlist.entries_of(key=person.key, email=person.email, phone=person.phone)
    messages = await notifications.messages_of(
        booking_ids, ticket_ids, [person.contact], waitlist_entry_ids=[e.id for e in entries]
    )
    return Found(
        bookings=[r for r in records if r], tickets=tickets, messages=messages, entries=entries
    )


# --- export ------------------------------------------------------------------------


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


async def _booking_view(record: booking.BookingRecord) -> dict[str, Any]:
    held = await booking.held_appointments(record.id)
    slots = await booking.slots_by_id([slot_id for slot_id, _, _ in held])
    return {
        "reference": record.reference,
        "status": record.status,
        "name": record.name,
        "email": record.email,
        "phone": record.phone,
        "language": record.language,
        "advice_language": record.advice_language,
        "created_at": _when(record.created_at),
        "booked_with_company_key": record.company_id is not None,
        "appointments": [
            {
                "position": position,
                "status": status,
                "site": slots[slot_id].site,
                "agency": slots[slot_id].agency,
                "service": slots[slot_id].service,
                "start": slots[slot_id].start_local,
                "end": slots[slot_id].end_local,
            }
            for slot_id, position, status in held
            if slot_id in slots
        ],
    }


async def _ticket_view(ticket: queue.Ticket, references: dict[int, str]) -> dict[str, Any]:
    site = await catalogue.site_by_id(ticket.site_id)
    services = await catalogue.services_by_id([ticket.service_id])
    service = services.get(ticket.service_id)
    return {
        "id": ticket.id,
        "site": site.slug,
        "day": ticket.day.isoformat(),
        "number": ticket.code,
        "kind": ticket.kind,
        "status": ticket.status,
        "service": service.slug if service else None,
        "booking": references.get(ticket.booking_id) if ticket.booking_id else None,
        "name": ticket.name,
        "phone": ticket.phone,
        "note": ticket.note,
        "language": ticket.language,
        "remote": ticket.remote,
        "created_at": _when(ticket.created_at),
        "called_at": _when(ticket.called_at),
        "finished_at": _when(ticket.finished_at),
    }


async def _entry_view(entry: waitlist.EntryRecord) -> dict[str, Any]:
    site = await catalogue.site_by_id(entry.site_id)
    services = await catalogue.services_by_id(list(entry.service_ids))
    service = services.get(entry.service_id)
    return {
        "reference": entry.reference,
        "status": entry.status,
        "site": site.slug if site else None,
        "service": service.slug if service else None,
        # A one-stop entry's services, all of them.
        "services": [services[i].slug for i in entry.service_ids if i in services],
        "first_day": entry.first_day.isoformat(),
        "last_day": entry.last_day.isoformat(),
        "name": entry.name,
        "email": entry.email,
        "phone": entry.phone,
        "language": entry.language,
        "offers": entry.offers,
        "booking": entry.booking_reference,
        "created_at": _when(entry.created_at),
    }


async def _reference_of(booking_id: int | None, references: dict[int, str]) -> str | None:
    if booking_id is None:
        return None
    if booking_id not in references:
        record = await booking.booking_by_id(booking_id)
        references[booking_id] = record.reference if record else ""
    return references[booking_id] or None


async def _message_view(
    message: notifications.MessageRecord, references: dict[int, str]
) -> dict[str, Any]:
    return {
        "id": message.id,
        "kind": message.kind,
        "channel": message.channel,
        "recipient": message.recipient,
        "status": message.status,
        "booking": await _reference_of(message.booking_id, references),
        "ticket": message.ticket_id,
        "waitlist_entry": message.waitlist_entry_id,
        "due_at": _when(message.due_at),
        "sent_at": _when(message.sent_at),
        "delivery": message.delivery,
        "last_error": message.last_error,
    }


async def export(engine: Engine[Any], text: str) -> dict[str, Any]:
    """Everything held about the contact in ``text``, as JSON-ready data; the export is
    recorded in the audit log (by booking reference and ticket id)."""
    person = identify(text)
    async with write_transaction(engine):
        found = await find(person)
        references = {b.id: b.reference for b in found.bookings}
        held = {
            "contact": person.contact,
            "exported_at": _when(now()),
            "bookings": [await _booking_view(b) for b in found.bookings],
            "tickets": [await _ticket_view(t, references) for t in found.tickets],
            "messages": [await _message_view(m, references) for m in found.messages],
            "waitlist": [await _entry_view(e) for e in found.entries],
            # Given together with this contact; not followed (the export of each shows
            # what is held under it).
            "other_contacts": found.other_contacts(person),
        }
        await _record("person-export", found, {"messages": len(found.messages)})
    return held


# --- erasure -----------------------------------------------------------------------


async def erase(engine: Engine[Any], settings: Settings, text: str) -> Erasure:
    """Cancel the contact's bookings ahead (places freed, nobody told), drop the
    messages still to go to them, and erase their personal data everywhere."""
    person = identify(text)
    async with write_transaction(engine):
        found = await find(person)
        ahead = await booking.confirmed_ahead(found.booking_ids, now())
        await booking.silence_bookings(ahead)
        cancelled = []
        for booking_id in ahead:
            try:
                await booking.cancel_booking(engine, booking_id)  # joins this transaction
            except Conflict:
                continue  # cancelled meanwhile: its places are free already
            cancelled.append(booking_id)
        # Their places on the waitlist given up as by "leave" (a held place passes on),
        # silently: no "you left" message.
        left = await waitlist.leave_silently(found.entries)
        keys = await booking.contact_keys_of(found.booking_ids) | {person.key}
        addresses = found.addresses(person)
        counts = {
            "dropped messages": await notifications.drop_pending_messages(
                found.booking_ids,
                found.ticket_ids,
                [person.contact],
                waitlist_entry_ids=found.entry_ids,
            ),
            "booking": await booking.erase_bookings(found.booking_ids),
            "ticket": await queue.erase_tickets(found.ticket_ids),
            "waitlist_entry": await waitlist.erase_entries(found.entry_ids),
        }
        counts["message"], counts["message_attempt"] = await notifications.erase_messages(
            found.booking_ids,
            found.ticket_ids,
            [person.contact],
            waitlist_entry_ids=found.entry_ids,
        )
        counts["contact_lock"] = await booking.forget_contact_locks(keys=sorted(keys))
        counts["message_quota"] = await notifications.forget_counts_of(_cap_prefixes(addresses))
        references = {b.id: b.reference for b in found.bookings}
        await _record(
            "person-erase",
            found,
            {"cancelled": len(cancelled), "left waitlist": len(left), **counts},
        )
    files = notifications.outbox_files.naming(settings.outbox_dir, addresses)
    counts["outbox files"] = notifications.outbox_files.remove(files)
    return Erasure(
        cancelled=tuple(references[i] for i in cancelled),
        counts=counts,
        other_contacts=tuple(found.other_contacts(person)),
        left_waitlist=tuple(left),
    )


def _cap_prefixes(addresses: list[str]) -> list[str]:
    """The daily-cap keys' beginnings of these addresses (a key is ``hash:day``)."""
    prefixes = []
    for address in addresses:
        channel = notifications.Channel.EMAIL if "@" in address else notifications.Channel.SMS
        key = notifications.recipient_day(channel, address, date.min)
        prefixes.append(key.rsplit(":", 1)[0] + ":")
    return prefixes


async def _record(action: str, found: Found, details: dict[str, int]) -> None:
    """One audit entry per booking (by reference) and ticket (by id) concerned, or one
    for the request when nothing was found; never the contact itself."""
    targets = [("booking", b.reference) for b in found.bookings]
    targets += [("ticket", str(t.id)) for t in found.tickets]
    targets += [("waitlist_entry", e.reference) for e in found.entries]
    for kind, target in targets or [("person", "none")]:
        await audit.record(audit.SYSTEM_CLI, action, kind, target, details=details)
