"""Free places, by local day ranges of the site (``from``/``to`` are the site's dates)."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from wcr.catalogue import public as catalogue
from wcr.errors import InvalidInput
from wcr.timezones import local_range, today, zone

from . import advice
from . import repository as repo
from .records import SlotFacts
from .schemas import SlotView

DEFAULT_DAYS = 14
# Dates far outside these cannot be turned into UTC instants on every platform.
EARLIEST, LATEST = date(2000, 1, 1), date(2199, 12, 31)
MAX_DAYS = 366
DEFAULT_ZONE = "Europe/Berlin"


def day_range(
    first: date | None, last: date | None, tz: ZoneInfo, *, default_days: int = DEFAULT_DAYS
) -> tuple[date, date]:
    first = first or today(tz)
    if not EARLIEST <= first <= LATEST:
        raise InvalidInput.field("from", f"a date from {EARLIEST} to {LATEST}")
    last = last or first + timedelta(days=default_days - 1)
    if not EARLIEST <= last <= LATEST:
        raise InvalidInput.field("to", f"a date from {EARLIEST} to {LATEST}")
    if last < first:
        raise InvalidInput.field("to", "must not be before from")
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput.field("to", f"at most {MAX_DAYS} days at once")
    return first, last


def slot_view(slot: SlotFacts) -> SlotView:
    return SlotView(
        id=slot.id,
        site=slot.site,
        agency=slot.agency,
        service=slot.service,
        start=slot.start_local,
        end=slot.end_local,
        remaining=slot.remaining,
        languages=list(slot.languages),
    )


async def available(
    site: str | None,
    service: str | None,
    first: date | None,
    last: date | None,
    advice_language: str | None = None,
) -> list[SlotView]:
    """Bookable slots; with ``advice_language``, only those whose adviser speaks it."""
    language = advice.clean_code(advice_language, "advice_language")
    site_row = await catalogue.site_by_slug(site) if site else None
    service_row = await catalogue.service_by_slug(service) if service else None
    tz = site_row.tz if site_row else zone(DEFAULT_ZONE)
    first, last = day_range(first, last, tz)
    start, end = local_range(first, last, tz)
    slots = await repo.find_slots(
        start=start,
        end=end,
        site_id=site_row.id if site_row else None,
        service_id=service_row.id if service_row else None,
        bookable_only=True,
        advice_language=language,
    )
    return [slot_view(s) for s in slots]
