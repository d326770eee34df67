"""Who sees which site's statistics, and which days may be asked for.

Admins see every site (all of them when no ``site`` is named); a site admin sees their
own site only; the front desk sees none. A range is at most 366 local days.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from wcr import clock
from wcr.accounts.public import Role, Staff
from wcr.catalogue import public as catalogue
from wcr.errors import Forbidden, InvalidInput
from wcr.timezones import zone

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
MAX_DAYS = 366
# "Today" where no site is chosen (there is none yet): the centres' zone.
DEFAULT_ZONE = "Europe/Berlin"


def _invalid(field: str, message: str, code: str) -> InvalidInput:
    """Bad input, with a ``code`` the page turns into words of its language."""
    return InvalidInput(
        f"{field}: {message}", errors=[{"field": field, "message": message}], extra={"code": code}
    )


def may_see_statistics(staff: Staff) -> bool:
    return staff.role in {Role.ADMIN, Role.SITE_ADMIN}


async def sites_in_view(staff: Staff, slug: str | None) -> list[catalogue.Site]:
    """The sites ``staff`` asks for: the one named, or all they may see; 403 for the
    front desk and for another site's site admin, 422 naming ``site`` for an unknown one."""
    if not may_see_statistics(staff):
        raise Forbidden("statistics need an admin or site admin account")
    if slug:
        site = await catalogue.site_by_slug(slug, field="site")
        if not staff.may_administer(site.id):
            raise Forbidden(f"your account may see the statistics of {staff.site} only")
        return [site]
    if staff.is_admin:
        return sorted(await catalogue.list_sites(), key=lambda site: site.slug)
    if staff.site_id is None:
        raise Forbidden("your account belongs to no site")
    return [await catalogue.site_by_id(staff.site_id)]


def zone_of(sites: list[catalogue.Site]) -> ZoneInfo:
    return sites[0].tz if sites else zone(DEFAULT_ZONE)


def today(tz: ZoneInfo) -> date:
    return clock.now().astimezone(tz).date()


def day_range(first: date | None, last: date | None, tz: ZoneInfo) -> tuple[date, date]:
    """``first``…``last`` (default: this month so far, in ``tz``), checked: 422 naming
    ``from`` or ``to``."""
    if first is not None and not EARLIEST <= first <= LATEST:
        raise _invalid("from", f"a date from {EARLIEST} to {LATEST}", "date_out_of_range")
    if last is not None and not EARLIEST <= last <= LATEST:
        raise _invalid("to", f"a date from {EARLIEST} to {LATEST}", "date_out_of_range")
    last = last or (today(tz) if first is None else min(LATEST, _month_end(first)))
    first = first or last.replace(day=1)
    if last < first:
        raise _invalid("to", "must not be before from", "range_reversed")
    if (last - first).days >= MAX_DAYS:
        raise _invalid("to", f"at most {MAX_DAYS} days at once", "range_too_long")
    return first, last


def _month_end(day: date) -> date:
    following = date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)  # noqa: PLR2004
    return date.fromordinal(following.toordinal() - 1)


def year_of(year: int | None, tz: ZoneInfo) -> int:
    if year is None:
        return today(tz).year
    if not EARLIEST.year <= year <= LATEST.year:
        raise _invalid("year", f"a year from {EARLIEST.year} to {LATEST.year}", "date_out_of_range")
    return year
