"""HTTP endpoints of the partner agencies: their own slots and bookings (with names,
in the clerk's language), pattern previews, slot edits, closed days, exports, and
the calendar feed, which calendar clients fetch with the token in the path."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import Body, FromQuery, PathParameter, QueryParameter
from piccolo.engine.base import Engine

from wcr.catalogue import public as catalogue
from wcr.config import SUPPORTED_LANGUAGES, Settings
from wcr.database import MAX_ID
from wcr.errors import NotFound
from wcr.timezones import local_range, zone
from wcr.web import public as web

from . import closures, exports, feeds, publishing, slot_edits
from . import repository as repo
from .agency_records import Skipped, SkipReason
from .agency_schemas import (
    AgencyBooking,
    AgencyPortalProfile,
    AgencySlot,
    ClosedDayView,
    ClosurePerson,
    ClosureRequest,
    ClosureResult,
    ClosureSlot,
    NamedService,
    NamedSite,
    PatternPreview,
    PublishedSlots,
    SkippedSlot,
    SlotEdit,
)
from .availability import DEFAULT_ZONE, day_range
from .deps import current_agency
from .notice import Notice
from .records import AgencyBooking as BookingRow
from .records import SlotFacts
from .schemas import SlotPublication

EngineDep = NamedDependency[Engine[Any]]
SettingsDep = NamedDependency[Settings]
AgencyDep = NamedDependency[catalogue.Agency]
FromDate = Annotated[
    date | None, QueryParameter(name="from", description="first local day (YYYY-MM-DD)")
]
ToDate = Annotated[
    date | None, QueryParameter(name="to", description="last local day (YYYY-MM-DD)")
]
SlotIdPath = Annotated[int, PathParameter(ge=1, le=MAX_ID)]
IdPath = Annotated[int, PathParameter(ge=1, le=MAX_ID)]
Lang = Annotated[
    str | None,
    QueryParameter(max_length=8, description="language of the names (de, en, ar, fr, tr, uk)"),
]
FeedToken = Annotated[str, PathParameter(max_length=120, description="the feed's token")]


class AgencyController(Controller):
    """A partner agency's own slots and bookings; it never sees another agency's."""

    path = "/api/v1/agency"
    tags = ["agency"]
    dependencies = {"agency": Provide(current_agency)}

    @get("/me", operation_id="agencyMe")
    async def me(
        self, request: Request[Any, Any, Any], agency: AgencyDep, lang: Lang = None
    ) -> AgencyPortalProfile:
        """Which agency this key belongs to, the sites it may publish at, its services."""
        code = web.chosen_language(request, lang)
        served = await catalogue.sites_served(agency)
        services = [s for s in await catalogue.list_services() if s.agency_id == agency.id]
        return AgencyPortalProfile(
            slug=agency.slug,
            name=agency.name,
            sites=[s.slug for s in served],
            site_details=[NamedSite(s.slug, s.name, s.timezone) for s in served],
            services=[NamedService(s.slug, s.name(code)) for s in services],
        )

    @post("/slots", operation_id="publishSlots", status_code=201)
    async def publish(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[SlotPublication, Body()],
        agency: AgencyDep,
        engine: EngineDep,
        lang: Lang = None,
    ) -> PublishedSlots:
        """One slot (start, end) or a weekly pattern (from_date … slot_minutes). A
        pattern leaves out the slots that overlap existing ones or fall on a closed
        day, creates the rest and lists what it left out (`skipped_slots`); 409 when
        nothing is left, or a single slot overlaps."""
        ids, skipped = await publishing.publish(engine, agency, data)
        facts = await repo.slots_by_id(ids)
        code = web.chosen_language(request, lang)
        site = await catalogue.site_by_slug(data.site)
        return PublishedSlots(
            created=len(ids),
            slots=[agency_slot(facts[i], code) for i in ids],
            skipped=[_skip_line(s, site.tz) for s in skipped],
            skipped_slots=[_skip_view(s, site.tz) for s in skipped],
        )

    @post("/slots/preview", operation_id="previewSlots", status_code=200)
    async def preview(
        self, data: Annotated[SlotPublication, Body()], agency: AgencyDep
    ) -> PatternPreview:
        """What `POST /slots` with this body would create and leave out now (the same
        checks and errors); nothing is written."""
        site, planned, skipped = await publishing.preview(agency, data)
        tz = site.tz
        days = {p.starts_at.astimezone(tz).date() for p in planned}
        return PatternPreview(
            would_create=len(planned),
            days=len(days),
            first=planned[0].starts_at.astimezone(tz).isoformat() if planned else None,
            last=planned[-1].ends_at.astimezone(tz).isoformat() if planned else None,
            skipped_slots=[_skip_view(s, tz) for s in skipped],
        )

    @get("/slots", operation_id="agencySlots")
    async def list_slots(
        self,
        request: Request[Any, Any, Any],
        agency: AgencyDep,
        from_: FromDate = None,
        to: ToDate = None,
        lang: Lang = None,
    ) -> list[AgencySlot]:
        start, end = _range(from_, to)
        slots = await repo.find_slots(start=start, end=end, agency_id=agency.id)
        code = web.chosen_language(request, lang)
        return [agency_slot(s, code) for s in slots]

    @patch("/slots/{slot_id:int}", operation_id="editSlot")
    async def edit(
        self,
        request: Request[Any, Any, Any],
        slot_id: SlotIdPath,
        data: Annotated[SlotEdit, Body()],
        agency: AgencyDep,
        engine: EngineDep,
        lang: Lang = None,
    ) -> AgencySlot:
        """New `capacity` (409 below the places booked; the database decides, so a
        booking at the same moment never leaves more bookings than places), or new
        `start` and `end` (409 once somebody has booked, or when they overlap another
        slot of the service at the site)."""
        slot = await slot_edits.edit_slot(engine, agency, slot_id, data)
        return agency_slot(slot, web.chosen_language(request, lang))

    @delete("/slots/{slot_id:int}", operation_id="withdrawSlot", status_code=204)
    async def withdraw(
        self,
        slot_id: SlotIdPath,
        agency: AgencyDep,
        engine: EngineDep,
        force: FromQuery[bool] = False,  # noqa: FBT002 - a query flag
    ) -> None:
        """204 when nobody has booked it (a place only held for a waitlist entry ends
        with the slot, and the entry waits again); 409 when booked, unless force=true
        cancels the bookings (the people are told)."""
        await publishing.withdraw(engine, agency, slot_id, force=force)

    @get("/bookings", operation_id="agencyBookings")
    async def list_bookings(
        self,
        request: Request[Any, Any, Any],
        agency: AgencyDep,
        from_: FromDate = None,
        to: ToDate = None,
        lang: Lang = None,
    ) -> list[AgencyBooking]:
        _, _, rows = await exports.agency_bookings(agency.id, from_, to)
        code = web.chosen_language(request, lang)
        return [agency_booking(r, slot, code) for r, slot in rows]

    @get(
        "/bookings.csv",
        operation_id="agencyBookingsCsv",
        media_type="text/csv",
        description="The agency's bookings on the local days `from`…`to` (default: 31 "
        "days from today, at most 366) as CSV with a header row; cells a spreadsheet "
        "would take for a formula start with an apostrophe.",
    )
    async def bookings_csv(
        self,
        request: Request[Any, Any, Any],
        agency: AgencyDep,
        from_: FromDate = None,
        to: ToDate = None,
        lang: Lang = None,
    ) -> Response[str]:
        first, last, rows = await exports.agency_bookings(agency.id, from_, to)
        body = exports.bookings_csv(rows, web.chosen_language(request, lang))
        name = f"bookings-{agency.slug}-{first.isoformat()}-{last.isoformat()}.csv"
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @post("/closures", operation_id="closeDay", status_code=200)
    async def close(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[ClosureRequest, Body()],
        agency: AgencyDep,
        engine: EngineDep,
        settings: SettingsDep,
        lang: Lang = None,
    ) -> ClosureResult:
        """Close a day at a site (a holiday, a sick day): its free slots are withdrawn
        and new patterns leave it out. `bookings`: `keep` (default) leaves booked slots
        as they are, `cancel` cancels them and tells the people, `move` moves each to
        the nearest free time of the service on a later day (else cancels), telling the
        people. `dry_run: true` answers what would happen."""
        closure = await closures.close_day(
            engine,
            agency,
            site_slug=data.site,
            day=data.date,
            reason=data.reason,
            handling=data.bookings,
            dry_run=data.dry_run,
            notice=Notice.from_settings(settings),
        )
        return closure_view(closure, web.chosen_language(request, lang))

    @get("/closures", operation_id="closedDays")
    async def closed_days(
        self, agency: AgencyDep, from_: FromDate = None, to: ToDate = None
    ) -> list[ClosedDayView]:
        first, last = day_range(from_, to, zone(DEFAULT_ZONE), default_days=366)
        return [
            ClosedDayView(id=c.id, site=c.site, date=c.day.isoformat(), reason=c.reason)
            for c in await closures.list_closed(agency, first, last)
        ]

    @delete("/closures/{closed_day_id:int}", operation_id="reopenDay", status_code=204)
    async def reopen(self, closed_day_id: IdPath, agency: AgencyDep, engine: EngineDep) -> None:
        """Forget a closed day: patterns may fill it again (withdrawn slots stay so)."""
        await closures.reopen(engine, agency, closed_day_id)


class AgencyFeedController(Controller):
    """The agency's bookings as an iCalendar subscription: no header (calendar clients
    send none), the token in the path; the access log shows it redacted."""

    path = "/api/v1/agency/feed"
    tags = ["agency"]

    @get(
        "/{token:str}",
        operation_id="agencyFeed",
        media_type="text/calendar",
        description="`/api/v1/agency/feed/{feed_token}.ics` (`wcr agency-feed AGENCY`): "
        "the agency's bookings from a month ago to eleven months ahead, with names and "
        "references and no contact details; an unknown or revoked token is 404.",
    )
    async def feed(self, token: FeedToken, lang: Lang = None) -> Response[bytes]:
        if not token.endswith(".ics"):
            raise NotFound("no such feed")
        agency = await feeds.agency_of(token.removesuffix(".ics"))
        code = lang if lang in SUPPORTED_LANGUAGES else "de"
        return Response(
            await feeds.feed(agency, str(code)),
            media_type="text/calendar; charset=utf-8",
            headers={"Cache-Control": "private, max-age=300"},
        )


def _range(first: date | None, last: date | None) -> tuple[datetime, datetime]:
    tz = zone(DEFAULT_ZONE)
    first, last = day_range(first, last, tz, default_days=31)
    return local_range(first, last, tz)


def agency_slot(slot: SlotFacts, language: str) -> AgencySlot:
    return AgencySlot(
        id=slot.id,
        site=slot.site,
        service=slot.service,
        start=slot.start_local,
        end=slot.end_local,
        capacity=slot.capacity,
        booked=slot.booked,
        withdrawn=slot.withdrawn,
        languages=list(slot.languages),
        site_name=slot.site_name,
        service_name=slot.service_name(language),
    )


def agency_booking(row: BookingRow, slot: SlotFacts, language: str) -> AgencyBooking:
    return AgencyBooking(
        reference=row.reference,
        status=row.status,
        name=row.name,
        email=row.email,
        phone=row.phone,
        language=row.language,
        slot_id=slot.id,
        site=slot.site,
        service=slot.service,
        start=slot.start_local,
        end=slot.end_local,
        site_name=slot.site_name,
        service_name=slot.service_name(language),
    )


def _skip_view(skipped: Skipped, tz: Any) -> SkippedSlot:
    return SkippedSlot(
        date=skipped.day.isoformat(),
        reason=skipped.reason,
        start=skipped.starts_at.astimezone(tz).isoformat() if skipped.starts_at else None,
        end=skipped.ends_at.astimezone(tz).isoformat() if skipped.ends_at else None,
    )


SKIP_LINES = {
    SkipReason.OVERLAP: "overlaps an existing slot",
    SkipReason.CLOSED_DAY: "the day is closed",
    SkipReason.CLOCK_CHANGE: "the clocks skip that time",
}


def _skip_line(skipped: Skipped, tz: Any) -> str:
    at = skipped.starts_at.astimezone(tz).isoformat() if skipped.starts_at else skipped.day
    return f"{at}: {SKIP_LINES[skipped.reason]}"


def _closure_slot(slot: SlotFacts, language: str) -> ClosureSlot:
    return ClosureSlot(
        id=slot.id,
        service=slot.service,
        service_name=slot.service_name(language),
        start=slot.start_local,
        end=slot.end_local,
        booked=slot.booked,
    )


def closure_view(closure: closures.Closure, language: str) -> ClosureResult:
    return ClosureResult(
        id=closure.closed_day_id,
        site=closure.site.slug,
        site_name=closure.site.name,
        date=closure.day.isoformat(),
        reason=closure.reason,
        dry_run=closure.dry_run,
        withdrawn=[_closure_slot(s, language) for s in closure.withdrawn],
        booked=[_closure_slot(s, language) for s in closure.booked],
        people=[
            ClosurePerson(
                reference=p.booking.reference,
                name=p.booking.name,
                language=p.booking.language,
                service_name=p.slot.service_name(language),
                start=p.slot.start_local,
                outcome=p.outcome,
                new_start=p.moved_to.start_local if p.moved_to else None,
            )
            for p in closure.people
        ],
    )
