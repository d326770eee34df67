"""HTTP endpoints of the front desk (staff) and the live event stream (public)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency, Provide
from litestar.params import Body, PathParameter, QueryParameter
from litestar.response import ServerSentEvent
from piccolo.engine.base import Engine

from wcr.accounts.public import PROVIDERS, Staff, guards
from wcr.catalogue import public as catalogue
from wcr.config import Settings
from wcr.database import MAX_ID
from wcr.errors import Conflict, Forbidden

from . import live, tickets, views
from .schemas import (
    CallRequest,
    CheckInRequest,
    CounterView,
    PublicTicketView,
    SiteQueueView,
    TicketEnvelope,
    TransferRequest,
    WalkInRequest,
)

EngineDep = NamedDependency[Engine[Any]]
SettingsDep = NamedDependency[Settings]
StaffDep = NamedDependency[Staff]
SiteDep = NamedDependency[catalogue.Site]
ReachDep = NamedDependency[tuple[catalogue.Site, Any]]
ChannelsDep = NamedDependency[ChannelsPlugin]
SitePath = Annotated[str, PathParameter(max_length=64)]
CounterPath = Annotated[int, PathParameter(ge=1, le=MAX_ID)]
TicketPath = Annotated[int, PathParameter(ge=1, le=MAX_ID)]


async def _envelope(site: catalogue.Site, ticket_id: int, settings: Settings) -> TicketEnvelope:
    snap = await views.snapshot(site, settings.public_url)
    return TicketEnvelope(ticket=snap.ticket(await tickets.ticket_at(site, ticket_id)))


async def ticket_in_reach(
    ticket_id: TicketPath, current: NamedDependency[Staff]
) -> tuple[catalogue.Site, Any]:
    """The ticket of the path and its site, if the signed-in staff works there."""
    ticket = await tickets.ticket_at(None, ticket_id)
    site = await catalogue.site_by_id(ticket["site"])
    if not current.may_act_on(site.id):
        raise Forbidden(f"your account works at {current.site}, not at {site.slug}")
    return site, ticket


def _announce(
    channels: ChannelsPlugin, site: catalogue.Site, kind: str, envelope: TicketEnvelope
) -> TicketEnvelope:
    live.publish(channels, site.slug, kind, envelope.ticket)
    return envelope


class DeskController(Controller):
    """Front-desk actions on the ``{site}`` of the path: its staff (or an admin) only."""

    path = "/api/v1/sites/{site:str}"
    tags = ["front desk"]
    guards = [guards.desk_of_site]
    dependencies = PROVIDERS
    security = [{"bearer": []}]

    @post("/checkins", operation_id="checkIn", status_code=201)
    async def check_in(
        self,
        data: Annotated[CheckInRequest, Body()],
        desk_site: SiteDep,
        engine: EngineDep,
        settings: SettingsDep,
        channels: ChannelsDep,
    ) -> TicketEnvelope:
        """Check in a booked visitor by reference (or the QR code's link)."""
        site_row = desk_site
        ticket_id, _late = await tickets.check_in(engine, site_row, data.reference)
        envelope = await _envelope(site_row, ticket_id, settings)
        return _announce(channels, site_row, "checked_in", envelope)

    @post("/tickets", operation_id="walkIn", status_code=201)
    async def walk_in(
        self,
        data: Annotated[WalkInRequest, Body()],
        desk_site: SiteDep,
        engine: EngineDep,
        settings: SettingsDep,
        channels: ChannelsDep,
    ) -> TicketEnvelope:
        site_row = desk_site
        services = [data.service] if data.service else list(data.services or [])
        if data.service and data.services:
            services = [data.service, *data.services]
        ticket_id = await tickets.walk_in(
            engine, site_row, services, name=data.name, phone=data.phone, priority=data.priority
        )
        envelope = await _envelope(site_row, ticket_id, settings)
        return _announce(channels, site_row, "created", envelope)

    @get("/counters", operation_id="listCounters")
    async def counters(self, desk_site: SiteDep, settings: SettingsDep) -> list[CounterView]:
        site_row = desk_site
        return await views.counters(await views.snapshot(site_row, settings.public_url))

    @get("/queue", operation_id="siteQueue")
    async def queue(self, desk_site: SiteDep, settings: SettingsDep) -> SiteQueueView:
        site_row = desk_site
        return await views.site_queue(await views.snapshot(site_row, settings.public_url))

    @post(
        "/counters/{counter:int}/call-next",
        operation_id="callNext",
        status_code=200,
    )
    async def call_next(
        self,
        counter: CounterPath,
        desk_site: SiteDep,
        engine: EngineDep,
        settings: SettingsDep,
        channels: ChannelsDep,
    ) -> Response[Any]:
        """200 with the called ticket, or 204 when nobody waits for this counter."""
        site_row = desk_site
        ticket_id = await tickets.call_next(engine, site_row, counter)
        if ticket_id is None:
            return Response(None, status_code=204)
        envelope = await _envelope(site_row, ticket_id, settings)
        return Response(_announce(channels, site_row, "called", envelope))

    @post(
        "/counters/{counter:int}/call",
        operation_id="callChosen",
        status_code=200,
    )
    async def call_chosen(
        self,
        counter: CounterPath,
        data: Annotated[CallRequest, Body()],
        desk_site: SiteDep,
        engine: EngineDep,
        settings: SettingsDep,
        channels: ChannelsDep,
    ) -> TicketEnvelope:
        """Call a chosen waiting ticket out of order."""
        site_row = desk_site
        ticket_id = await tickets.call_chosen(engine, site_row, counter, data.ticket_id)
        envelope = await _envelope(site_row, ticket_id, settings)
        return _announce(channels, site_row, "called", envelope)


class TicketController(Controller):
    """Front-desk actions on one ticket: staff of the ticket's site (or an admin) only."""

    path = "/api/v1/tickets/{ticket_id:int}"
    tags = ["front desk"]
    guards = [guards.staff]
    dependencies = {"current": PROVIDERS["current"], "reach": Provide(ticket_in_reach)}
    security = [{"bearer": []}]

    @post("/recall", operation_id="recall", status_code=200)
    async def recall(
        self,
        ticket_id: TicketPath,
        reach: ReachDep,
        engine: EngineDep,
        settings: SettingsDep,
        channels: ChannelsDep,
    ) -> TicketEnvelope:
        """Call again; past the site's recall limit the ticket becomes a no-show."""
        site_row, ticket = reach
        if ticket["status"] != "called":
            raise Conflict(f"ticket {ticket['code']} is {ticket['status']}, not called")
        status = await tickets.recall(engine, ticket, site_row.max_recalls)
        envelope = await _envelope(site_row, ticket_id, settings)
        kind = "recalled" if status == "called" else "no_show"
        return _announce(channels, site_row, kind, envelope)

    @post("/no-show", operation_id="noShow", status_code=200)
    async def no_show(
        self,
        ticket_id: TicketPath,
        reach: ReachDep,
        engine: EngineDep,
        settings: SettingsDep,
        channels: ChannelsDep,
    ) -> TicketEnvelope:
        site_row, ticket = reach
        await tickets.no_show(engine, ticket)
        envelope = await _envelope(site_row, ticket_id, settings)
        return _announce(channels, site_row, "no_show", envelope)

    @post("/finish", operation_id="finish", status_code=200)
    async def finish(
        self,
        ticket_id: TicketPath,
        reach: ReachDep,
        engine: EngineDep,
        settings: SettingsDep,
        channels: ChannelsDep,
    ) -> TicketEnvelope:
        """Finish this service; a one-stop visitor then waits for the next agency."""
        site_row, ticket = reach
        goes_on = await tickets.finish(engine, ticket)
        envelope = await _envelope(site_row, ticket_id, settings)
        return _announce(channels, site_row, "queued" if goes_on else "finished", envelope)

    @post("/transfer", operation_id="transfer", status_code=200)
    async def transfer(
        self,
        ticket_id: TicketPath,
        data: Annotated[TransferRequest, Body()],
        reach: ReachDep,
        engine: EngineDep,
        settings: SettingsDep,
        channels: ChannelsDep,
    ) -> TicketEnvelope:
        site_row, ticket = reach
        await tickets.transfer(engine, site_row, ticket, data.service)
        envelope = await _envelope(site_row, ticket_id, settings)
        return _announce(channels, site_row, "transferred", envelope)


class LiveController(Controller):
    """Public: the call display's event stream and a visitor's own ticket."""

    path = "/api/v1"
    tags = ["live"]

    @get("/sites/{site:str}/events", operation_id="siteEvents")
    async def events(self, site: SitePath, channels: ChannelsDep) -> ServerSentEvent:
        """Server-sent events: one per check-in, call, recall, transfer and finish."""
        await catalogue.site_by_slug(site, field=None)
        return ServerSentEvent(live.stream(channels, site))

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
            site=site_row.slug,
        )
