"""An agency's bookings as a spreadsheet (CSV) for a bounded range of days.

Cells that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) get a leading apostrophe, as OWASP advises: a
visitor who types ``=HYPERLINK(...)`` as their name cannot run anything on the
clerk's machine. The file is UTF-8 with a byte-order mark, which Excel needs to show
umlauts and Arabic script right.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from wcr.timezones import local_range, zone

from . import repository as repo
from .availability import DEFAULT_ZONE, day_range
from .records import AgencyBooking, SlotFacts

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = (
    "date",
    "start",
    "end",
    "site",
    "site_name",
    "service",
    "service_name",
    "reference",
    "name",
    "language",
    "email",
    "phone",
)
DEFAULT_DAYS = 31


def safe_cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


async def agency_bookings(
    agency_id: int, first: date | None, last: date | None, *, default_days: int = DEFAULT_DAYS
) -> tuple[date, date, list[tuple[AgencyBooking, SlotFacts]]]:
    """The agency's confirmed appointments on local days ``first``…``last`` (at most
    366 days; 422 naming ``from`` or ``to`` otherwise), by time."""
    tz = zone(DEFAULT_ZONE)
    first, last = day_range(first, last, tz, default_days=default_days)
    start, end = local_range(first, last, tz)
    rows = await repo.agency_bookings(agency_id, start, end)
    facts = await repo.slots_by_id({r.slot_id for r in rows})
    return first, last, [(r, facts[r.slot_id]) for r in rows]


def bookings_csv(rows: list[tuple[AgencyBooking, SlotFacts]], language: str) -> str:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for booking, slot in rows:
        start = slot.starts_at.astimezone(slot.tz)
        end = slot.ends_at.astimezone(slot.tz)
        writer.writerow(
            safe_cell(value)
            for value in (
                start.date().isoformat(),
                start.strftime("%H:%M"),
                end.strftime("%H:%M"),
                slot.site,
                slot.site_name,
                slot.service,
                slot.service_name(language),
                booking.reference,
                booking.name,
                booking.language,
                booking.email or "",
                booking.phone or "",
            )
        )
    return out.getvalue()
