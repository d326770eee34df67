"""The times a visitor may pick on the booking pages: free slots of one service, or
one-stop options for several, labelled in the visitor's language and the site's zone;
and a chosen visit as the stops of an itinerary (when, what, with whom, where)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

from wcr.catalogue import public as catalogue
from wcr.errors import InvalidInput
from wcr.i18n import Language

from . import advice, availability, visits
from .itinerary import minutes
from .records import SlotFacts


@dataclass
class Choice:
    value: str
    label: str
    day: date
    start: datetime
    detail: str = ""  # a one-stop option's wait
    suggested: bool = False


@dataclass
class Wanted:
    """What the visitor asked for: services (one, or several for a visit) or a package."""

    services: list[str] = field(default_factory=list)
    package: str | None = None
    advice_language: str | None = None  # only slots whose advisers speak it

    @property
    def is_visit(self) -> bool:
        return bool(self.package) or len(self.services) > 1

    def query(self) -> list[tuple[str, str]]:
        """The query parameters that say it again, on the next page's links."""
        return (
            [("services", s) for s in self.services]
            + ([("package", self.package)] if self.package else [])
            + ([("advice_language", self.advice_language)] if self.advice_language else [])
        )


def waiting(lang: Language, idle: int) -> str:
    if not idle:
        return lang.gettext("no waiting")
    return lang.gettext("%(minutes)d min waiting") % {"minutes": idle}


async def choices(
    lang: Language, site_row: catalogue.Site, wanted: Wanted, first: date, span: int
) -> tuple[list[Choice], list[str]]:
    """The choices from ``first`` over ``span`` days by start, and the names of what
    is wanted. A single service's choice is its start (its length is said once); a
    one-stop option's is its span and the wait in it."""
    tz = site_row.tz
    last = first + timedelta(days=span - 1)
    if not wanted.is_visit:
        service = await catalogue.service_by_slug(wanted.services[0], field="services")
        slots = await availability.available(
            site_row.slug, service.slug, first, last, wanted.advice_language
        )
        found = []
        for slot in slots:
            start = datetime.fromisoformat(slot.start)
            found.append(
                Choice(
                    value=str(slot.id),
                    label=lang.time(start, tz),
                    day=start.astimezone(tz).date(),
                    start=start,
                )
            )
        return found, [service.name(lang.code)]
    request = await visits.resolve(
        site_row.slug, ",".join(wanted.services) or None, wanted.package, wanted.advice_language
    )
    names = [s.name(lang.code) for s in request.services]
    try:
        options, _ = await visits.options(
            request, first, last, visits.DAY_GRID * span, per_day=visits.DAY_GRID
        )
    except InvalidInput:  # none of these days is one of the package's
        return [], names
    return sorted(
        (
            Choice(
                value=",".join(str(s.id) for s in option.slots),
                label=lang.time_span(option.start, option.end, tz),
                day=option.day,
                start=option.start,
                detail=waiting(lang, minutes(option.idle)),
            )
            for option in options
        ),
        key=lambda c: (c.start, c.value),
    ), names


async def wanted_services(wanted: Wanted) -> list[catalogue.Service]:
    """The services asked for, by name or as the package's, in their order."""
    slugs = wanted.services
    if wanted.package:
        slugs = (await visits.package_by_slug(wanted.package)).services
    return [await catalogue.service_by_slug(slug, field="services") for slug in slugs]


async def advice_languages(
    site_row: catalogue.Site, services: list[catalogue.Service], first: date, span: int
) -> list[str]:
    """Languages besides German that advisers speak in free slots of these days."""
    last = first + timedelta(days=span - 1)
    spoken: set[str] = set()
    for service in services:
        for slot in await availability.available(site_row.slug, service.slug, first, last):
            spoken.update(slot.languages)
    return advice.besides_german(spoken)


async def stops(lang: Language, visit: list[SlotFacts]) -> list[dict[str, Any]]:
    """A booked or chosen visit for the itinerary macro (templates/_itinerary.html):
    each appointment in time order with the wait before it ("" for none)."""
    agencies = {a.slug: a.name for a in await catalogue.list_agencies()}
    ordered = sorted(visit, key=lambda s: (s.starts_at, s.id))
    waits = [0] + [minutes(b.starts_at - a.ends_at) for a, b in pairwise(ordered)]
    sites = {s.site for s in ordered}
    shown = []
    for slot, wait in zip(ordered, waits, strict=True):
        content = slot.service_content(lang.code)
        # With whom; where, when the visit spans sites (the data knows no rooms; the
        # one site of a visit is said once, above the list).
        where = [agencies.get(slot.agency, slot.agency)]
        if len(sites) > 1:
            where.append(slot.site_name)
        shown.append(
            {
                "time": lang.time_span(slot.starts_at, slot.ends_at, slot.tz),
                "service": content.name,
                "service_lang": content.name_lang if content.name_lang != lang.code else None,
                "with": " · ".join(where),
                "wait": lang.gettext("%(minutes)d min wait") % {"minutes": wait} if wait else "",
            }
        )
    return shown
