"""The front desk: counters and their work profiles, queues, tickets."""

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
from piccolo.table import Table

from wcr.booking.tables import Booking
from wcr.catalogue.tables import Service, Site


class SiteQueue(Table, tablename="site_queue"):
    """The waiting line of one service at one site, with its ticket letter."""

    id: Serial
    site = ForeignKey(references=Site, index=True)
    service = ForeignKey(references=Service)
    letter = Varchar(length=1)


class Counter(Table, tablename="counter"):
    id: Serial
    site = ForeignKey(references=Site, index=True)
    name = Varchar(length=64)
    state = Varchar(length=16, default="open")  # open, paused, closed: only open ones call


class QueueSite(Table, tablename="queue_site"):
    """A site's front-desk settings (one row per site, made when first set)."""

    id: Serial
    site = ForeignKey(references=Site, unique=True)
    # Visitors may join a walk-in line from their phone (remote check-in) on the day.
    remote_queue = Boolean(default=False)


class CounterService(Table, tablename="counter_service"):
    """A counter's work profile: the services it calls; lower rank is called first."""

    id: Serial
    counter = ForeignKey(references=Counter, index=True)
    service = ForeignKey(references=Service)
    rank = Integer(default=1)


class TicketSequence(Table, tablename="ticket_sequence"):
    """The last number handed out per site, queue letter and local day."""

    id: Serial
    site = ForeignKey(references=Site)
    letter = Varchar(length=1)
    day = Date()
    last = Integer(default=0)


class Ticket(Table, tablename="ticket"):
    id: Serial
    site = ForeignKey(references=Site, index=True)
    day = Date()  # the site's local day the number belongs to
    code = Varchar(length=8)  # A001
    # The visitor's ticket page opens with a token derived from id and day under the
    # server secret (wcr.queue.tokens): nothing stored here yields it.
    booking = ForeignKey(references=Booking, null=True, default=None)
    service = ForeignKey(references=Service)  # the queue it waits in now
    # Services still to come after this one (a one-stop visit), in order, with the
    # booked times of their appointments where there are any.
    next_steps = JSON(default="[]")
    kind = Varchar(length=16, default="walkin")  # appointment or walkin
    priority = Boolean(default=False)
    name = Varchar(length=200, null=True, default=None)
    phone = Varchar(length=20, null=True, default=None)
    # waiting, called, parked, done, no_show, left
    status = Varchar(length=16, default="waiting")
    # The ordering time: booked time for appointments, arrival for walk-ins.
    due_at = Timestamptz(index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    queued_at = Timestamptz(default=TimestamptzNow())  # entered the current queue
    called_at = Timestamptz(null=True, default=None)
    counter = ForeignKey(references=Counter, null=True, default=None)
    recalls = Integer(default=0)
    finished_at = Timestamptz(null=True, default=None)
    language = Varchar(length=8, default="de")  # the visitor's: de, en, ar, fr, tr, uk
    note = Varchar(length=500, null=True, default=None)  # the desk's, never shown publicly
    parked_at = Timestamptz(null=True, default=None)
    # The n-th line the ticket waits in (0 = the first; the next agency of a one-stop
    # visit or a transfer starts a new one), and the last line it was told "almost".
    step = Integer(default=0)
    almost_step = Integer(null=True, default=None)
    # Joined from the visitor's own phone; then the digests of the contact it gave,
    # unique among a site's active remote tickets of a day (partial unique indexes).
    remote = Boolean(default=False)
    phone_key = Varchar(length=64, null=True, default=None)
    email_key = Varchar(length=64, null=True, default=None)


class TicketStep(Table, tablename="ticket_step"):
    """One service given at a counter: the source of waiting and transaction times."""

    id: Serial
    ticket = ForeignKey(references=Ticket, index=True)
    site = ForeignKey(references=Site, index=True)
    service = ForeignKey(references=Service, index=True)
    counter = ForeignKey(references=Counter, null=True, default=None)
    queued_at = Timestamptz()
    called_at = Timestamptz()
    finished_at = Timestamptz()
    outcome = Varchar(length=16, default="done")  # done, no_show, transferred, parked
