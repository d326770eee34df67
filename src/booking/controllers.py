"""HTTP endpoints of the booking feature's public side (the partner agencies' are in
:mod:`.agency_controllers`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, PathParameter, QueryParameter
from piccolo.engine.base import Engine

from wcr.auth import bearer_token
from wcr.challenge import public as challenge
from wcr.config import Settings
from wcr.database import MAX_ID
from wcr.i18n import Language
from wcr.reach import check_contact
from wcr.web.public import UNCOMPRESSED

from . import advice, availability, bookings, companies, confirmation, visits
from . import repository as repo
from .calendar import booking_calendar
from .contact import clean_contact
from .free_days import free_days
from .limits import Limits
from .notice import Notice
from .records import GERMAN, AppointmentStatus, BookingStatus
from .schemas import (
    Availability,
    BookingCreated,
    BookingRequest,
    BookingView,
    BookingWarning,
    CalendarForm,
    CancelResult,
    FreeDay,
    FreeDays,
    RescheduleRequest,
)

EngineDep = NamedDependency[Engine[Any]]
SettingsDep = NamedDependency[Settings]
FromDate = Annotated[
    date | None, QueryParameter(name="from", description="first local day (YYYY-MM-DD)")
]
ToDate = Annotated[
    date | None, QueryParameter(name="to", description="last local day (YYYY-MM-DD)")
]
Reference = Annotated[str, PathParameter(max_length=32, description="booking reference")]
SlotIdPath = Annotated[int, PathParameter(ge=1, le=MAX_ID)]
Slug = Annotated[str | None, QueryParameter(max_length=64)]
AdviceLanguage = Annotated[
    str | None,
    QueryParameter(max_length=16, description="ISO 639 code of the language of the advice"),
]
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
        advice_language: AdviceLanguage = None,
    ) -> Availability:
        """Bookable slots with free places, ordered by start; with `advice_language`
        (ISO 639, e.g. `ar`), only those whose adviser speaks it (German: all)."""
        return Availability(
            slots=await availability.available(site, service, from_, to, advice_language)
        )

    @get("/availability/days", operation_id="freeDays")
    async def days(
        self,
        *,
        from_: FromDate = None,
        to: ToDate = None,
        site: Slug = None,
        service: Slug = None,
        services: Annotated[
            str | None,
            QueryParameter(max_length=400, description="2 to 5 service slugs, comma-separated"),
        ] = None,
        package: Slug = None,
        advice_language: AdviceLanguage = None,
    ) -> FreeDays:
        """Every day from `from` (today) to `to` (a week, at most 31 days) with how many
        free times it holds, for a date strip: the free slots of one `service` at
        `site`, or the one-stop options of `services` or a `package` that
        `/api/v1/visits/options` offers for that day (0 off the package's weekdays)."""
        days = await free_days(
            site=site,
            service=service,
            services=services,
            package=package,
            first=from_,
            last=to,
            advice_language=advice_language,
        )
        return FreeDays(days=[FreeDay(date=day.isoformat(), free=n) for day, n in days])

    @post("/bookings", operation_id="createBooking", status_code=201, opt={UNCOMPRESSED: True})
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
        advice_language = advice.clean_code(data.advice_language, "advice_language")
        package = await visits.package_by_slug(data.package) if data.package else None
        await challenge.verify(engine, settings, data.altcha)
        notice = Notice.from_settings(settings)
        reference, token, visit = await bookings.book(
            engine,
            ids,
            contact,
            notice=notice,
            limits=Limits.from_settings(settings),
            company=company,
            advice_language=advice_language,
            package=package,
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
            advice_language=advice_language or GERMAN,
            package=package.slug if package else None,
        )

    @get(
        "/bookings/{reference:str}",
        operation_id="getBooking",
        description=MANAGE_AUTH_HELP,
    )
    async def show(
        self, request: Request[Any, Any, Any], reference: Reference, settings: SettingsDep
    ) -> BookingView:
        """The booking, with its contact masked as the confirmation page shows it and
        whether SMS go to the phone (`sms`, and `warnings` saying why not)."""
        row = await bookings.authorised_booking(reference, bearer_token(request, required=False))
        return confirmation.with_contact_facts(await bookings.view(row), settings)

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
        moved = await bookings.view(await repo.booking_by_reference(row.reference) or row)
        return confirmation.with_contact_facts(moved, settings)

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
        left = await bookings.view(await repo.booking_by_reference(row.reference) or row)
        return confirmation.with_contact_facts(left, settings)

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
