"""One-stop packages as an admin sets them: a site's offer of 2 to 5 of its services in
their usual order, on some weekdays and within some local hours.

Stricter than ``wcr package-add`` (which may be run again with the same line): a slug
taken is 409 naming ``slug``; names in German and English at least; each service once
and offered at the package's site; the hours open before they close. A package keeps
its site: it belongs to that site's admins.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from typing import Any

from piccolo.engine.base import Engine

from wcr.catalogue import public as catalogue
from wcr.config import SUPPORTED_LANGUAGES
from wcr.database import is_unique_violation, write_transaction
from wcr.errors import Conflict, ErrorCode, InvalidInput, NotFound, field_error

from . import repository as repo
from .records import PackageInfo
from .visits import MAX_SERVICES, MIN_SERVICES, Schedule, wrong_service_count

REQUIRED_NAMES = ("de", "en")
MAX_NAME = 200


async def packages_of(site: catalogue.Site) -> list[PackageInfo]:
    return await repo.packages(site.slug)


async def package_of(site: catalogue.Site, slug: str) -> PackageInfo:
    """The site's package; 404 for another site's (or none)."""
    for package in await packages_of(site):
        if package.slug == slug:
            return package
    raise NotFound(
        f"no package {slug!r} at {site.slug}",
        code=ErrorCode.NO_PACKAGE,
        params={"slug": slug, "site": site.slug},
    )


def check_names(names: dict[str, str]) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    for code, text in names.items():
        if code not in SUPPORTED_LANGUAGES:
            raise InvalidInput.field(f"names.{code}"[:80], ", ".join(SUPPORTED_LANGUAGES))
        name = " ".join(text.split())
        if len(name) > MAX_NAME:
            raise InvalidInput.field(
                f"names.{code}", f"at most {MAX_NAME} characters", ErrorCode.TOO_LONG, n=MAX_NAME
            )
        if name:
            cleaned[code] = name
    for code in REQUIRED_NAMES:
        if code not in cleaned:
            raise InvalidInput.field(f"names.{code}", "required", ErrorCode.REQUIRED)
    return cleaned


def check_schedule(schedule: Schedule) -> Schedule:
    if any(not 1 <= day <= 7 for day in schedule.weekdays):  # noqa: PLR2004 - ISO weekdays
        raise InvalidInput.field(
            "weekdays", "weekdays are 1 (Monday) to 7 (Sunday)", ErrorCode.BAD_WEEKDAY
        )
    if (schedule.opens is None) != (schedule.closes is None):
        raise InvalidInput.field(
            "hours", "give both the start and the end, or neither", ErrorCode.START_AND_END
        )
    if schedule.opens and schedule.closes and schedule.opens >= schedule.closes:
        raise InvalidInput.field(
            "hours", "the end must come after the start", ErrorCode.END_BEFORE_START
        )
    return Schedule(tuple(sorted(set(schedule.weekdays))), schedule.opens, schedule.closes)


async def _services(site: catalogue.Site, services: Sequence[str]) -> list[int]:
    if not MIN_SERVICES <= len(services) <= MAX_SERVICES:
        raise wrong_service_count()
    if len(set(services)) != len(services):
        raise InvalidInput.field("services", "each service once", ErrorCode.SERVICE_TWICE)
    offered = {s.slug: s.id for s in await catalogue.list_services(site)}
    for slug in services:
        if slug not in offered:
            raise catalogue.not_offered(site, slug)
    return [offered[slug] for slug in services]


async def add_package(
    engine: Engine[Any],
    site: catalogue.Site,
    *,
    slug: str,
    names: dict[str, str],
    services: Sequence[str],
    schedule: Schedule,
) -> None:
    catalogue.sites.check_slug(slug)
    cleaned = check_names(names)
    service_ids = await _services(site, services)
    checked = check_schedule(schedule)
    try:
        async with write_transaction(engine):
            await repo.insert_package(slug, site.id, cleaned, service_ids, checked.as_tuple())
    except Exception as error:
        if is_unique_violation(error):  # the unique slug decides
            raise Conflict(
                f"there is a package {slug!r} already",
                errors=[field_error("slug", "taken", ErrorCode.TAKEN)],
            ) from None
        raise


async def edit_package(
    engine: Engine[Any],
    site: catalogue.Site,
    *,
    slug: str,
    names: dict[str, str],
    services: Sequence[str],
    schedule: Schedule,
) -> None:
    """Its names, services in order, days and hours; bookings made keep their slots."""
    package = await package_of(site, slug)
    cleaned = check_names(names)
    service_ids = await _services(site, services)
    checked = check_schedule(schedule)
    async with write_transaction(engine):
        await repo.update_package(package.slug, cleaned, checked.as_tuple())
        await repo.set_package_services(package.id, service_ids)


def hours(opens: str, closes: str) -> tuple[time | None, time | None]:
    """Two form fields ``HH:MM`` (both blank: no hours) as times; 422 on ``hours``."""
    if not opens.strip() and not closes.strip():
        return None, None
    try:
        return time.fromisoformat(opens.strip()), time.fromisoformat(closes.strip())
    except ValueError:
        raise InvalidInput.field(
            "hours", "local hours as HH:MM, e.g. 08:00 and 16:00", ErrorCode.NOT_HOURS
        ) from None


__all__ = [
    "PackageInfo",
    "Schedule",
    "add_package",
    "check_names",
    "check_schedule",
    "edit_package",
    "hours",
    "package_of",
    "packages_of",
]
