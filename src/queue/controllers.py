"""HTTP endpoints of the front desk (staff) and the live event stream (public)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.channels import ChannelsPlugin
from litestar.di import NamedDependency
from litestar.params import Body, PathParameter, QueryParameter
from litestar.response import ServerSentEvent
from piccolo.engine.base import Engine

from wcr.accounts.public import PROVIDERS, guards
from wcr.auth import bearer_token
from wcr.catalogue import public as catalogue
from wcr.config import Settings
from wcr.database import MAX_ID
from wcr.errors import Conflict

from . import live, tickets, views
from .deps import TICKET_PROVIDERS, TicketPath
from .records import LiveEvent, Ticket, TicketStatus
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
SiteDep = NamedDependency[catalogue.Site]
ReachDep = NamedDependency[tuple[catalogue.Site, Ticket]]
ChannelsDep = NamedDependency[ChannelsPlugin]
SitePath = Annotated[str, PathParameter(max_length=64)]
CounterPath = Annotated[int, PathParameter(ge=1, le=MAX_ID)]


async def _envelope(site: catalogue.Site, ticket: Ticket, settings: Settings) -> TicketEnvelope:
    """The ticket as the desk sees it, with its place in line (a fresh snapshot)."""
    snap = await views.snapshot(site, settings.public_url)
    return TicketEnvelope(ticket=snap.ticket(ticket))


def _announce(
    channels: ChannelsPlugin, site: catalogue.Site, kind: LiveEvent, envelope: TicketEnvelope
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
        ticket, _late = await tickets.check_in(engine, desk_site, data.reference)
        envelope = await _envelope(desk_site, ticket, settings)
        return _announce(channels, desk_site, LiveEvent.CHECKED_IN, envelope)

    @post("/tickets", operation_id="walkIn", status_code=201)
    async def walk_in(
        self,
        data: Annotated[WalkInRequest, Body()],
        desk_site: SiteDep,
        engine: EngineDep,
        settings: SettingsDep,
        channels: ChannelsDep,
    ) -> TicketEnvelope:
        services = [data.service] if data.service else list(data.services or [])
        if data.service and data.services:
            services = [data.service, *data.services]
        ticket = await tickets.walk_in(
            engine, desk_site, services, name=data.name, phone=data.phone, priority=data.priority
        )
        envelope = await _envelope(desk_site, ticket, settings)
        return _announce(channels, desk_site, LiveEvent.CREATED, envelope)

    @get("/counters", operation_id="listCounters")
    async def counters(self, desk_site: SiteDep, settings: SettingsDep) -> list[CounterView]:
        return await views.counters(await views.snapshot(desk_site, settings.public_url))

    @get("/queue", operation_id="siteQueue")
    async def queue(self, desk_site: SiteDep, settings: SettingsDep) -> SiteQueueView:
        return await views.site_queue(await views.snapshot(desk_site, settings.public_url))

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
        ticket = await tickets.call_next(engine, desk_site, counter)
        if ticket is None:
            return Response(None, status_code=204)
        envelope = await _envelope(desk_site, ticket, settings)
        return Response(_announce(channels, desk_site, LiveEvent.CALLED, envelope))

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
        ticket = await tickets.call_chosen(engine, desk_site, counter, data.ticket_id)
        envelope = await _envelope(desk_site, ticket, settings)
        return _announce(channels, desk_site, LiveEvent.CALLED, envelope)


class TicketController(Controller):
    """Front-desk actions on one ticket: staff of the ticket's site (or an admin) only.
    The ticket and its site come from the ``reach`` provider (:mod:`.deps`)."""

    path = "/api/v1/tickets/{ticket_id:int}"
    tags = ["front desk"]
    guards = [guards.staff]
    dependencies = TICKET_PROVIDERS
    security = [{"bearer": []}]

    @post("/recall", operation_id="recall", status_code=200)
    async def recall(
        self,
        reach: ReachDep,
        engine: EngineDep,
        settings: SettingsDep,
        channels: ChannelsDep,
    ) -> TicketEnvelope:
        """Call again; past the site's recall limit the ticket becomes a no-show."""
        site, ticket = reach
        if ticket.status != TicketStatus.CALLED:
            raise Conflict(f"ticket {ticket.code} is {ticket.status}, not called")
        changed = await tickets.recall(engine, ticket, site.max_recalls)
        envelope = await _envelope(site, changed, settings)
        kind = LiveEvent.RECALLED if changed.status == TicketStatus.CALLED else LiveEvent.NO_SHOW
        return _announce(channels, site, kind, envelope)

    @post("/no-show", operation_id="noShow", status_code=200)
    async def no_show(
        self,
        reach: ReachDep,
        engine: EngineDep,
        settings: SettingsDep,
        channels: ChannelsDep,
    ) -> TicketEnvelope:
        site, ticket = reach
        changed = await tickets.no_show(engine, ticket)
        envelope = await _envelope(site, changed, settings)
        return _announce(channels, site, LiveEvent.NO_SHOW, envelope)

    @post("/finish", operation_id="finish", status_code=200)
    async def finish(
        self,
        reach: ReachDep,
        engine: EngineDep,
        settings: SettingsDep,
        channels: ChannelsDep,
    ) -> TicketEnvelope:
        """Finish this service; a one-stop visitor then waits for the next agency."""
        site, ticket = reach
        changed = await tickets.finish(engine, ticket)
        envelope = await _envelope(site, changed, settings)
        kind = LiveEvent.QUEUED if tickets.goes_on(changed) else LiveEvent.FINISHED
        return _announce(channels, site, kind, envelope)

    @post("/transfer", operation_id="transfer", status_code=200)
    async def transfer(
        self,
        data: Annotated[TransferRequest, Body()],
        reach: ReachDep,
        engine: EngineDep,
        settings: SettingsDep,
        channels: ChannelsDep,
    ) -> TicketEnvelope:
        site, ticket = reach
        changed = await tickets.transfer(engine, site, ticket, data.service)
        envelope = await _envelope(site, changed, settings)
        return _announce(channels, site, LiveEvent.TRANSFERRED, envelope)


class LiveController(Controller):
    """Public: the call display's event stream and a visitor's own ticket."""

    path = "/api/v1"
    tags = ["live"]

    @get("/sites/{site:str}/events", operation_id="siteEvents")
    async def events(
        self, request: Request[Any, Any, Any], site: SitePath, channels: ChannelsDep
    ) -> ServerSentEvent:
        """Server-sent events: one per check-in, call, recall, transfer and finish.
        At most WCR_MAX_STREAMS_PER_ADDRESS open streams per client address (429)."""
        await catalogue.site_by_slug(site, field=None)
        return ServerSentEvent(live.stream(channels, site, live.stream_place(request)))

    @get("/tickets/{ticket_id:int}/public", operation_id="publicTicket")
    async def public_ticket(
        self,
        request: Request[Any, Any, Any],
        ticket_id: TicketPath,
        settings: SettingsDep,
        lang: Annotated[str, QueryParameter(max_length=16)] = "en",
    ) -> PublicTicketView:
        """A visitor's place in line and estimated wait, with the ticket's token as
        `Authorization: Bearer TOKEN` (never in the URL: it would reach access logs)."""
        ticket = await tickets.public_ticket(ticket_id, bearer_token(request, required=False))
        site = await catalogue.site_by_id(ticket.site_id)
        snap = await views.snapshot(site, settings.public_url, lang)
        view = snap.ticket(ticket)
        return PublicTicketView(
            number=view.number,
            status=view.status,
            queue_name=view.queue_name,
            position=view.position,
            estimated_wait_minutes=view.estimated_wait_minutes,
            counter=view.counter,
            site=site.slug,
        )
