"""HTTP endpoints of the booking feature: the public side and the partner agencies' side."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery, PathParameter, QueryParameter
from piccolo.engine.base import Engine

from wcr.auth import bearer_token
from wcr.catalogue import public as catalogue
from wcr.challenge import public as challenge
from wcr.config import Settings
from wcr.database import MAX_ID
from wcr.i18n import Language
from wcr.reach import check_contact
from wcr.timezones import local_range, zone

from . import availability, bookings, companies, publishing
from . import repository as repo
from .availability import DEFAULT_ZONE, day_range
from .calendar import booking_calendar
from .contact import clean_contact
from .deps import current_agency
from .limits import Limits
from .notice import Notice
from .records import AgencyBooking, AppointmentStatus, BookingStatus, SlotFacts
from .schemas import (
    AgencyBookingView,
    AgencyProfile,
    AgencySlotView,
    Availability,
    BookingCreated,
    BookingRequest,
    BookingView,
    BookingWarning,
    CalendarForm,
    CancelResult,
    RescheduleRequest,
    SlotPublication,
    SlotsCreated,
)

EngineDep = NamedDependency[Engine[Any]]
SettingsDep = NamedDependency[Settings]
AgencyDep = NamedDependency[catalogue.Agency]
FromDate = Annotated[
    date | None, QueryParameter(name="from", description="first local day (YYYY-MM-DD)")
]
ToDate = Annotated[
    date | None, QueryParameter(name="to", description="last local day (YYYY-MM-DD)")
]
Reference = Annotated[str, PathParameter(max_length=32, description="booking reference")]
SlotIdPath = Annotated[int, PathParameter(ge=1, le=MAX_ID)]
Slug = Annotated[str | None, QueryParameter(max_length=64)]
COMPANY_KEY_HEADER = "X-Company-Key"
MANAGE_AUTH_HELP = "the booking's manage token, as `Authorization: Bearer TOKEN`"


class PublicBookingController(Controller):
    path = "/api/v1"
    tags = ["booking"]

    @get("/availability", operation_id="availability")
    async def availability(
        self,
        from_: FromDate = None,
        to: ToDate = None,
        site: Slug = None,
        service: Slug = None,
    ) -> Availability:
        """Bookable slots with free places, ordered by start."""
        return Availability(slots=await availability.available(site, service, from_, to))

    @post("/bookings", operation_id="createBooking", status_code=201)
    async def create(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[BookingRequest, Body()],
        engine: EngineDep,
        settings: SettingsDep,
    ) -> BookingCreated:
        """Book one slot, or several as one visit: all of them or none (409).

        A contact holds at most a few upcoming bookings (409 naming them); a firm
        booking for its employees sends its company key (`X-Company-Key` header or
        `company_key`) and counts against its own, larger limit. With the challenge on,
        `altcha` is the solution of `GET /api/v1/challenge` (422 naming it otherwise)."""
        ids = bookings.requested_slot_ids(data.slot_id, data.slot_ids)
        contact = clean_contact(data.name, data.email, data.phone, data.language)
        reach = check_contact(contact.email, contact.phone, settings)
        company = await companies.company_for_key(
            request.headers.get(COMPANY_KEY_HEADER) or data.company_key
        )
        await challenge.verify(engine, settings, data.altcha)
        notice = Notice.from_settings(settings)
        reference, token, visit = await bookings.book(
            engine,
            ids,
            contact,
            notice=notice,
            limits=Limits.from_settings(settings),
            company=company,
        )
        return BookingCreated(
            reference=reference,
            manage_token=token,
            status=BookingStatus.CONFIRMED,
            appointments=bookings.appointments_view(visit, contact.language),
            manage_url=notice.manage_link(reference, token),
            sms=reach.sms,
            warnings=[
                BookingWarning(field=field, code=code, message=text)
                for field, code, text in reach.notices(Language(contact.language))
            ],
        )

    @get(
        "/bookings/{reference:str}",
        operation_id="getBooking",
        description=MANAGE_AUTH_HELP,
    )
    async def show(self, request: Request[Any, Any, Any], reference: Reference) -> BookingView:
        row = await bookings.authorised_booking(reference, bearer_token(request, required=False))
        return await bookings.view(row)

    @post(
        "/bookings/{reference:str}/cancel",
        operation_id="cancelBooking",
        status_code=200,
        description=MANAGE_AUTH_HELP,
    )
    async def cancel(
        self, request: Request[Any, Any, Any], reference: Reference, engine: EngineDep
    ) -> CancelResult:
        row = await bookings.authorised_booking(reference, bearer_token(request, required=False))
        await bookings.cancel(engine, row)
        return CancelResult(status="cancelled")

    @post(
        "/bookings/{reference:str}/reschedule",
        operation_id="rescheduleBooking",
        status_code=200,
        description=MANAGE_AUTH_HELP + "; with the challenge on, `altcha` in the body is "
        "the solution of `GET /api/v1/challenge`",
    )
    async def reschedule(
        self,
        request: Request[Any, Any, Any],
        reference: Reference,
        data: Annotated[RescheduleRequest, Body()],
        engine: EngineDep,
        settings: SettingsDep,
    ) -> BookingView:
        row = await bookings.authorised_booking(reference, bearer_token(request, required=False))
        ids = bookings.requested_slot_ids(data.slot_id, data.slot_ids)
        await challenge.verify(engine, settings, data.altcha)
        await bookings.reschedule(
            engine,
            row,
            ids,
            notice=Notice.from_settings(settings),
            limits=Limits.from_settings(settings),
        )
        return await bookings.view(await repo.booking_by_reference(row.reference) or row)

    @post(
        "/bookings/{reference:str}/appointments/{slot_id:int}/cancel",
        operation_id="dropAppointment",
        status_code=200,
        description=MANAGE_AUTH_HELP,
    )
    async def drop_appointment(
        self,
        request: Request[Any, Any, Any],
        reference: Reference,
        slot_id: SlotIdPath,
        engine: EngineDep,
        settings: SettingsDep,
    ) -> BookingView:
        """Drop one appointment of a one-stop visit; the rest of the visit stays."""
        row = await bookings.authorised_booking(reference, bearer_token(request, required=False))
        await bookings.drop_appointment(engine, row, slot_id, notice=Notice.from_settings(settings))
        return await bookings.view(await repo.booking_by_reference(row.reference) or row)

    @get(
        "/bookings/{reference:str}/calendar.ics",
        operation_id="bookingCalendar",
        media_type="text/calendar",
        description=MANAGE_AUTH_HELP,
    )
    async def calendar(
        self, request: Request[Any, Any, Any], reference: Reference, settings: SettingsDep
    ) -> Response[bytes]:
        token = bearer_token(request, required=False)
        return await calendar_file(reference, token, settings)

    @post(
        "/bookings/{reference:str}/calendar.ics",
        operation_id="bookingCalendarForm",
        media_type="text/calendar",
        status_code=200,
        description="The same file for a plain HTML form (the confirmation page works "
        "without JavaScript): the manage token in the form body, never in the URL.",
    )
    async def calendar_form(
        self,
        reference: Reference,
        data: Annotated[CalendarForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
        settings: SettingsDep,
    ) -> Response[bytes]:
        return await calendar_file(reference, data.token, settings)


async def calendar_file(reference: str, token: str | None, settings: Settings) -> Response[bytes]:
    """The booking's .ics (PUBLISH, or CANCEL once cancelled), if ``token`` is its own."""
    row = await bookings.authorised_booking(reference, token)
    cancelled = row.status != BookingStatus.CONFIRMED
    status = AppointmentStatus.CANCELLED if cancelled else AppointmentStatus.ACTIVE
    placed = await repo.positions(row.id, (status,))
    facts = await repo.slots_by_id([slot_id for _, slot_id in placed])
    body = booking_calendar(
        reference=row.reference,
        version=row.version,
        method="CANCEL" if cancelled else "PUBLISH",
        visit=[(position, facts[slot_id]) for position, slot_id in placed],
        language=row.language,
        manage_url=f"{settings.public_url}/manage/{row.reference}",
    )
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{row.reference}.ics"'},
    )


class AgencyController(Controller):
    """A partner agency's own slots and bookings; it never sees another agency's."""

    path = "/api/v1/agency"
    tags = ["agency"]
    dependencies = {"agency": Provide(current_agency)}
    security = [{"bearer": []}]

    @get("/me", operation_id="agencyMe")
    async def me(self, agency: AgencyDep) -> AgencyProfile:
        """Which agency this key belongs to, and the sites it may publish at."""
        served = await catalogue.sites_served(agency)
        return AgencyProfile(slug=agency.slug, name=agency.name, sites=[s.slug for s in served])

    @post("/slots", operation_id="publishSlots", status_code=201)
    async def publish(
        self,
        data: Annotated[SlotPublication, Body()],
        agency: AgencyDep,
        engine: EngineDep,
    ) -> SlotsCreated:
        """One slot (start, end) or a weekly pattern (from_date … slot_minutes)."""
        ids, skipped = await publishing.publish(engine, agency, data)
        facts = await repo.slots_by_id(ids)
        return SlotsCreated(
            created=len(ids), slots=[agency_slot(facts[i]) for i in ids], skipped=skipped
        )

    @get("/slots", operation_id="agencySlots")
    async def list_slots(
        self,
        agency: AgencyDep,
        from_: FromDate = None,
        to: ToDate = None,
    ) -> list[AgencySlotView]:
        start, end = _range(from_, to)
        slots = await repo.find_slots(start=start, end=end, agency_id=agency.id)
        return [agency_slot(s) for s in slots]

    @delete("/slots/{slot_id:int}", operation_id="withdrawSlot", status_code=204)
    async def withdraw(
        self,
        slot_id: SlotIdPath,
        agency: AgencyDep,
        engine: EngineDep,
        force: FromQuery[bool] = False,  # noqa: FBT002 - a query flag
    ) -> None:
        """204 when nothing was booked; 409 when booked, unless force=true cancels them."""
        await publishing.withdraw(engine, agency, slot_id, force=force)

    @get("/bookings", operation_id="agencyBookings")
    async def list_bookings(
        self,
        agency: AgencyDep,
        from_: FromDate = None,
        to: ToDate = None,
    ) -> list[AgencyBookingView]:
        start, end = _range(from_, to)
        rows = await repo.agency_bookings(agency.id, start, end)
        facts = await repo.slots_by_id({r.slot_id for r in rows})
        return [agency_booking(r, facts[r.slot_id]) for r in rows]


def _range(first: date | None, last: date | None) -> tuple[Any, Any]:
    tz = zone(DEFAULT_ZONE)
    first, last = day_range(first, last, tz, default_days=31)
    return local_range(first, last, tz)


def agency_slot(slot: SlotFacts) -> AgencySlotView:
    return AgencySlotView(
        id=slot.id,
        site=slot.site,
        service=slot.service,
        start=slot.start_local,
        end=slot.end_local,
        capacity=slot.capacity,
        booked=slot.booked,
        withdrawn=slot.withdrawn,
    )


def agency_booking(row: AgencyBooking, slot: SlotFacts) -> AgencyBookingView:
    return AgencyBookingView(
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
    )
