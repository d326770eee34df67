"""One-stop visits: packages, the rules of a site, and the itinerary search over the
free slots in the database (the algorithm itself is in :mod:`.itinerary`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from piccolo.engine.base import Engine

from wcr.catalogue import public as catalogue
from wcr.database import is_unique_violation, write_transaction
from wcr.errors import ErrorCode, InvalidInput
from wcr.timezones import local_range

from . import advice
from . import repository as repo
from .availability import day_range
from .itinerary import DEFAULT_PER_DAY, FreeSlot, Itinerary, Rules, search, violations
from .records import PackageInfo, SlotFacts

MIN_SERVICES, MAX_SERVICES = 2, 5


def wrong_service_count() -> InvalidInput:
    """The refusal of a visit or package of too few or too many services."""
    return InvalidInput.field(
        "services",
        f"{MIN_SERVICES} to {MAX_SERVICES} services",
        ErrorCode.SERVICE_COUNT,
        least=MIN_SERVICES,
        most=MAX_SERVICES,
    )


MAX_SEARCH_DAYS = 62
MAX_OPTIONS = 20
# A day's grid of one-stop options (the times step, the manage page, a strip's counts).
DAY_GRID = 20


WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Schedule:
    """When a package is offered: ISO weekdays (none: every day) and local hours."""

    weekdays: tuple[int, ...] = ()
    opens: time | None = None
    closes: time | None = None

    def as_tuple(self) -> tuple[tuple[int, ...], time | None, time | None]:
        return self.weekdays, self.opens, self.closes


def _weekday(part: str) -> int:
    """1..7 of "3", "wed" or "wednesday"; 422 on ``weekdays`` otherwise."""
    if part.isdigit() and 1 <= int(part) <= len(WEEKDAY_NAMES):
        return int(part)
    for number, name in enumerate(FULL_NAMES, start=1):
        if len(part) >= len(WEEKDAY_NAMES[0]) and name.startswith(part):
            return number
    raise InvalidInput.field("weekdays", f"not a weekday: {part[:20]!r} (mon … sun)")


def parse_schedule(weekdays: str | None, hours: str | None) -> Schedule:
    """``"wed"`` or ``"mon,wed"`` (or ISO numbers ``"3"``) and ``"08:00-16:00"``."""
    parts = (weekdays or "").replace(" ", "").lower().split(",")
    days = sorted({_weekday(part) for part in parts if part})
    opens = closes = None
    if hours:
        try:
            first, last = (time.fromisoformat(t.strip()) for t in hours.split("-"))
        except ValueError:
            raise InvalidInput.field(
                "hours", "local hours as HH:MM-HH:MM, e.g. 08:00-16:00", ErrorCode.NOT_HOURS
            ) from None
        if last <= first:
            raise InvalidInput.field(
                "hours", "the end must come after the start", ErrorCode.END_BEFORE_START
            )
        opens, closes = first, last
    return Schedule(tuple(days), opens, closes)


def describe_schedule(package: PackageInfo) -> str:
    """The package's days and hours in English, for error messages: "wed 08:00-16:00"."""
    days = ", ".join(WEEKDAY_NAMES[d - 1] for d in package.weekdays) or "every day"
    if package.opens or package.closes:
        opens = package.opens.strftime("%H:%M") if package.opens else "00:00"
        closes = package.closes.strftime("%H:%M") if package.closes else "24:00"
        return f"{days} {opens}-{closes}"
    return days


async def packages(site: str | None = None) -> list[PackageInfo]:
    return await repo.packages(site)


async def package_by_slug(slug: str, field: str = "package") -> PackageInfo:
    found = [p for p in await packages() if p.slug == slug]
    if not found:
        raise InvalidInput.field(field, f"no package {slug!r}", ErrorCode.NO_PACKAGE, slug=slug)
    return found[0]


async def package_by_id(package_id: int | None) -> PackageInfo | None:
    if package_id is None:
        return None
    return next((p for p in await packages() if p.id == package_id), None)


def check_package(package: PackageInfo, visit: list[SlotFacts], field: str) -> None:
    """Refuse a visit that is not the package's: its site, its services, its days and
    hours in the site's zone (422 naming ``field``)."""
    if any(s.site != package.site for s in visit):
        raise InvalidInput.field(
            field, f"the package {package.slug!r} is offered at {package.site}"
        )
    if sorted(s.service for s in visit) != sorted(package.services):
        raise InvalidInput.field(
            field, f"the package {package.slug!r} holds {', '.join(package.services)}"
        )
    outside = [s for s in visit if not package.allows(s.starts_at, s.ends_at, s.tz)]
    if outside:
        raise InvalidInput.field(
            field,
            f"the package {package.slug!r} is offered {describe_schedule(package)} only; "
            f"slot {outside[0].id} lies outside",
        )


async def create_package(
    engine: Engine[Any],
    slug: str,
    site: str,
    names: dict[str, str],
    services: Sequence[str],
    *,
    schedule: Schedule | None = None,
) -> bool:
    """Add a package unless one with that slug exists; False when it did (whatever else
    was asked: `wcr package-add` may be run again with the same line)."""
    if await repo.package_exists(slug):
        return False
    if not MIN_SERVICES <= len(services) <= MAX_SERVICES:
        raise wrong_service_count()
    site_row = await catalogue.site_by_slug(site)
    rows = [await catalogue.service_by_slug(s, field="services") for s in services]
    try:
        async with write_transaction(engine):
            await repo.insert_package(
                slug,
                site_row.id,
                names,
                [row.id for row in rows],
                (schedule or Schedule()).as_tuple(),
            )
    except Exception as error:
        if is_unique_violation(error):  # the unique slug decides a race
            return False
        raise
    return True


async def update_package(
    engine: Engine[Any], slug: str, names: dict[str, str], schedule: Schedule
) -> bool:
    """Set an existing package's names, days and hours (the demo keeps them current)."""
    async with write_transaction(engine):
        return await repo.update_package(slug, names, schedule.as_tuple())


async def site_rules(site: catalogue.Site, service_ids: Sequence[int]) -> Rules:
    return Rules(
        gap=timedelta(minutes=site.handover_minutes),
        max_idle=timedelta(minutes=site.max_idle_minutes),
        order=await catalogue.order_rules_among(list(service_ids)),
    )


def _free(slot: SlotFacts) -> FreeSlot:
    return FreeSlot(
        id=slot.id,
        service=slot.service,
        start=slot.starts_at,
        end=slot.ends_at,
        day=slot.starts_at.astimezone(slot.tz).date(),
    )


async def check_visit(visit: list[SlotFacts]) -> None:
    """Refuse a multi-slot booking that breaks the site's one-stop rules."""
    if len(visit) < MIN_SERVICES:
        return
    services = [s.service for s in visit]
    if len(set(services)) != len(services):
        raise InvalidInput.field("slot_ids", "one appointment per service in a visit")
    site = await catalogue.site_by_id(visit[0].site_id)
    rules = await site_rules(site, [s.service_id for s in visit])
    problems = violations([_free(s) for s in visit], services, rules)
    if problems:
        raise InvalidInput.field("slot_ids", "; ".join(problems))


@dataclass(frozen=True)
class VisitRequest:
    site: catalogue.Site
    services: list[catalogue.Service]
    package: PackageInfo | None = None
    advice_language: str | None = None


async def resolve(
    site: str | None,
    services: str | None,
    package: str | None,
    advice_language: str | None = None,
) -> VisitRequest:
    """What to search for: a package, or a site and 2-5 services of the visitor's choice;
    with ``advice_language``, only slots whose advisers speak it."""
    language = advice.clean_code(advice_language, "advice_language")
    chosen: PackageInfo | None = None
    if package:
        chosen = await package_by_slug(package)
        if site and site != chosen.site:
            raise InvalidInput.field("site", f"the package {package!r} is offered at {chosen.site}")
        site, slugs = chosen.site, chosen.services
    else:
        if not site:
            raise InvalidInput.field("site", "give a site (or a package)")
        slugs = [s.strip() for s in (services or "").split(",") if s.strip()]
    if not MIN_SERVICES <= len(set(slugs)) <= MAX_SERVICES or len(set(slugs)) != len(slugs):
        raise InvalidInput.field(
            "services", f"{MIN_SERVICES} to {MAX_SERVICES} different services, comma-separated"
        )
    site_row = await catalogue.site_by_slug(site)
    rows = [await catalogue.service_by_slug(slug, field="services") for slug in slugs]
    return VisitRequest(site=site_row, services=rows, package=chosen, advice_language=language)


async def options(
    request: VisitRequest,
    first: date | None,
    last: date | None,
    limit: int,
    *,
    per_day: int = DEFAULT_PER_DAY,
) -> tuple[list[Itinerary], dict[int, SlotFacts]]:
    """The best ``limit`` itineraries over the days, at most ``per_day`` a day (a few
    spread over the days for a list; a day's grid wants them all)."""
    tz = request.site.tz
    first, last = day_range(first, last, tz, default_days=28)
    if (last - first).days >= MAX_SEARCH_DAYS:
        raise InvalidInput.field("to", f"search at most {MAX_SEARCH_DAYS} days at once")
    package = request.package
    if package is not None and package.weekdays:
        days = (first + timedelta(days=n) for n in range((last - first).days + 1))
        if not any(day.isoweekday() in package.weekdays for day in days):
            raise InvalidInput.field(
                "from", f"the package {package.slug!r} is offered {describe_schedule(package)} only"
            )
    start, end = local_range(first, last, tz)
    slugs = {s.id: s.slug for s in request.services}
    # Only what the search needs, for every free slot; the full details only for the
    # few slots of the options found (bench/visit_search.py: loading was half the time).
    times = await repo.free_slot_times(
        request.site.id, list(slugs), start, end, request.advice_language
    )
    if package is not None:  # only the package's days and hours
        times = [t for t in times if package.allows(t.starts_at, t.ends_at, tz)]
    free = [
        FreeSlot(
            id=slot.id,
            service=slugs[slot.service_id],
            start=slot.starts_at,
            end=slot.ends_at,
            day=slot.starts_at.astimezone(tz).date(),
        )
        for slot in times
    ]
    rules = await site_rules(request.site, list(slugs))
    found = search(free, list(slugs.values()), rules, limit=limit, per_day=per_day)
    return found, await repo.slots_by_id({s.id for option in found for s in option.slots})
