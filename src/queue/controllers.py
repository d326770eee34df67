"""HTTP endpoints of the front desk (staff) and the live event stream and the visitor's
own ticket (public). Every problem they answer carries a ``code`` (:mod:`.problems`)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.channels import ChannelsPlugin
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.params import Body, PathParameter, QueryParameter
from litestar.response import ServerSentEvent
from piccolo.engine.base import Engine

from wcr.accounts.public import PROVIDERS, guards
from wcr.auth import bearer_token
from wcr.catalogue import public as catalogue
from wcr.config import SUPPORTED_LANGUAGES, Settings
from wcr.database import MAX_ID

from . import figures, live, remote, tickets, views
from .deps import TICKET_PROVIDERS, TicketPath
from .problems import EXCEPTION_HANDLERS
from .records import CounterState, LiveEvent, Ticket, TicketStatus
from .schemas import (
    CallRequest,
    CheckInRequest,
    CounterEnvelope,
    CounterStateRequest,
    CounterView,
    NoteRequest,
    PublicTicketView,
    RemoteQueueStatus,
    RemoteTicketRequest,
    RemoteTicketView,
    SiteQueueView,
    TicketEnvelope,
    TodayView,
    TransferRequest,
    WalkInRequest,
)
from .tokens import ticket_link

EngineDep = NamedDependency[Engine[Any]]
SettingsDep = NamedDependency[Settings]
SiteDep = NamedDependency[catalogue.Site]
ReachDep = NamedDependency[tuple[catalogue.Site, Ticket]]
ChannelsDep = NamedDependency[ChannelsPlugin]
SitePath = Annotated[str, PathParameter(max_length=64)]
CounterPath = Annotated[int, PathParameter(ge=1, le=MAX_ID)]
# The language of queue and service names in a listing (the console's own).
LangQuery = Annotated[
    str, QueryParameter(pattern="^(" + "|".join(SUPPORTED_LANGUAGES) + ")$", max_length=5)
]


async def _announce(
    channels: ChannelsPlugin,
    site: catalogue.Site,
    kind: LiveEvent,
    ticket: Ticket,
    settings: Settings,
) -> TicketEnvelope:
    """The changed ticket as the desk sees it (a fresh snapshot gives its place in line),
    told to the site's live stream and returned as the answer."""
    snap = await views.snapshot(site, settings.public_url)
    envelope = TicketEnvelope(ticket=snap.ticket(ticket))
    live.publish(channels, site.slug, kind, envelope.ticket)
    return envelope


def _services(service: str | None, services: list[str] | None) -> list[str]:
    return ([service] if service else []) + list(services or [])


class DeskController(Controller):
    """Front-desk actions on the ``{site}`` of the path: its staff (or an admin) only."""

    path = "/api/v1/sites/{site:str}"
    tags = ["front desk"]
    guards = [guards.desk_of_site]
    dependencies = PROVIDERS
    exception_handlers = EXCEPTION_HANDLERS

    @post("/checkins", operation_id="checkIn", status_code=201)
    async def check_in(
        self,
        data: Annotated[CheckInRequest, Body()],
        desk_site: SiteDep,
        engine: EngineDep,
        settings: SettingsDep,
        channels: ChannelsDep,
    ) -> TicketEnvelope:
        """Check in a booked visitor by reference (or the QR code's link); the ticket
        takes the booking's language."""
        ticket, _late = await tickets.check_in(
            engine, desk_site, data.reference, settings.notify_ahead
        )
        return await _announce(channels, desk_site, LiveEvent.CHECKED_IN, ticket, settings)

    @post("/tickets", operation_id="walkIn", status_code=201)
    async def walk_in(
        self,
        data: Annotated[WalkInRequest, Body()],
        desk_site: SiteDep,
        engine: EngineDep,
        settings: SettingsDep,
        channels: ChannelsDep,
    ) -> TicketEnvelope:
        """A walk-in ticket for one service or several (a one-stop visit, in order);
        ``language`` is the visitor's (de when not given)."""
        ticket = await tickets.walk_in(
            engine,
            desk_site,
            _services(data.service, data.services),
            name=data.name,
            phone=data.phone,
            priority=data.priority,
            language=data.language,
            notify_ahead=settings.notify_ahead,
        )
        return await _announce(channels, desk_site, LiveEvent.CREATED, ticket, settings)

    @get("/counters", operation_id="listCounters")
    async def counters(
        self, desk_site: SiteDep, settings: SettingsDep, lang: LangQuery = "en"
    ) -> list[CounterView]:
        return await views.counters(await views.snapshot(desk_site, settings.public_url, lang))

    @get("/queue", operation_id="siteQueue")
    async def queue(
        self, desk_site: SiteDep, settings: SettingsDep, lang: LangQuery = "en"
    ) -> SiteQueueView:
        """The waiting tickets by queue (with estimates), those at counters, the parked;
        names in ``lang``."""
        snap = await views.snapshot(desk_site, settings.public_url, lang)
        return await views.site_queue(snap)

    @get("/today", operation_id="siteToday")
    async def today(self, desk_site: SiteDep) -> TodayView:
        """Today's figures of the site (its local day)."""
        return await figures.today(desk_site)

    @post("/counters/{counter:int}/state", operation_id="counterState", status_code=200)
    async def counter_state(
        self,
        counter: CounterPath,
        data: Annotated[CounterStateRequest, Body()],
        desk_site: SiteDep,
        engine: EngineDep,
        settings: SettingsDep,
        channels: ChannelsDep,
    ) -> CounterEnvelope:
        """Open, pause or close a counter; one that is not open calls nobody (409)."""
        changed = await tickets.set_state(engine, desk_site, counter, CounterState(data.state))
        live.publish_counter(channels, desk_site.slug, changed)
        snap = await views.snapshot(desk_site, settings.public_url)
        return CounterEnvelope(counter=views.counter_view(snap, changed))

    @post("/counters/{counter:int}/call-next", operation_id="callNext", status_code=200)
    async def call_next(
        self,
        counter: CounterPath,
        desk_site: SiteDep,
        engine: EngineDep,
        settings: SettingsDep,
        channels: ChannelsDep,
    ) -> Response[Any]:
        """200 with the called ticket, or 204 when nobody waits for this counter; 409
        ``counter_not_open`` when it is paused or closed."""
        call = await tickets.call_next(engine, desk_site, counter, settings.notify_ahead)
        if call is None:
            return Response(None, status_code=204)
        live.publish_call(channels, desk_site.slug, call)  # the displays first, then the desk
        view = await views.called_ticket(desk_site, settings.public_url, call)
        return Response(TicketEnvelope(ticket=view))

    @post("/counters/{counter:int}/call", operation_id="callChosen", status_code=200)
    async def call_chosen(
        self,
        counter: CounterPath,
        data: Annotated[CallRequest, Body()],
        desk_site: SiteDep,
        engine: EngineDep,
        settings: SettingsDep,
        channels: ChannelsDep,
    ) -> TicketEnvelope:
        """Call a chosen waiting (or parked) ticket out of order: ``{"ticket_id"}``, or
        ``{"number": "A012"}`` as typed; 404 naming ``number`` if nobody waits with it."""
        ticket = await tickets.call_chosen(
            engine,
            desk_site,
            counter,
            ticket_id=data.ticket_id,
            number=data.number,
            notify_ahead=settings.notify_ahead,
        )
        return await _announce(channels, desk_site, LiveEvent.CALLED, ticket, settings)


class TicketController(Controller):
    """Front-desk actions on one ticket: staff of the ticket's site (or an admin) only.
    The ticket and its site come from the ``reach`` provider (:mod:`.deps`)."""

    path = "/api/v1/tickets/{ticket_id:int}"
    tags = ["front desk"]
    guards = [guards.staff]
    dependencies = TICKET_PROVIDERS
    exception_handlers = EXCEPTION_HANDLERS

    @post("/recall", operation_id="recall", status_code=200)
    async def recall(
        self, reach: ReachDep, engine: EngineDep, settings: SettingsDep, channels: ChannelsDep
    ) -> TicketEnvelope:
        """Call again; past the site's recall limit the ticket becomes a no-show."""
        site, ticket = reach
        changed = await tickets.recall(engine, site, ticket, settings.notify_ahead)
        kind = LiveEvent.RECALLED if changed.status == TicketStatus.CALLED else LiveEvent.NO_SHOW
        return await _announce(channels, site, kind, changed, settings)

    @post("/no-show", operation_id="noShow", status_code=200)
    async def no_show(
        self, reach: ReachDep, engine: EngineDep, settings: SettingsDep, channels: ChannelsDep
    ) -> TicketEnvelope:
        """A no-show; ``/undo-no-show`` takes it back within a minute."""
        site, ticket = reach
        changed = await tickets.no_show(engine, site, ticket, settings.notify_ahead)
        return await _announce(channels, site, LiveEvent.NO_SHOW, changed, settings)

    @post("/undo-no-show", operation_id="undoNoShow", status_code=200)
    async def undo_no_show(
        self, reach: ReachDep, engine: EngineDep, settings: SettingsDep, channels: ChannelsDep
    ) -> TicketEnvelope:
        """Back to waiting at its old place, if it became a no-show less than 60 s ago
        (409 ``undo_too_late`` after)."""
        site, ticket = reach
        changed = await tickets.undo_no_show(engine, ticket)
        return await _announce(channels, site, LiveEvent.RESTORED, changed, settings)

    @post("/finish", operation_id="finish", status_code=200)
    async def finish(
        self, reach: ReachDep, engine: EngineDep, settings: SettingsDep, channels: ChannelsDep
    ) -> TicketEnvelope:
        """Finish this service; a one-stop visitor then waits for the next agency."""
        site, ticket = reach
        changed = await tickets.finish(engine, ticket)
        kind = LiveEvent.QUEUED if tickets.goes_on(changed) else LiveEvent.FINISHED
        return await _announce(channels, site, kind, changed, settings)

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
        changed = await tickets.transfer(engine, site, ticket, data.service, settings.notify_ahead)
        return await _announce(channels, site, LiveEvent.TRANSFERRED, changed, settings)

    @post("/park", operation_id="park", status_code=200)
    async def park(
        self, reach: ReachDep, engine: EngineDep, settings: SettingsDep, channels: ChannelsDep
    ) -> TicketEnvelope:
        """Set a waiting or called ticket aside: out of call-next, listed as parked."""
        site, ticket = reach
        changed = await tickets.park(engine, site, ticket, settings.notify_ahead)
        return await _announce(channels, site, LiveEvent.PARKED, changed, settings)

    @post("/unpark", operation_id="unpark", status_code=200)
    async def unpark(
        self, reach: ReachDep, engine: EngineDep, settings: SettingsDep, channels: ChannelsDep
    ) -> TicketEnvelope:
        """Back into its line at its old due time."""
        site, ticket = reach
        changed = await tickets.unpark(engine, ticket)
        return await _announce(channels, site, LiveEvent.UNPARKED, changed, settings)

    @post("/note", operation_id="note", status_code=200)
    async def note(
        self,
        data: Annotated[NoteRequest, Body()],
        reach: ReachDep,
        engine: EngineDep,
        settings: SettingsDep,
        channels: ChannelsDep,
    ) -> TicketEnvelope:
        """The desk's note (at most 500 characters, "" clears it); staff only."""
        site, ticket = reach
        changed = await tickets.set_note(engine, ticket, data.note)
        return await _announce(channels, site, LiveEvent.NOTED, changed, settings)


class LiveController(Controller):
    """Public: the call display's event stream, a visitor's own ticket, leaving the
    queue, and joining it from afar."""

    path = "/api/v1"
    tags = ["live"]
    exception_handlers = EXCEPTION_HANDLERS

    @get("/sites/{site:str}/events", operation_id="siteEvents")
    async def events(
        self, request: Request[Any, Any, Any], site: SitePath, channels: ChannelsDep
    ) -> ServerSentEvent:
        """Server-sent events: ``ticket`` (check-in, call, recall, transfer, finish,
        park, leave, …) and ``counter`` (opened, paused, closed). At most
        WCR_MAX_STREAMS_PER_ADDRESS open streams per client address (429)."""
        await catalogue.site_by_slug(site, field=None)
        return ServerSentEvent(live.stream(channels, site, live.stream_place(request)))

    @get("/tickets/{ticket_id:int}/public", operation_id="publicTicket")
    async def public_ticket(
        self,
        request: Request[Any, Any, Any],
        ticket_id: TicketPath,
        settings: SettingsDep,
        lang: Annotated[str | None, QueryParameter(max_length=16)] = None,
    ) -> PublicTicketView:
        """A visitor's place in line, estimated wait and itinerary, with the ticket's
        token as `Authorization: Bearer TOKEN` (never in the URL: it would reach access
        logs). Names in the ticket's language unless `lang` asks for another."""
        ticket = await tickets.public_ticket(ticket_id, bearer_token(request, required=False))
        return await views.public_view(ticket, settings.public_url, lang)

    @post("/tickets/{ticket_id:int}/leave", operation_id="leaveQueue", status_code=200)
    async def leave(
        self,
        request: Request[Any, Any, Any],
        ticket_id: TicketPath,
        engine: EngineDep,
        settings: SettingsDep,
        channels: ChannelsDep,
    ) -> PublicTicketView:
        """The visitor leaves the queue, with the ticket's token as `Authorization:
        Bearer`; again is no error. A wrong token answers like an unknown ticket."""
        ticket, changed = await tickets.leave(
            engine, ticket_id, bearer_token(request, required=False), settings.notify_ahead
        )
        if changed:
            site = await catalogue.site_by_id(ticket.site_id)
            await _announce(channels, site, LiveEvent.LEFT, ticket, settings)
        return await views.public_view(ticket, settings.public_url)

    @get(
        "/sites/{site:str}/remote-tickets",
        operation_id="remoteQueueStatus",
        cache_control=CacheControlHeader(max_age=30, public=True),
    )
    async def remote_status(self, site: SitePath, lang: LangQuery = "en") -> RemoteQueueStatus:
        """Whether visitors may join the site's walk-in lines from their phones now
        (`allowed` by the site, `open` by its hours today) and those lines (`slug`,
        `name` in `lang`). No personal data; what the booking pages ask before they
        offer it."""
        place = await catalogue.site_by_slug(site, field=None)
        return await remote.status(place, lang)

    @post("/sites/{site:str}/remote-tickets", operation_id="remoteTicket", status_code=201)
    async def remote_ticket(
        self,
        request: Request[Any, Any, Any],
        site: SitePath,
        data: Annotated[RemoteTicketRequest, Body()],
        engine: EngineDep,
        settings: SettingsDep,
        channels: ChannelsDep,
    ) -> RemoteTicketView:
        """Join a walk-in line from one's phone on the day (where the site allows it,
        while it is open): services, name, phone or email, language and `altcha`; or a
        booked visitor's check-in: `{"reference"}` with the manage token as
        `Authorization: Bearer`."""
        place = await catalogue.site_by_slug(site, field=None)
        ticket = await remote.join(
            engine, settings, place, data, bearer_token(request, required=False)
        )
        kind = LiveEvent.CHECKED_IN if data.reference else LiveEvent.CREATED
        await _announce(channels, place, kind, ticket, settings)
        return RemoteTicketView(
            ticket=await views.public_view(ticket, settings.public_url),
            ticket_url=ticket_link(settings.public_url, ticket.id, ticket.day),
        )
