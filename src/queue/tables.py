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
    status = Varchar(length=16, default="waiting")  # waiting, called, done, no_show
    # The ordering time: booked time for appointments, arrival for walk-ins.
    due_at = Timestamptz(index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    queued_at = Timestamptz(default=TimestamptzNow())  # entered the current queue
    called_at = Timestamptz(null=True, default=None)
    counter = ForeignKey(references=Counter, null=True, default=None)
    recalls = Integer(default=0)
    finished_at = Timestamptz(null=True, default=None)


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
    outcome = Varchar(length=16, default="done")  # done, no_show, transferred
