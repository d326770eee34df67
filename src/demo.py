"""Demo data: the sites and partners of DOMAIN.md, with slots for the next 14 days.

Idempotent: sites, agencies and services are matched by slug, and a day that already
has slots for a service at a site gets no more. A few demo bookings fill some places.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from piccolo.engine.base import Engine

from . import demo_content
from .booking import bookings, visits
from .booking.contact import clean_contact
from .booking.notice import SILENT
from .booking.records import pack_codes
from .booking.tables import Slot
from .catalogue import public as catalogue
from .catalogue.tables import Agency, Service, Site
from .clock import now as utc_now
from .database import write_transaction
from .errors import Conflict
from .timezones import combine, today, zone

DAYS = 14
WEEKDAYS = (1, 2, 3, 4, 5)
BERLIN = "Europe/Berlin"
GROUP_SESSION_WEEKDAY = 3  # info sessions for groups run on Wednesdays

SITES = [
    ("wcr-aachen", "Welcome Center Rheinisches Revier – Aachen", "Theaterplatz 14, 52062 Aachen"),
    (
        "wcr-moenchengladbach",
        "Welcome Center Rheinisches Revier – Mönchengladbach",
        "Bismarckstraße 109, 41061 Mönchengladbach",
    ),
    ("wcr-neuss", "Welcome Center Rheinisches Revier – Neuss", "Friedrichstraße 40, 41460 Neuss"),
    ("bochum", "Welcome Office Bochum", "Universitätsstraße 43–49, 44789 Bochum"),
    ("hannover", "Welcome Center Region Hannover", "Hildesheimer Straße 20, 30169 Hannover"),
]

AGENCIES = [
    ("wcr", "Welcome Center Rheinisches Revier (WCR-Team)"),
    ("stadt-aachen", "Stadt Aachen – Ausländeramt"),
    ("kia-staedteregion-aachen", "StädteRegion Aachen – Kommunales Integrationszentrum"),
    ("hwk-aachen", "Handwerkskammer Aachen / Qualitec"),
    ("ihk-mittlerer-niederrhein", "IHK Mittlerer Niederrhein"),
    ("buergerbuero-bochum", "Stadt Bochum – Bürgerbüro"),
    ("auslaenderbehoerde-bochum", "Stadt Bochum – Ausländerbehörde"),
    ("ihk-mittleres-ruhrgebiet", "IHK Mittleres Ruhrgebiet"),
    ("agentur-fuer-arbeit-bochum", "Agentur für Arbeit Bochum"),
    ("hwk-dortmund", "Handwerkskammer Dortmund"),
    ("region-hannover", "Region Hannover – Welcome Center"),
]


@dataclass(frozen=True)
class DemoService:
    slug: str
    agency: str
    minutes: int
    de: str
    en: str
    sites: tuple[str, ...]
    capacity: int = 1


SERVICES = [
    DemoService(
        "skilled-worker-advice",
        "wcr",
        45,
        "Beratung für internationale Fachkräfte",
        "Advice for international skilled workers",
        ("wcr-aachen", "wcr-moenchengladbach", "wcr-neuss"),
    ),
    DemoService(
        "sme-company-advice",
        "wcr",
        60,
        "Unternehmensberatung für KMU",
        "Company advice for SMEs",
        ("wcr-aachen", "wcr-moenchengladbach", "wcr-neuss"),
    ),
    DemoService(
        "residence-permit-aachen",
        "stadt-aachen",
        30,
        "Aufenthaltstitel",
        "Residence permit",
        ("wcr-aachen",),
    ),
    DemoService(
        "integration-counselling",
        "kia-staedteregion-aachen",
        45,
        "Integrationsberatung",
        "Integration counselling",
        ("wcr-aachen",),
    ),
    DemoService(
        "recognition-crafts-aachen",
        "hwk-aachen",
        30,
        "Anerkennungsberatung Handwerk",
        "Recognition advice for crafts",
        ("wcr-aachen",),
    ),
    DemoService(
        "recognition-advice-ihk-mn",
        "ihk-mittlerer-niederrhein",
        30,
        "Anerkennungsberatung (IHK)",
        "Recognition advice (IHK)",
        ("wcr-moenchengladbach", "wcr-neuss"),
    ),
    DemoService(
        "residence-registration",
        "buergerbuero-bochum",
        20,
        "Wohnsitzanmeldung",
        "Residence registration",
        ("bochum",),
    ),
    DemoService(
        "residence-permit",
        "auslaenderbehoerde-bochum",
        30,
        "Aufenthaltstitel",
        "Residence permit",
        ("bochum",),
    ),
    DemoService(
        "recognition-advice",
        "ihk-mittleres-ruhrgebiet",
        30,
        "Anerkennungsberatung (IHK)",
        "Recognition advice (IHK)",
        ("bochum",),
    ),
    DemoService(
        "employment-agency",
        "agentur-fuer-arbeit-bochum",
        30,
        "Beratung der Agentur für Arbeit",
        "Employment agency advice",
        ("bochum",),
    ),
    DemoService(
        "recognition-crafts",
        "hwk-dortmund",
        30,
        "Anerkennungsberatung Handwerk",
        "Recognition advice for crafts",
        ("bochum",),
    ),
    DemoService(
        "company-advice-hannover",
        "region-hannover",
        60,
        "Beratung für Unternehmen",
        "Advice for companies",
        ("hannover",),
    ),
    DemoService(
        "thamm-plus-placement",
        "region-hannover",
        45,
        "Vermittlung THAMM Plus (Tunesien, Marokko, Ägypten)",
        "THAMM Plus placement (Tunisia, Morocco, Egypt)",
        ("hannover",),
    ),
    DemoService(
        "welcome-info-session",
        "wcr",
        90,
        "Infoveranstaltung: Ankommen im Revier",
        "Info session: settling in the Rhineland",
        ("wcr-aachen",),
        capacity=15,
    ),
]

OPENING_HOURS = {str(d): [["08:00", "16:00"]] for d in WEEKDAYS}
DEMO_PEOPLE = [
    ("Amira Haddad", "amira.haddad@example.org", "+49 151 23456789", "ar"),
    ("Olena Kovalenko", "olena.k@example.org", None, "uk"),
    ("Mehmet Yılmaz", None, "0171 2345678", "tr"),
    ("Camille Martin", "camille.martin@example.org", "+33 6 12 34 56 78", "fr"),
    ("Priya Nair", "priya.nair@example.org", None, "en"),
]


async def _upsert(table: Any, slug: str, values: dict[str, object]) -> int:
    row = await table.select(table.id).where(table.slug == slug).first()
    if row is not None:
        return int(row["id"])
    result = await table.insert(table(slug=slug, **values)).returning(table.id)
    return int(result[0]["id"])


async def seed(
    engine: Engine[Any], *, start: date | None = None, rng_seed: int = 7
) -> dict[str, int]:
    """Insert what is missing; returns counts of what was added."""
    site_ids = {
        slug: await _upsert(
            Site,
            slug,
            {
                "name": name,
                "address": address,
                "timezone": BERLIN,
                "opening_hours": json.dumps(OPENING_HOURS),
            },
        )
        for slug, name, address in SITES
    }
    agency_ids = {slug: await _upsert(Agency, slug, {"name": name}) for slug, name in AGENCIES}
    service_ids = {
        s.slug: await _upsert(
            Service,
            s.slug,
            {
                "agency": agency_ids[s.agency],
                "duration_minutes": s.minutes,
                "names": json.dumps({"de": s.de, "en": s.en}),
            },
        )
        for s in SERVICES
    }
    for service in SERVICES:  # the real pairings: each partner serves where it offers
        for site in service.sites:
            await catalogue.serve_site(service.agency, site)
    await _seed_content(engine)
    tz = zone(BERLIN)
    first = start or today(tz)
    new_slots: list[int] = []
    async with write_transaction(engine):
        for service in SERVICES:
            for site in service.sites:
                new_slots += await _seed_days(
                    service,
                    ids=(site_ids[site], service_ids[service.slug], agency_ids[service.agency]),
                    first=first,
                    tz=tz,
                    site_slug=site,
                )
    await _seed_visits(engine)
    await _seed_counters(engine)
    booked = await _demo_bookings(engine, new_slots, random.Random(rng_seed))  # noqa: S311
    return {
        "sites": len(site_ids),
        "services": len(service_ids),
        "slots": len(new_slots),
        "bookings": booked,
    }


# Advisers who speak other languages, on some mornings: (site, service) -> ISO weekday
# -> languages. On Wednesday mornings a whole Bochum one-stop visit can be in Arabic.
ADVISER_LANGUAGES: dict[tuple[str, str], dict[int, tuple[str, ...]]] = {
    ("bochum", "residence-registration"): {3: ("ar",)},
    ("bochum", "recognition-advice"): {3: ("ar", "en"), 4: ("uk",)},
    ("bochum", "employment-agency"): {1: ("ar",), 3: ("ar", "tr")},
    ("wcr-aachen", "skilled-worker-advice"): {2: ("ar", "tr"), 4: ("uk", "ru")},
    ("wcr-neuss", "skilled-worker-advice"): {1: ("uk",)},
}
MORNING_ENDS = 12


def _adviser_languages(service: DemoService, site: str, weekday: int) -> tuple[str, ...]:
    return ADVISER_LANGUAGES.get((site, service.slug), {}).get(weekday, ())


async def _seed_content(engine: Engine[Any]) -> None:
    """Every service's texts in the six languages (kept current on every seed), and
    the sites that offer it."""
    for service in SERVICES:
        names, descriptions, bring = demo_content.columns(service.slug)
        await catalogue.set_service_content(
            engine, service.slug, names=names, descriptions=descriptions, bring=bring
        )
        offered = await catalogue.service_by_slug(service.slug)
        for site in service.sites:
            await catalogue.offer_service(offered, await catalogue.site_by_slug(site))


async def _seed_days(
    service: DemoService, *, ids: tuple[int, int, int], first: date, tz: ZoneInfo, site_slug: str
) -> list[int]:
    """Slots for the days ahead that have none yet; ``ids`` are site, service, agency."""
    site_id, service_id, agency_id = ids
    now = utc_now()
    created: list[int] = []
    step = timedelta(minutes=service.minutes)
    for offset in range(DAYS):
        day = first + timedelta(days=offset)
        if day.isoweekday() not in WEEKDAYS:
            continue
        if service.capacity > 1 and day.isoweekday() != GROUP_SESSION_WEEKDAY:
            continue
        opening = combine(day, time(8), tz)
        closing = combine(day, time(16), tz)
        if opening is None or closing is None:  # clocks never skip 08:00 or 16:00 here
            continue
        exists = await Slot.exists().where(
            Slot.site == site_id,
            Slot.service == service_id,
            Slot.starts_at >= opening,
            Slot.starts_at < closing,
        )
        if exists:
            continue
        rows = []
        at = opening
        spoken = _adviser_languages(service, site_slug, day.isoweekday())
        while at + step <= closing:
            if at > now:
                morning = at.astimezone(tz).hour < MORNING_ENDS
                rows.append(
                    Slot(
                        site=site_id,
                        service=service_id,
                        agency=agency_id,
                        starts_at=at,
                        ends_at=at + step,
                        capacity=service.capacity,
                        booked=0,
                        languages=pack_codes(spoken if morning else ()),
                    )
                )
            at += step
        if rows:
            result = await Slot.insert(*rows).returning(Slot.id)
            created += [r["id"] for r in result]
    return created


async def _demo_bookings(engine: Engine[Any], slot_ids: list[int], rng: random.Random) -> int:
    """Book about a fifth of the new slots, so that the demo looks lived in."""
    made = 0
    for slot_id in rng.sample(slot_ids, k=len(slot_ids) // 5):
        name, email, phone, language = rng.choice(DEMO_PEOPLE)
        try:
            contact = clean_contact(name, email, phone, language)
            await bookings.book(engine, [slot_id], contact, notice=SILENT)
        except Conflict:
            continue
        made += 1
    return made


PACKAGES = [
    (
        "bochum-one-stop",
        "bochum",
        demo_content.PACKAGE_NAMES["bochum-one-stop"],
        ["residence-registration", "recognition-advice", "employment-agency"],
        # The Welcome Office runs its one-stop day on Wednesdays, 08:00 to 16:00.
        visits.Schedule(weekdays=(3,), opens=time(8), closes=time(16)),
    ),
    (
        "aachen-arrival",
        "wcr-aachen",
        demo_content.PACKAGE_NAMES["aachen-arrival"],
        ["skilled-worker-advice", "residence-permit-aachen", "integration-counselling"],
        visits.Schedule(),
    ),
]
# Residence registration comes first: the other offices need the registered address.
ORDER_RULES = [("residence-registration", "residence-permit")]


async def _seed_visits(engine: Engine[Any]) -> None:
    for slug, site, names, services, schedule in PACKAGES:
        if not await visits.create_package(engine, slug, site, names, services, schedule=schedule):
            await visits.update_package(engine, slug, names, schedule)  # kept current
    for before, after in ORDER_RULES:
        await catalogue.add_order_rule(engine, before, after)


async def _seed_counters(engine: Engine[Any]) -> None:
    """Counters per site: Bochum one per partner, the others shared desks."""
    from .queue.setup import add_counter  # noqa: PLC0415 - the queue builds on booking
    from .queue.tables import Counter  # noqa: PLC0415

    for site, _, _ in SITES:
        if await Counter.exists().where(Counter.site.slug == site):
            continue
        offered = [s.slug for s in SERVICES if site in s.sites and s.capacity == 1]
        if site == "bochum":
            for n, slug in enumerate(offered, start=1):
                await add_counter(engine, site, f"Schalter {n}", [slug])
        else:
            await add_counter(engine, site, "Schalter 1", offered)
            await add_counter(engine, site, "Schalter 2", list(reversed(offered)))
