"""What the desk, the display and the visitor see of a site's waiting room.

A :class:`Snapshot` reads the site's lines, counters and recent service times once;
estimated waits follow the rule of :mod:`.estimates` (only open counters count).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from wcr.catalogue import public as catalogue
from wcr.clock import now

from . import estimates
from . import repository as repo
from .records import (
    ACTIVE,
    Call,
    Counter,
    CounterState,
    DayCounts,
    ProfileEntry,
    Ticket,
    TicketKind,
    TicketStatus,
)
from .schemas import (
    CounterView,
    PublicSite,
    PublicStep,
    PublicTicketView,
    QueueView,
    SiteQueueView,
    TicketView,
    TodayView,
)
from .tokens import ticket_link

RECENT = timedelta(days=7)
SAMPLE = estimates.SAMPLE


def _minutes(span: timedelta) -> int:
    return max(0, int(span.total_seconds() // 60))


@dataclass
class Snapshot:
    site: catalogue.Site
    public_url: str
    language: str = "en"
    at: datetime = field(default_factory=now)
    services: dict[int, catalogue.Service] = field(default_factory=dict)
    letters: dict[int, str] = field(default_factory=dict)
    counter_rows: dict[int, Counter] = field(default_factory=dict)
    profiles: list[ProfileEntry] = field(default_factory=list)
    samples: dict[int, list[float]] = field(default_factory=dict)
    waiting: dict[int, list[Ticket]] = field(default_factory=dict)
    called: list[Ticket] = field(default_factory=list)  # the latest call first
    parked: list[Ticket] = field(default_factory=list)
    recent: list[Ticket] = field(default_factory=list)  # joined a line lately
    _waits: dict[int, int | None] | None = None

    @property
    def counters(self) -> dict[int, str]:
        return {c.id: c.name for c in self.counter_rows.values()}

    def position(self, ticket: Ticket) -> int | None:
        if ticket.status != TicketStatus.WAITING:
            return None
        ids = [t.id for t in self.waiting.get(ticket.service_id, [])]
        return ids.index(ticket.id) + 1 if ticket.id in ids else None

    def minutes(self, service_id: int) -> float:
        """Minutes per visitor of one line (:func:`.estimates.service_minutes`)."""
        service = self.services.get(service_id)
        booked = float(service.duration_minutes) if service else 15.0
        return estimates.service_minutes(self.samples.get(service_id, []), booked)

    def look_ahead(self) -> estimates.Site:
        """The estimate's view of the site: lines, open counters, recent arrivals."""
        minutes = {service_id: self.minutes(service_id) for service_id in self.letters}
        serving = {t.counter_id: t for t in self.called if t.counter_id is not None}
        desks = []
        for row in self.counter_rows.values():
            if row.state != CounterState.OPEN:
                continue
            ranks = {e.service_id: e.rank for e in self.profiles if e.counter_id == row.id}
            busy = serving.get(row.id)
            called_at = busy.called_at if busy else None
            busy_minutes = minutes.get(busy.service_id, 0.0) if busy else 0.0
            desks.append(
                estimates.Desk(row.id, ranks, estimates.free_at(self.at, called_at, busy_minutes))
            )
        return estimates.Site(
            at=self.at,
            lines={s: [waiting(t) for t in line] for s, line in self.waiting.items()},
            desks=desks,
            minutes=minutes,
            recent=[waiting(t, arrived=True) for t in self.recent],
        )

    def estimate(self, ticket: Ticket) -> int | None:
        if self.position(ticket) is None:
            return None
        if self._waits is None:
            self._waits = estimates.site_waits(self.look_ahead())
        return self._waits.get(ticket.id)

    def service_slug(self, service_id: int) -> str:
        return self.services[service_id].slug if service_id in self.services else "?"

    def service_name(self, service_id: int, language: str | None = None) -> str:
        service = self.services.get(service_id)
        return service.name(language or self.language) if service else "?"

    def local(self, moment: datetime | None) -> str | None:
        return moment.astimezone(self.site.tz).isoformat() if moment else None

    def waited(self, ticket: Ticket) -> int | None:
        if ticket.status == TicketStatus.CALLED and ticket.called_at is not None:
            return _minutes(ticket.called_at - ticket.queued_at)
        if ticket.status in (TicketStatus.WAITING, TicketStatus.PARKED):
            return _minutes(self.at - ticket.queued_at)
        return None

    def ticket(self, ticket: Ticket) -> TicketView:
        place = self.position(ticket)
        return TicketView(
            id=ticket.id,
            number=ticket.code,
            status=ticket.status.value,
            queue=self.service_slug(ticket.service_id),
            queue_name=self.service_name(ticket.service_id),
            kind=ticket.kind.value,
            priority=ticket.priority,
            name=ticket.name,
            due=ticket.due_at.astimezone(self.site.tz).isoformat(),
            counter=self.counter_name(ticket, called_only=False),
            recalls=ticket.recalls,
            next_services=[self.service_slug(step.service_id) for step in ticket.next_steps],
            next_service_names=[self.service_name(step.service_id) for step in ticket.next_steps],
            estimated_wait_minutes=self.estimate(ticket),
            position=place,
            ahead=None if place is None else place - 1,
            ticket_url=ticket_link(self.public_url, ticket.id, ticket.day),
            language=ticket.language,
            note=ticket.note,
            called_at=self.local(ticket.called_at),
            waited_minutes=self.waited(ticket),
            booked_at=self.local(booked_at(ticket)),
            remote=ticket.remote,
            parked_at=self.local(ticket.parked_at),
        )

    def counter_name(self, ticket: Ticket, *, called_only: bool = True) -> str | None:
        """The counter the ticket is (or, for the desk, was last) called to."""
        if ticket.counter_id is None or (called_only and ticket.status != TicketStatus.CALLED):
            return None
        row = self.counter_rows.get(ticket.counter_id)
        return row.name if row else None

    def public(
        self, ticket: Ticket, done: list[int], language: str | None = None
    ) -> PublicTicketView:
        """The visitor's own view (no name, no note), names in ``language`` (by default
        the ticket's)."""
        language = language or ticket.language
        place = self.position(ticket)
        return PublicTicketView(
            id=ticket.id,
            number=ticket.code,
            status=ticket.status.value,
            queue=self.service_slug(ticket.service_id),
            queue_name=self.service_name(ticket.service_id, language),
            language=ticket.language,
            position=place,
            ahead=None if place is None else place - 1,
            estimated_wait_minutes=self.estimate(ticket),
            counter=self.counter_name(ticket),
            called_at=self.local(ticket.called_at)
            if ticket.status == TicketStatus.CALLED
            else None,
            site=PublicSite(slug=self.site.slug, name=self.site.name, timezone=self.site.timezone),
            steps=self.itinerary(ticket, done, language),
            can_leave=ticket.status in ACTIVE,
        )

    def itinerary(self, ticket: Ticket, done: list[int], language: str) -> list[PublicStep]:
        """The one-stop itinerary: services given, the one of now, those to come."""

        def step(service_id: int, state: str) -> PublicStep:
            return PublicStep(
                service=self.service_slug(service_id),
                name=self.service_name(service_id, language),
                state=state,  # type: ignore[arg-type]
            )

        steps = [step(service_id, "done") for service_id in done]
        if ticket.status != TicketStatus.DONE:
            steps.append(step(ticket.service_id, "now"))
        steps += [step(s.service_id, "next") for s in ticket.next_steps]
        return steps


def waiting(ticket: Ticket, *, arrived: bool = False) -> estimates.Waiting:
    """A ticket as the estimates' look-ahead sees it (``arrived``: as a recent arrival)."""
    return estimates.Waiting(
        id=ticket.id,
        service_id=ticket.service_id,
        due_at=ticket.due_at,
        booked=ticket.kind == TicketKind.APPOINTMENT,
        priority=ticket.priority,
        arrives=ticket.queued_at if arrived else None,
    )


def booked_at(ticket: Ticket) -> datetime | None:
    """The booked time of an appointment (its due time); a walk-in has none."""
    return ticket.due_at if ticket.kind == TicketKind.APPOINTMENT else None


async def snapshot(site: catalogue.Site, public_url: str, language: str = "en") -> Snapshot:
    snap = Snapshot(site=site, public_url=public_url, language=language)
    snap.letters = await repo.letters(site.id)
    if snap.letters:
        snap.services = await catalogue.services_by_id(list(snap.letters))
    snap.counter_rows = {c.id: c for c in await repo.counters_at(site.id)}
    snap.profiles = await repo.profile_entries(list(snap.counter_rows))
    snap.samples = await _samples(site.id, len(snap.services))
    lines: dict[int, list[Ticket]] = defaultdict(list)
    snap.recent = await repo.joined_since(site.id, snap.at - estimates.REPLAY)
    for ticket in await repo.waiting_tickets(site.id, snap.at):
        lines[ticket.service_id].append(ticket)
    snap.waiting = dict(lines)
    snap.called = await repo.called_tickets(site.id)
    snap.parked = await repo.parked_tickets(site.id)
    return snap


async def called_ticket(site: catalogue.Site, public_url: str, call: Call) -> TicketView:
    """The desk's view of a ticket call-next just called, as :meth:`Snapshot.ticket`
    gives it, from one read (the services): a called ticket has no place in a line and
    no estimate, so the lines are not read."""
    ticket = call.ticket
    snap = Snapshot(site=site, public_url=public_url)
    ids = [ticket.service_id, *(step.service_id for step in ticket.next_steps)]
    snap.services = await catalogue.services_by_id(ids)
    if ticket.counter_id is not None:
        counter = Counter(id=ticket.counter_id, site_id=site.id, name=call.counter_name)
        snap.counter_rows = {counter.id: counter}
    return snap.ticket(ticket)


async def _samples(site_id: int, services: int) -> dict[int, list[float]]:
    """Minutes of the last services of each line (past week), the latest first."""
    steps = await repo.service_times(site_id, now() - RECENT, SAMPLE * max(1, services))
    samples: dict[int, list[float]] = defaultdict(list)
    for step in steps:
        if len(samples[step.service_id]) < SAMPLE:
            seconds = (step.finished_at - step.called_at).total_seconds()
            samples[step.service_id].append(seconds / 60)
    return dict(samples)


async def site_queue(snap: Snapshot) -> SiteQueueView:
    return SiteQueueView(
        site=snap.site.slug,
        queues=[
            QueueView(
                service=snap.service_slug(service_id),
                name=snap.service_name(service_id),
                letter=letter,
                waiting=[snap.ticket(t) for t in snap.waiting.get(service_id, [])],
            )
            for service_id, letter in sorted(snap.letters.items(), key=lambda item: item[1])
        ],
        called=[snap.ticket(t) for t in snap.called],
        parked=[snap.ticket(t) for t in snap.parked],
    )


def counter_view(snap: Snapshot, counter: Counter) -> CounterView:
    services = [
        snap.service_slug(entry.service_id)
        for entry in snap.profiles  # by rank
        if entry.counter_id == counter.id
    ]
    serving = next((t for t in snap.called if t.counter_id == counter.id), None)
    return CounterView(
        id=counter.id,
        name=counter.name,
        services=services,
        serving=snap.ticket(serving) if serving else None,
        state=counter.state.value,
    )


async def counters(snap: Snapshot) -> list[CounterView]:
    return [
        counter_view(snap, row)
        for row in sorted(snap.counter_rows.values(), key=lambda row: row.name)
    ]


def today(site: catalogue.Site, day: str, counts: DayCounts, at: datetime) -> TodayView:
    waits = sorted((s.called_at - s.queued_at).total_seconds() / 60 for s in counts.waits)
    median = None
    if waits:
        middle = len(waits) // 2
        median = waits[middle] if len(waits) % 2 else (waits[middle - 1] + waits[middle]) / 2
    since = counts.longest_waiting_since
    return TodayView(
        site=site.slug,
        day=day,
        served=counts.served,
        waiting=counts.waiting,
        parked=counts.parked,
        no_shows=counts.no_shows,
        left=counts.left,
        issued=counts.issued,
        median_wait_minutes=None if median is None else round(max(0.0, median), 1),
        longest_wait_now_minutes=None if since is None else _minutes(at - since),
    )


async def public_view(
    ticket: Ticket, public_url: str, language: str | None = None
) -> PublicTicketView:
    """A visitor's own ticket, names in ``language`` or the ticket's."""
    site = await catalogue.site_by_id(ticket.site_id)
    snap = await snapshot(site, public_url, language or ticket.language)
    return snap.public(ticket, await repo.done_services(ticket.id), language)
