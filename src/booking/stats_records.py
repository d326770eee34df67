"""What the booking feature hands the statistics (:mod:`wcr.stats`): counts, never
people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class AppointmentDay:
    """One service's appointments on one local day at a site."""

    service_id: int
    day: date
    # Appointments for that day, made at any time; one rescheduled away counts at its
    # new time only.
    booked: int
    # Of them, cancelled (with their booking) or dropped from a one-stop visit.
    cancelled: int
    # The ones still held, by the language of their booking (code -> count).
    languages: dict[str, int]

    @property
    def held(self) -> int:
        return self.booked - self.cancelled
