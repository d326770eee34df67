"""What the desk, the display and the visitor see of a site's waiting room.

Estimated waits: the mean transaction time (finish - call) of the queue's last
services in the past week, falling back to the service's booked duration; a ticket
waits for the people ahead of it, shared out over the counters serving that queue.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from wcr.catalogue import public as catalogue
from wcr.clock import now

from . import repository as repo
from .records import ProfileEntry, Ticket, TicketStatus
from .schemas import CounterView, QueueView, SiteQueueView, TicketView
from .tokens import ticket_token

RECENT = timedelta(days=7)
SAMPLE = 20


@dataclass
class Snapshot:
    site: catalogue.Site
    public_url: str
    language: str = "en"
    services: dict[int, catalogue.Service] = field(default_factory=dict)
    letters: dict[int, str] = field(default_factory=dict)
    counters: dict[int, str] = field(default_factory=dict)
    profiles: list[ProfileEntry] = field(default_factory=list)
    counters_per_service: dict[int, int] = field(default_factory=dict)
    minutes_per_service: dict[int, float] = field(default_factory=dict)
    waiting: dict[int, list[Ticket]] = field(default_factory=dict)

    def position(self, ticket: Ticket) -> int | None:
        if ticket.status != TicketStatus.WAITING:
            return None
        ids = [t.id for t in self.waiting.get(ticket.service_id, [])]
        return ids.index(ticket.id) + 1 if ticket.id in ids else None

    def estimate(self, ticket: Ticket) -> int | None:
        place = self.position(ticket)
        if place is None:
            return None
        service = ticket.service_id
        minutes = self.minutes_per_service.get(service, 15.0)
        return round((place - 1) * minutes / max(1, self.counters_per_service.get(service, 1)))

    def service_slug(self, service_id: int) -> str:
        return self.services[service_id].slug if service_id in self.services else "?"

    def service_name(self, service_id: int) -> str:
        service = self.services.get(service_id)
        return service.name(self.language) if service else "?"

    def ticket(self, ticket: Ticket) -> TicketView:
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
            counter=self.counters.get(ticket.counter_id) if ticket.counter_id else None,
            recalls=ticket.recalls,
            next_services=[self.service_slug(step.service_id) for step in ticket.next_steps],
            estimated_wait_minutes=self.estimate(ticket),
            position=self.position(ticket),
            ticket_url=f"{self.public_url}/ticket/{ticket.id}#{ticket_token(ticket)}",
        )


async def snapshot(site: catalogue.Site, public_url: str, language: str = "en") -> Snapshot:
    snap = Snapshot(site=site, public_url=public_url, language=language)
    snap.letters = await repo.letters(site.id)
    if snap.letters:
        snap.services = await catalogue.services_by_id(list(snap.letters))
    snap.counters = {c.id: c.name for c in await repo.counters_at(site.id)}
    snap.profiles = await repo.profile_entries(list(snap.counters))
    for entry in snap.profiles:
        snap.counters_per_service[entry.service_id] = (
            snap.counters_per_service.get(entry.service_id, 0) + 1
        )
    snap.minutes_per_service = await _service_minutes(site.id, snap.services)
    lines: dict[int, list[Ticket]] = defaultdict(list)
    for ticket in await repo.waiting_tickets(site.id):
        lines[ticket.service_id].append(ticket)
    snap.waiting = dict(lines)
    return snap


async def _service_minutes(
    site_id: int, services: dict[int, catalogue.Service]
) -> dict[int, float]:
    steps = await repo.service_times(site_id, now() - RECENT, SAMPLE * max(1, len(services)))
    samples: dict[int, list[float]] = defaultdict(list)
    for step in steps:
        if len(samples[step.service_id]) < SAMPLE:
            seconds = (step.finished_at - step.called_at).total_seconds()
            samples[step.service_id].append(seconds / 60)
    return {
        service_id: (
            sum(samples[service_id]) / len(samples[service_id])
            if samples[service_id]
            else float(service.duration_minutes)
        )
        for service_id, service in services.items()
    }


async def site_queue(snap: Snapshot) -> SiteQueueView:
    called = await repo.called_tickets(snap.site.id)
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
        called=[snap.ticket(t) for t in called],
    )


async def counters(snap: Snapshot) -> list[CounterView]:
    services: dict[int, list[str]] = defaultdict(list)
    for entry in snap.profiles:  # by rank
        services[entry.counter_id].append(snap.service_slug(entry.service_id))
    serving: dict[int, Ticket] = {}
    for ticket in await repo.called_tickets(snap.site.id):  # the latest call first
        if ticket.counter_id is not None:
            serving.setdefault(ticket.counter_id, ticket)
    return [
        CounterView(
            id=counter_id,
            name=name,
            services=services.get(counter_id, []),
            serving=snap.ticket(serving[counter_id]) if counter_id in serving else None,
        )
        for counter_id, name in sorted(snap.counters.items(), key=lambda item: item[1])
    ]
