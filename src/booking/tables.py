"""Bookable slots and the bookings that hold places in them.

Capacity lives in ``Slot.booked``: it only changes through the conditional updates
in :mod:`.repository`, inside the transaction that also writes the appointment.
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

from wcr.catalogue.tables import Agency, Service, Site


class Slot(Table, tablename="slot"):
    id: Serial  # Piccolo adds the primary key itself; this tells the type checker
    site = ForeignKey(references=Site, index=True)
    service = ForeignKey(references=Service, index=True)
    agency = ForeignKey(references=Agency, index=True)
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    capacity = Integer(default=1)
    booked = Integer(default=0)
    withdrawn_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    # Languages the adviser speaks besides German, ISO 639 codes: ",ar,uk," (the commas
    # on both ends let one LIKE '%,ar,%' find a code); "" when none is stated.
    languages = Varchar(length=80, default="")


class Company(Table, tablename="company"):
    """A firm that books for its employees with a key from the centre (``wcr
    company-key``); its bookings count against the company's limit, not a contact's."""

    id: Serial
    name = Varchar(length=200, unique=True)
    # SHA-256 of the current key; minting a new key replaces it.
    key_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    # Touched by every booking with the key: the row lock that serialises them.
    last_booked_at = Timestamptz(null=True, default=None)


class ContactLock(Table, tablename="contact_lock"):
    """One row per contact key ever seen: upserting it inside the booking transaction
    locks it (PostgreSQL), so one contact's bookings are counted one at a time."""

    id: Serial
    key = Varchar(length=64, unique=True)
    touched_at = Timestamptz(default=TimestamptzNow())


class Booking(Table, tablename="booking"):
    id: Serial  # Piccolo adds the primary key itself; this tells the type checker
    reference = Varchar(length=16, unique=True)
    # SHA-256 of the manage token; the token itself is shown once, at booking.
    token_hash = Varchar(length=64)
    name = Varchar(length=200)
    email = Varchar(length=320, null=True, default=None)
    phone = Varchar(length=20, null=True, default=None)
    language = Varchar(length=8, default="de")
    status = Varchar(length=16, default="confirmed")
    # Rises with every change: the iCalendar SEQUENCE of its events.
    version = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    cancelled_at = Timestamptz(null=True, default=None)
    # Nobody is told of it, now or later (the demo's bookings of invented people).
    silent = Boolean(default=False)
    # Hashed mailbox and phone number (wcr.booking.contact.Contact.keys): what the
    # per-contact limits count; NULL for bookings made with a company key or by staff.
    email_key = Varchar(length=64, null=True, default=None, index=True)
    phone_key = Varchar(length=64, null=True, default=None, index=True)
    company = ForeignKey(references=Company, null=True, default=None, index=True)
    # The language the appointments are held in, when the visitor asked for one
    # (ISO 639; NULL: German, as every office holds them).
    advice_language = Varchar(length=8, null=True, default=None)
    # Booked as this one-stop package: its weekdays and hours hold for changes too.
    package: ForeignKey[VisitPackage] = ForeignKey(
        references=LazyTableReference("VisitPackage", module_path=__name__),
        null=True,
        default=None,
        index=True,
    )


class Appointment(Table, tablename="appointment"):
    id: Serial  # Piccolo adds the primary key itself; this tells the type checker
    booking = ForeignKey(references=Booking, index=True)
    slot = ForeignKey(references=Slot, index=True)
    # Order within a one-stop visit: the front desk's "next stop".
    position = Integer(default=0)
    status = Varchar(length=16, default="active")
    created_at = Timestamptz(default=TimestamptzNow())
    # The booking versions that made and ended it: messages sent later still describe
    # the visit as it stood when they were written.
    version = Integer(default=0)
    ended_version = Integer(null=True, default=None)


class VisitPackage(Table, tablename="visit_package"):
    """A one-stop offer of a site, e.g. Bochum's Wednesday package."""

    id: Serial
    slug = Varchar(length=64, unique=True)
    site = ForeignKey(references=Site, index=True)
    names = JSON(default="{}")
    # ISO weekdays it is offered on, ",3," for Wednesdays ("" = every day), and
    # optionally the local hours ("08:00", "16:00") every appointment lies within.
    weekdays = Varchar(length=32, default="")
    opens = Varchar(length=5, null=True, default=None)
    closes = Varchar(length=5, null=True, default=None)


class PackageService(Table, tablename="package_service"):
    id: Serial
    package = ForeignKey(references=VisitPackage, index=True)
    service = ForeignKey(references=Service)
    position = Integer(default=0)


class ClosedDay(Table, tablename="closed_day"):
    """A day an agency does not receive at a site (a holiday, a sick day): its slots
    there were withdrawn and new patterns skip it. One row per agency, site and day
    (a unique index, see migrations/booking/)."""

    id: Serial
    agency = ForeignKey(references=Agency, index=True)
    site = ForeignKey(references=Site, index=True)
    day = Date()
    reason = Varchar(length=200, default="")
    created_at = Timestamptz(default=TimestamptzNow())


class AgencyFeed(Table, tablename="agency_feed"):
    """A calendar subscription of an agency's bookings (``wcr agency-feed``): the token
    rides in the feed's URL, since calendar clients send no headers; only its SHA-256
    is kept. A new token revokes the old ones."""

    id: Serial
    agency = ForeignKey(references=Agency, index=True)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)
