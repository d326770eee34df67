"""The times a visitor may pick on the booking pages: free slots of one service, or
one-stop options for several, labelled in the visitor's language and the site's zone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from wcr.catalogue import public as catalogue
from wcr.i18n import Language

from . import advice, availability, visits
from .itinerary import minutes


@dataclass
class Choice:
    value: str
    label: str
    detail: str = ""
    start: datetime | None = None
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


async def choices(
    lang: Language, site_row: catalogue.Site, wanted: Wanted, first: date, span: int
) -> tuple[list[Choice], list[str]]:
    """The choices from ``first`` over ``span`` days, and the names of what is wanted."""
    tz = site_row.tz
    last = first + timedelta(days=span - 1)
    if not wanted.is_visit:
        service = await catalogue.service_by_slug(wanted.services[0], field="services")
        slots = await availability.available(
            site_row.slug, service.slug, first, last, wanted.advice_language
        )
        name = service.name(lang.code)
        return [
            Choice(
                value=str(s.id),
                start=datetime.fromisoformat(s.start),
                label=f"{lang.time(datetime.fromisoformat(s.start), tz)}"
                f"–{lang.time(datetime.fromisoformat(s.end), tz)}",
            )
            for s in slots
        ], [name]
    request = await visits.resolve(
        site_row.slug, ",".join(wanted.services) or None, wanted.package, wanted.advice_language
    )
    found, facts = await visits.options(request, first, last, visits.MAX_OPTIONS)
    names = [s.name(lang.code) for s in request.services]
    found_choices = []
    for option in found:
        parts = [facts[s.id] for s in option.slots]
        steps_text = " · ".join(
            f"{lang.time(p.starts_at, tz)} {p.service_name(lang.code)}" for p in parts
        )
        wait = minutes(option.idle)
        detail = steps_text + (
            " · " + lang.gettext("waiting between: %(minutes)d min") % {"minutes": wait}
            if wait
            else ""
        )
        found_choices.append(
            Choice(
                value=",".join(str(s.id) for s in option.slots),
                start=option.start,
                label=f"{lang.time(option.start, tz)}–{lang.time(option.end, tz)}",
                detail=detail,
            )
        )
    return found_choices, names


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
