"""The waitlist's tables: who waits for what, and the places held for them."""

from __future__ import annotations

from piccolo.columns import Date, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table


class WaitlistEntry(Table, tablename="waitlist_entry"):
    id: Serial  # Piccolo adds the primary key itself; this tells the type checker
    reference = Varchar(length=16, unique=True)
    token_hash = Varchar(length=128)
    site = Integer(index=True)
    # A single service; for a one-stop entry the first of its services (in the
    # visitor's or the package's order), which are all in ``services``.
    service = Integer(index=True)
    # A one-stop entry's services as ",3,7," (ids ascending, comma-wrapped so that
    # ``LIKE '%,7,%'`` finds it); NULL for a single service.
    services = Varchar(length=100, null=True, default=None)
    # The package a one-stop entry waits for (its days and hours apply), if any.
    package = Integer(null=True, default=None)
    # Acceptable local days at the site, both included.
    first_day = Date()
    last_day = Date()
    # Acceptable local day-times at the site ("HH:MM", compared as text), if any: a
    # place (a one-stop visit: its first start, its last end) starts at or after
    # ``earliest`` and ends at or before ``latest``.
    earliest = Varchar(length=5, null=True, default=None)
    latest = Varchar(length=5, null=True, default=None)
    name = Varchar(length=200)
    email = Varchar(length=320, null=True, default=None)
    phone = Varchar(length=32, null=True, default=None)
    language = Varchar(length=8)
    status = Varchar(length=16, index=True)
    offers = Integer(default=0)
    # Taken from the settings at joining, so the offer (made inside another feature's
    # transaction, with no settings at hand) needs nothing but the row.
    hold_minutes = Integer(default=30)
    max_offers = Integer(default=3)
    # "<contact key>:<service id>" (one-stop: "<contact key>:3+7", the ids ascending)
    # while the entry is open, NULL once it ended: the unique index is the rule "one
    # open entry per contact and service, or set of services" (NULLs differ).
    email_service = Varchar(length=200, null=True, default=None, unique=True)
    phone_service = Varchar(length=200, null=True, default=None, unique=True)
    booking_reference = Varchar(length=32, null=True, default=None)
    created_at = Timestamptz()
    ended_at = Timestamptz(null=True, default=None)


class WaitlistHold(Table, tablename="waitlist_hold"):
    id: Serial
    entry = ForeignKey(WaitlistEntry, index=True)
    slot = Integer(index=True)
    status = Varchar(length=16, index=True)
    expires_at = Timestamptz(index=True)
    created_at = Timestamptz()
