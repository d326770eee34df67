"""What the desk, the display and the visitor see of a site's waiting room.

Estimated waits: the mean transaction time (finish - call) of the queue's last
services in the past week, falling back to the service's booked duration; a ticket
waits for the people ahead of it, shared out over the counters serving that queue.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from wcr.catalogue import public as catalogue
from wcr.clock import now
from wcr.timezones import as_utc

from .schemas import CounterView, QueueView, SiteQueueView, TicketView
from .tables import Counter, CounterService, SiteQueue, Ticket, TicketStep
from .tickets import steps_of

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
    counters_per_service: dict[int, int] = field(default_factory=dict)
    minutes_per_service: dict[int, float] = field(default_factory=dict)
    waiting: dict[int, list[dict[str, Any]]] = field(default_factory=dict)

    def position(self, ticket: dict[str, Any]) -> int | None:
        if ticket["status"] != "waiting":
            return None
        line = self.waiting.get(ticket["service"], [])
        ids = [t["id"] for t in line]
        return ids.index(ticket["id"]) + 1 if ticket["id"] in ids else None

    def estimate(self, ticket: dict[str, Any]) -> int | None:
        place = self.position(ticket)
        if place is None:
            return None
        service = ticket["service"]
        minutes = self.minutes_per_service.get(service, 15.0)
        return round((place - 1) * minutes / max(1, self.counters_per_service.get(service, 1)))

    def service_slug(self, service_id: int) -> str:
        return self.services[service_id].slug if service_id in self.services else "?"

    def service_name(self, service_id: int) -> str:
        service = self.services.get(service_id)
        return service.name(self.language) if service else "?"

    def ticket(self, row: dict[str, Any]) -> TicketView:
        tz = self.site.tz
        return TicketView(
            id=row["id"],
            number=row["code"],
            status=row["status"],
            queue=self.service_slug(row["service"]),
            queue_name=self.service_name(row["service"]),
            kind=row["kind"],
            priority=row["priority"],
            name=row["name"],
            due=as_utc(row["due_at"]).astimezone(tz).isoformat(),
            counter=self.counters.get(row["counter"]) if row["counter"] else None,
            recalls=row["recalls"],
            next_services=[self.service_slug(step.service_id) for step in steps_of(row)],
            estimated_wait_minutes=self.estimate(row),
            position=self.position(row),
            ticket_url=f"{self.public_url}/ticket/{row['id']}#{row['public_token']}",
        )


async def snapshot(site: catalogue.Site, public_url: str, language: str = "en") -> Snapshot:
    snap = Snapshot(site=site, public_url=public_url, language=language)
    queues = await SiteQueue.select(SiteQueue.service, SiteQueue.letter).where(
        SiteQueue.site == site.id
    )
    snap.letters = {q["service"]: q["letter"] for q in queues}
    if snap.letters:
        snap.services = await catalogue.services_by_id(list(snap.letters))
    counters = await Counter.select().where(Counter.site == site.id)
    snap.counters = {c["id"]: c["name"] for c in counters}
    if counters:
        profile = await CounterService.select(CounterService.service).where(
            CounterService.counter.is_in(list(snap.counters))
        )
        for entry in profile:
            snap.counters_per_service[entry["service"]] = (
                snap.counters_per_service.get(entry["service"], 0) + 1
            )
    snap.minutes_per_service = await _service_minutes(site.id, snap.services)
    waiting = (
        await Ticket.select()
        .where(Ticket.site == site.id, Ticket.status == "waiting")
        .order_by(Ticket.priority, ascending=False)
        .order_by(Ticket.due_at)
        .order_by(Ticket.id)
    )
    lines: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for ticket in waiting:
        lines[ticket["service"]].append(ticket)
    snap.waiting = dict(lines)
    return snap


async def _service_minutes(
    site_id: int, services: dict[int, catalogue.Service]
) -> dict[int, float]:
    steps = (
        await TicketStep.select(TicketStep.service, TicketStep.called_at, TicketStep.finished_at)
        .where(
            TicketStep.site == site_id,
            TicketStep.outcome == "done",
            TicketStep.finished_at > now() - RECENT,
        )
        .order_by(TicketStep.finished_at, ascending=False)
        .limit(SAMPLE * max(1, len(services)))
    )
    samples: dict[int, list[float]] = defaultdict(list)
    for step in steps:
        if len(samples[step["service"]]) < SAMPLE:
            seconds = (as_utc(step["finished_at"]) - as_utc(step["called_at"])).total_seconds()
            samples[step["service"]].append(seconds / 60)
    return {
        service_id: (
            sum(samples[service_id]) / len(samples[service_id])
            if samples[service_id]
            else float(service.duration_minutes)
        )
        for service_id, service in services.items()
    }


async def site_queue(snap: Snapshot) -> SiteQueueView:
    called = (
        await Ticket.select()
        .where(Ticket.site == snap.site.id, Ticket.status == "called")
        .order_by(Ticket.called_at, ascending=False)
    )
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
    profile = (
        await CounterService.select()
        .where(CounterService.counter.is_in(list(snap.counters) or [0]))
        .order_by(CounterService.rank)
    )
    services: dict[int, list[str]] = defaultdict(list)
    for entry in profile:
        services[entry["counter"]].append(snap.service_slug(entry["service"]))
    serving = await Ticket.select().where(Ticket.site == snap.site.id, Ticket.status == "called")
    by_counter = {t["counter"]: t for t in serving}
    return [
        CounterView(
            id=counter_id,
            name=name,
            services=services.get(counter_id, []),
            serving=snap.ticket(by_counter[counter_id]) if counter_id in by_counter else None,
        )
        for counter_id, name in sorted(snap.counters.items(), key=lambda item: item[1])
    ]
