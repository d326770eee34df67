"""What the front desk hands the statistics (:mod:`wcr.stats`): counts and durations
per service and local day (a ticket's ``day``), never people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ServiceDay:
    """One service's line at a site on one local day."""

    service_id: int
    day: date
    # Visitors without a booking who were in this service's line.
    walk_ins: int = 0
    walk_in_languages: dict[str, int] | None = None
    # Services given (finished at a counter), and those of them given to a visitor who
    # was given two or more services that day (a one-stop visit).
    served: int = 0
    one_stop: int = 0
    # Seconds from joining the line to the call, one per call (a parked visitor's
    # later call is not counted again); seconds from the call to the finish.
    waits: tuple[int, ...] = ()
    transactions: tuple[int, ...] = ()


@dataclass(frozen=True)
class Attendance:
    """What became of one service's booked visitors at a site on one local day."""

    service_id: int
    day: date
    # Appointments still held whose booking got a ticket (the visitor came).
    arrived: int = 0
    # Tickets in this service's line marked a no-show (booked or walk-in).
    no_shows: int = 0


@dataclass(frozen=True)
class VisitorDay:
    """The people a site advised on one local day: visits given at least one service."""

    day: date
    advised: int
    attended: int  # of them with a booking; the others walked in
    one_stop: int  # of them given two or more services
    languages: dict[str, int]
