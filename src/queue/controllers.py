"""HTTP endpoints of the front desk (staff) and the live event stream (public)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.channels import ChannelsPlugin
from litestar.datastructures import Cookie
from litestar.di import NamedDependency, Provide
from litestar.params import Body, PathParameter, QueryParameter
from litestar.response import ServerSentEvent
from piccolo.engine.base import Engine

from wcr.catalogue import service as catalogue
from wcr.config import Settings
from wcr.errors import Conflict

from . import events, staff, tickets, views
from .schemas import (
    CallRequest,
    CheckInRequest,
    CounterView,
    LoginRequest,
    LoginResult,
    PublicTicketView,
    SiteQueueView,
    TicketEnvelope,
    TransferRequest,
    WalkInRequest,
)
from .staff import Staff

EngineDep = NamedDependency[Engine]
SettingsDep = NamedDependency[Settings]
StaffDep = NamedDependency[Staff]
ChannelsDep = NamedDependency[ChannelsPlugin]
SitePath = Annotated[str, PathParameter(max_length=64)]
CounterPath = Annotated[int, PathParameter(ge=1, le=2**62)]
TicketPath = Annotated[int, PathParameter(ge=1, le=2**62)]


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["staff"]

    @post("/login", operation_id="login", status_code=200)
    async def login(self, data: Annotated[LoginRequest, Body()]) -> Response[LoginResult]:
        token = await staff.login(data.username, data.password)
        request_staff = await staff.current_staff_for_token(token)
        return Response(
            LoginResult(
                token=token,
                username=request_staff.username,
                role=request_staff.role,
                site=request_staff.site,
            ),
            cookies=[
                Cookie(
                    key=staff.SESSION_COOKIE,
                    value=token,
                    httponly=True,
                    samesite="strict",
                    max_age=int(staff.SESSION_LIFETIME.total_seconds()),
                    path="/",
                )
            ],
        )

    @post("/logout", operation_id="logout", status_code=204)
    async def logout(self, request: Request[Any, Any, Any]) -> Response[None]:
        token = staff.session_token(request)
        if token:
            await staff.logout(token)
        return Response(
            None,
            status_code=204,
            cookies=[Cookie(key=staff.SESSION_COOKIE, value="", max_age=0, path="/")],
        )

    @get("/me", operation_id="me", dependencies={"current": Provide(staff.current_staff)})
    async def me(self, current: StaffDep) -> LoginResult:
        return LoginResult(
            token="", username=current.username, role=current.role, site=current.site
        )


async def _envelope(site: dict[str, Any], ticket_id: int, settings: Settings) -> TicketEnvelope:
    snap = await views.snapshot(site, settings.public_url)
    return TicketEnvelope(ticket=snap.ticket(await tickets.ticket_at(site, ticket_id)))


class DeskController(Controller):
    """Front-desk actions; every one needs a staff session for the site."""

    path = "/api/v1"
    tags = ["front desk"]
    dependencies = {"current": Provide(staff.current_staff)}
    security = [{"bearer": []}]

    async def _announce(
        self, channels: ChannelsPlugin, site: dict[str, Any], kind: str, envelope: TicketEnvelope
    ) -> TicketEnvelope:
        events.publish(channels, site["slug"], kind, envelope.ticket)
        return envelope

    @post("/sites/{site:str}/checkins", operation_id="checkIn", status_code=201)
    async def check_in(
        self,
        site: SitePath,
        data: Annotated[CheckInRequest, Body()],
        current: StaffDep,
        engine: EngineDep,
        settings: SettingsDep,
        channels: ChannelsDep,
    ) -> TicketEnvelope:
        """Check in a booked visitor by reference (or the QR code's link)."""
        site_row = await staff.staff_site(current, site)
        ticket_id, _late = await tickets.check_in(engine, site_row, data.reference)
        envelope = await _envelope(site_row, ticket_id, settings)
        return await self._announce(channels, site_row, "checked_in", envelope)

    @post("/sites/{site:str}/tickets", operation_id="walkIn", status_code=201)
    async def walk_in(
        self,
        site: SitePath,
        data: Annotated[WalkInRequest, Body()],
        current: StaffDep,
        engine: EngineDep,
        settings: SettingsDep,
        channels: ChannelsDep,
    ) -> TicketEnvelope:
        site_row = await staff.staff_site(current, site)
        services = [data.service] if data.service else list(data.services or [])
        if data.service and data.services:
            services = [data.service, *data.services]
        ticket_id = await tickets.walk_in(
            engine, site_row, services, name=data.name, phone=data.phone, priority=data.priority
        )
        envelope = await _envelope(site_row, ticket_id, settings)
        return await self._announce(channels, site_row, "created", envelope)

    @get("/sites/{site:str}/counters", operation_id="listCounters")
    async def counters(
        self, site: SitePath, current: StaffDep, settings: SettingsDep
    ) -> list[CounterView]:
        site_row = await staff.staff_site(current, site)
        return await views.counters(await views.snapshot(site_row, settings.public_url))

    @get("/sites/{site:str}/queue", operation_id="siteQueue")
    async def queue(
        self, site: SitePath, current: StaffDep, settings: SettingsDep
    ) -> SiteQueueView:
        site_row = await staff.staff_site(current, site)
        return await views.site_queue(await views.snapshot(site_row, settings.public_url))

    @post(
        "/sites/{site:str}/counters/{counter:int}/call-next",
        operation_id="callNext",
        status_code=200,
    )
    async def call_next(
        self,
        site: SitePath,
        counter: CounterPath,
        current: StaffDep,
        engine: EngineDep,
        settings: SettingsDep,
        channels: ChannelsDep,
    ) -> Response[Any]:
        """200 with the called ticket, or 204 when nobody waits for this counter."""
        site_row = await staff.staff_site(current, site)
        ticket_id = await tickets.call_next(engine, site_row, counter)
        if ticket_id is None:
            return Response(None, status_code=204)
        envelope = await _envelope(site_row, ticket_id, settings)
        return Response(await self._announce(channels, site_row, "called", envelope))

    @post(
        "/sites/{site:str}/counters/{counter:int}/call",
        operation_id="callChosen",
        status_code=200,
    )
    async def call_chosen(
        self,
        site: SitePath,
        counter: CounterPath,
        data: Annotated[CallRequest, Body()],
        current: StaffDep,
        engine: EngineDep,
        settings: SettingsDep,
        channels: ChannelsDep,
    ) -> TicketEnvelope:
        """Call a chosen waiting ticket out of order."""
        site_row = await staff.staff_site(current, site)
        ticket_id = await tickets.call_chosen(engine, site_row, counter, data.ticket_id)
        envelope = await _envelope(site_row, ticket_id, settings)
        return await self._announce(channels, site_row, "called", envelope)

    async def _ticket_action(
        self, ticket_id: int, current: Staff
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        ticket = await tickets.ticket_at(None, ticket_id)
        site_row = await catalogue.site_by_id(ticket["site"])
        await staff.staff_site(current, site_row["slug"])
        return site_row, ticket

    @post("/tickets/{ticket_id:int}/recall", operation_id="recall", status_code=200)
    async def recall(
        self,
        ticket_id: TicketPath,
        current: StaffDep,
        engine: EngineDep,
        settings: SettingsDep,
        channels: ChannelsDep,
    ) -> TicketEnvelope:
        """Call again; past the site's recall limit the ticket becomes a no-show."""
        site_row, ticket = await self._ticket_action(ticket_id, current)
        if ticket["status"] != "called":
            raise Conflict(f"ticket {ticket['code']} is {ticket['status']}, not called")
        status = await tickets.recall(engine, ticket, site_row["max_recalls"])
        envelope = await _envelope(site_row, ticket_id, settings)
        kind = "recalled" if status == "called" else "no_show"
        return await self._announce(channels, site_row, kind, envelope)

    @post("/tickets/{ticket_id:int}/no-show", operation_id="noShow", status_code=200)
    async def no_show(
        self,
        ticket_id: TicketPath,
        current: StaffDep,
        engine: EngineDep,
        settings: SettingsDep,
        channels: ChannelsDep,
    ) -> TicketEnvelope:
        site_row, ticket = await self._ticket_action(ticket_id, current)
        await tickets.no_show(engine, ticket)
        envelope = await _envelope(site_row, ticket_id, settings)
        return await self._announce(channels, site_row, "no_show", envelope)

    @post("/tickets/{ticket_id:int}/finish", operation_id="finish", status_code=200)
    async def finish(
        self,
        ticket_id: TicketPath,
        current: StaffDep,
        engine: EngineDep,
        settings: SettingsDep,
        channels: ChannelsDep,
    ) -> TicketEnvelope:
        """Finish this service; a one-stop visitor then waits for the next agency."""
        site_row, ticket = await self._ticket_action(ticket_id, current)
        goes_on = await tickets.finish(engine, ticket)
        envelope = await _envelope(site_row, ticket_id, settings)
        return await self._announce(
            channels, site_row, "queued" if goes_on else "finished", envelope
        )

    @post("/tickets/{ticket_id:int}/transfer", operation_id="transfer", status_code=200)
    async def transfer(
        self,
        ticket_id: TicketPath,
        data: Annotated[TransferRequest, Body()],
        current: StaffDep,
        engine: EngineDep,
        settings: SettingsDep,
        channels: ChannelsDep,
    ) -> TicketEnvelope:
        site_row, ticket = await self._ticket_action(ticket_id, current)
        await tickets.transfer(engine, site_row, ticket, data.service)
        envelope = await _envelope(site_row, ticket_id, settings)
        return await self._announce(channels, site_row, "transferred", envelope)


class LiveController(Controller):
    """Public: the call display's event stream and a visitor's own ticket."""

    path = "/api/v1"
    tags = ["live"]

    @get("/sites/{site:str}/events", operation_id="siteEvents")
    async def events(self, site: SitePath, channels: ChannelsDep) -> ServerSentEvent:
        """Server-sent events: one per check-in, call, recall, transfer and finish."""
        await catalogue.site_by_slug(site, field=None)
        return ServerSentEvent(events.stream(channels, site))

    @get("/tickets/{ticket_id:int}/public", operation_id="publicTicket")
    async def public_ticket(
        self,
        ticket_id: TicketPath,
        token: Annotated[str, QueryParameter(max_length=64)],
        settings: SettingsDep,
        lang: Annotated[str, QueryParameter(max_length=16)] = "en",
    ) -> PublicTicketView:
        """A visitor's place in line and estimated wait (with the token from the ticket)."""
        ticket = await tickets.public_ticket(ticket_id, token)
        site_row = await catalogue.site_by_id(ticket["site"])
        snap = await views.snapshot(site_row, settings.public_url, lang)
        view = snap.ticket(ticket)
        return PublicTicketView(
            number=view.number,
            status=view.status,
            queue_name=view.queue_name,
            position=view.position,
            estimated_wait_minutes=view.estimated_wait_minutes,
            counter=view.counter,
            site=site_row["slug"],
        )
