"""A day at the front desk: do the waiting room's estimates come true?

One site (Bochum, four counters, four partner services) through one opening day of
about 200 visitors, driven through the real app on a throw-away database, with the
system's clock (``wcr.clock.now``) simulated: it jumps from event to event, so the
day of 8 opening hours runs in under a minute (15-65 s on the 2-core machine).

    .venv/bin/python -m bench.queue_day                 # or: make bench-day
    .venv/bin/python -m bench.queue_day --seed 7 --json
    .venv/bin/python -m bench.queue_day --postgres      # WCR_BENCH_POSTGRES_URL

The day (drawn from ``--seed``, the same seed gives the same day and the same figures):

* walk-ins arrive by a curve with a morning peak (around 09:45), a smaller one after
  lunch (around 13:30) and a base over the whole day, 08:00-15:30;
* booked visitors (``--booked-share``) book the day before, through
  ``POST /api/v1/bookings``, the published slot nearest to a time drawn from the same
  curve; on the day they check in (``POST .../checkins``) a few minutes early, some
  late (a fifth of them 0-25 minutes; past the site's 15 minutes the system moves
  them to the walk-in line);
* about one visitor in ten is a one-stop visitor with 2-3 services (booked ones as
  one multi-slot booking, walk-ins as one ticket for several queues);
* each counter's desk worker calls next when free, serves for a time drawn from a
  lognormal distribution whose mean is the service's duration, finishes (a one-stop
  visitor then waits in the next queue with the same number), and after half a
  minute calls again; a visitor who has left (``--no-show-share``) is recalled after
  2 minutes and marked a no-show after 2 more.

For every visitor the bench keeps what the system said at the desk
(``estimated_wait_minutes`` of the ticket the check-in or walk-in answered) and what
happened (the minutes until the visitor was called), and the same for each hand-on
of a one-stop visitor to the next queue. It prints the estimates' error (median and
p90 of the absolute error, the mean signed error), by kind, the share of booked
visitors called within 10 minutes of their booked time, and the waits.

Verification: every request answered as expected (no 5xx), every visitor got one
ticket and was served once per service (or marked a no-show), the waiting room is
empty at the end, and every ticket's times lie on the simulated day (which they only
do if the whole queue took its time from the simulated clock). Exit status: 0
verified, 1 a mismatch (printed as ``MISMATCH:``), 2 the bench could not run, 130
interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import math
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from bench import harness
from bench.harness import BenchError, positive

SITE = "bochum"
TZ = ZoneInfo("Europe/Berlin")
DATABASE_PREFIX = "wcr_qbench"
STAFF_USER = "bench-desk"
STAFF_PASSWORD = "bench desk password 1234"  # noqa: S105 - made up for a throw-away database
SECRET_KEY = "server-secret-of-the-queue-day-bench-0123456789"  # noqa: S105 - made up too
BASE_URL = "http://bench.invalid"


@dataclass(frozen=True)
class BenchService:
    slug: str
    agency: str
    minutes: int  # the service's duration: the mean of its drawn service times
    slot_minutes: int  # the grid its agency publishes appointments on
    share: float  # of the visitors who come for this service alone
    de: str
    en: str


SERVICES = [
    BenchService(
        "residence-registration",
        "buergerbuero-bochum",
        5,
        10,
        0.40,
        "Wohnsitzanmeldung",
        "Residence registration",
    ),
    BenchService(
        "residence-permit",
        "auslaenderbehoerde-bochum",
        6,
        15,
        0.30,
        "Aufenthaltstitel",
        "Residence permit",
    ),
    BenchService(
        "employment-agency",
        "agentur-fuer-arbeit-bochum",
        9,
        20,
        0.15,
        "Beratung der Agentur für Arbeit",
        "Employment agency advice",
    ),
    BenchService(
        "recognition-advice",
        "ihk-mittleres-ruhrgebiet",
        10,
        20,
        0.15,
        "Anerkennungsberatung (IHK)",
        "Recognition advice (IHK)",
    ),
]
BY_SLUG = {s.slug: s for s in SERVICES}
# The one-stop visits people make (registration first: the others need the address).
ONE_STOP_ROUTES = [
    ("residence-registration", "residence-permit"),
    ("residence-registration", "employment-agency"),
    ("residence-registration", "recognition-advice"),
    ("residence-registration", "employment-agency", "recognition-advice"),
    ("residence-permit", "employment-agency"),
]
# Work profiles, preferred queue first: the citizens' office and the foreigners' office
# help each other at counters 1 and 2; the employment agency and the IHK do the same
# at 3 and 4, and help with permits and registrations when their own lines are empty.
COUNTERS = [
    ("Schalter 1", ["residence-registration", "residence-permit"]),
    ("Schalter 2", ["residence-permit", "residence-registration"]),
    ("Schalter 3", ["employment-agency", "recognition-advice", "residence-permit"]),
    ("Schalter 4", ["recognition-advice", "employment-agency", "residence-registration"]),
]
LANGUAGES = ["de", "en", "ar", "tr", "uk", "fr"]

OPENS = clock_time(8, 0)
CLOSES = clock_time(16, 0)
LAST_WALK_IN = clock_time(15, 30)
LAST_SLOT = clock_time(15, 30)  # slots are published 08:00-15:30
# The arrival curve: (weight, mean, standard deviation in minutes) of each peak; the
# rest of the weight is spread evenly over the day.
PEAKS = [(0.45, clock_time(9, 45), 70.0), (0.25, clock_time(13, 30), 50.0)]
ONE_STOP_SHARE = 0.10
SERVICE_SIGMA = 0.5  # of the lognormal service times (coefficient of variation ~0.53)
LATE_SHARE = 0.20  # of booked visitors: 0-25 minutes late
EARLY_MEAN, EARLY_SD = -8.0, 6.0  # the others: minutes before their booked time
EARLIEST_CHECK_IN = -28.0  # the site lets them check in 30 minutes early
RECALL_AFTER = timedelta(minutes=2)
NO_SHOW_AFTER = timedelta(minutes=2)  # after the recall
TURNAROUND = timedelta(seconds=30)  # a worker between two visitors
ON_TIME = timedelta(minutes=10)
MAX_SIM_EVENTS = 100_000  # a runaway simulation is a bug, not a long day
REQUEST_TIMEOUT = 60


# --- options ----------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    visitors: int
    days: int
    booked_share: float
    no_show_share: float
    seed: int
    postgres: bool
    json: bool
    admin_url: str


def share(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text} is not a share between 0 and 1")
    return value


def parse_options(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m bench.queue_day",
        description="A simulated day at one site's front desk: estimates against waits.",
    )
    parser.add_argument("--visitors", type=positive, default=200, help="a day (default 200)")
    parser.add_argument(
        "--days",
        type=positive,
        default=1,
        help="working days in a row, from a Monday (default 1); the estimates learn from "
        "the services of the past week",
    )
    parser.add_argument(
        "--booked-share", type=share, default=0.35, help="visitors with a booking (0.35)"
    )
    parser.add_argument(
        "--no-show-share", type=share, default=0.05, help="visitors gone when called (0.05)"
    )
    parser.add_argument("--seed", type=int, default=1, help="the day drawn (default 1)")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="a throw-away PostgreSQL database (WCR_BENCH_POSTGRES_URL) instead of SQLite",
    )
    parser.add_argument("--json", action="store_true", help="a JSON summary line at the end")
    args = parser.parse_args(argv)
    return Options(
        visitors=args.visitors,
        days=args.days,
        booked_share=args.booked_share,
        no_show_share=args.no_show_share,
        seed=args.seed,
        postgres=args.postgres,
        json=args.json,
        admin_url=harness.admin_url(),
    )


# --- the simulated clock ----------------------------------------------------------


class SimulatedClock:
    """The instant the whole system reads as "now" while the bench runs."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def set(self, at: datetime) -> None:
        if at < self.at:
            raise BenchError(f"the simulated clock would go back from {self.at} to {at}")
        self.at = at


@contextmanager
def simulated(clock: SimulatedClock) -> Iterator[None]:
    """``wcr.clock.now`` reads ``clock`` until the block ends (the clock's settable
    source, :func:`wcr.clock.using`: every holder of ``now`` reads it)."""
    from wcr import clock as wcr_clock  # noqa: PLC0415 - not on import of the bench

    with wcr_clock.using(clock.now):
        yield


# --- the day's visitors -------------------------------------------------------------


@dataclass
class Leg:
    """One wait of a visitor: from joining a queue (with the system's estimate) until
    called. The first leg starts at the desk (check-in or walk-in), the others when a
    one-stop visitor is handed on to the next queue."""

    service: str
    queued: datetime
    estimate: int | None
    booked: datetime | None = None  # the appointment's start, for booked visitors
    called: datetime | None = None

    @property
    def wait_minutes(self) -> float | None:
        if self.called is None:
            return None
        return (self.called - self.queued).total_seconds() / 60


@dataclass
class Visitor:
    index: int
    booked: bool
    services: list[str]
    arrival: datetime  # walk-in: arrival; booked: check-in (set once booked)
    desired: datetime  # booked: the time they wanted to book (walk-in: arrival)
    offset_minutes: float  # booked: check-in minus booked time
    no_show: bool
    service_minutes: list[float]
    language: str
    reference: str | None = None
    appointments: list[datetime] = field(default_factory=list)
    ticket_id: int | None = None
    number: str = ""
    moved_to_walk_in: bool = False  # booked, but checked in too late
    legs: list[Leg] = field(default_factory=list)
    served: int = 0  # services finished
    outcome: str = "waiting"  # done, no_show

    @property
    def kind(self) -> str:
        return "booked" if self.booked else "walk-in"


def local(day: date, at: clock_time) -> datetime:
    return datetime.combine(day, at, tzinfo=TZ).astimezone(UTC)


def minutes_after(day: date, at: clock_time, minutes: float) -> datetime:
    return local(day, at) + timedelta(minutes=minutes)


def draw_arrival(rng: random.Random, day: date, latest: clock_time) -> datetime:
    """A moment between opening and ``latest`` from the day's arrival curve."""
    start, end = local(day, OPENS), local(day, latest)
    while True:
        pick = rng.random()
        for weight, mean, sd in PEAKS:
            if pick < weight:
                at = local(day, mean) + timedelta(minutes=rng.gauss(0, sd))
                break
            pick -= weight
        else:
            at = start + (end - start) * rng.random()
        if start <= at <= end:
            return at.replace(microsecond=0)


def draw_minutes(rng: random.Random, service: str) -> float:
    """Lognormal with the service's duration as its mean."""
    mean = BY_SLUG[service].minutes
    mu = math.log(mean) - SERVICE_SIGMA**2 / 2
    return max(1.0, rng.lognormvariate(mu, SERVICE_SIGMA))


def draw_services(rng: random.Random) -> list[str]:
    if rng.random() < ONE_STOP_SHARE:
        return list(rng.choice(ONE_STOP_ROUTES))
    return [rng.choices([s.slug for s in SERVICES], weights=[s.share for s in SERVICES])[0]]


def plan_day(rng: random.Random, options: Options, day: date) -> list[Visitor]:
    booked = set(
        rng.sample(range(options.visitors), round(options.visitors * options.booked_share))
    )
    visitors = []
    for index in range(options.visitors):
        services = draw_services(rng)
        is_booked = index in booked
        if is_booked:
            desired = draw_arrival(rng, day, LAST_SLOT)
            late = rng.random() < LATE_SHARE
            offset = rng.uniform(0, 25) if late else rng.gauss(EARLY_MEAN, EARLY_SD)
            offset = max(EARLIEST_CHECK_IN, offset)
            arrival = local(day, OPENS)  # set once the appointment is known
        else:
            arrival = draw_arrival(rng, day, LAST_WALK_IN)
            desired, offset = arrival, 0.0
        visitors.append(
            Visitor(
                index=index,
                booked=is_booked,
                services=services,
                arrival=arrival,
                desired=desired,
                offset_minutes=offset,
                no_show=rng.random() < options.no_show_share,
                service_minutes=[draw_minutes(rng, s) for s in services],
                language=rng.choice(LANGUAGES),
            )
        )
    return visitors


def bench_days(count: int) -> list[date]:
    """``count`` working days from a Monday two weeks ahead or more (the clocks never
    change on a weekday)."""
    day = datetime.now(TZ).date() + timedelta(days=14)
    while day.isoweekday() != 1:
        day += timedelta(days=1)
    days: list[date] = []
    while len(days) < count:
        if day.isoweekday() <= 5:
            days.append(day)
        day += timedelta(days=1)
    return days


# --- the app in process -------------------------------------------------------------


@asynccontextmanager
async def running_app(database_url: str, outbox: Path) -> AsyncIterator[Any]:
    """The real app, started and stopped in one task of its own (its lifespan holds an
    anyio task group, which must be left in the task that entered it)."""
    from wcr.app import create_app  # noqa: PLC0415 - not on import of the bench
    from wcr.config import Settings  # noqa: PLC0415

    application = create_app(
        Settings(
            database_url=database_url,
            public_url=BASE_URL,
            rate_limit_per_minute=0,
            staff_rate_limit_per_minute=0,
            dispatch_in_process=False,  # the messages of the bookings stay in the outbox
            max_active_bookings_per_contact=0,
            max_active_bookings_per_company=0,
            challenge=False,
            secret_key=SECRET_KEY,
            outbox_dir=outbox,
            pool_size=5,
        )
    )
    started, stop = asyncio.Event(), asyncio.Event()

    async def lifespan() -> None:
        async with application.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(lifespan())
    waiter = asyncio.create_task(started.wait())
    await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        waiter.cancel()
        task.result()  # start-up failed: raise its error here
    try:
        yield application
    finally:
        stop.set()
        await task


class Api:
    """The app over in-process HTTP (httpx's ASGI transport), counting every answer."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.token = ""
        self.answers: Counter[str] = Counter()
        self.problems: list[str] = []

    async def post(
        self,
        path: str,
        body: Mapping[str, object] | None = None,
        *,
        expect: Sequence[int],
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        if headers is None:
            headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = await self.client.post(path, json=body, headers=dict(headers))
        self.answers[f"{path.rsplit('/', 1)[-1]} {response.status_code}"] += 1
        if response.status_code not in expect:
            self.problems.append(
                f"POST {path}: {response.status_code} {response.text[:300]}"
                f" (expected {', '.join(map(str, expect))})"
            )
        return response

    async def get(self, path: str) -> httpx.Response:
        response = await self.client.get(path, headers={"Authorization": f"Bearer {self.token}"})
        self.answers[f"GET {path.rsplit('/', 1)[-1]} {response.status_code}"] += 1
        return response


# --- before the day: the site, its counters, slots and bookings ----------------------


async def set_up_site(engine: Any) -> tuple[dict[str, str], dict[int, str]]:
    """The site, agencies, services, counters and a desk account (in process, as an
    operator's `wcr` commands would); returns agency keys and counter ids → names."""
    import json  # noqa: PLC0415

    from wcr.accounts.public import create_staff  # noqa: PLC0415
    from wcr.catalogue.public import create_agency_key, serve_site  # noqa: PLC0415
    from wcr.catalogue.tables import Agency, Service, Site  # noqa: PLC0415
    from wcr.queue.setup import add_counter  # noqa: PLC0415

    hours = {str(d): [["08:00", "16:00"]] for d in range(1, 6)}
    await Site.insert(
        Site(
            slug=SITE,
            name="Welcome Office Bochum",
            address="Universitätsstraße 43-49, 44789 Bochum",
            timezone=TZ.key,
            opening_hours=json.dumps(hours),
        )
    )
    keys = {}
    for service in SERVICES:
        rows = await Agency.insert(Agency(slug=service.agency, name=service.agency)).returning(
            Agency.id
        )
        await Service.insert(
            Service(
                slug=service.slug,
                agency=rows[0]["id"],
                duration_minutes=service.minutes,
                names=json.dumps({"de": service.de, "en": service.en}),
            )
        )
        await serve_site(service.agency, SITE)
        keys[service.slug] = await create_agency_key(service.agency)
    counters = {}
    for name, services in COUNTERS:
        counters[await add_counter(engine, SITE, name, services)] = name
    await create_staff(STAFF_USER, STAFF_PASSWORD, "frontdesk", SITE)
    return keys, counters


@dataclass
class Slot:
    id: int
    service: str
    start: datetime
    end: datetime
    free: int


async def publish_slots(api: Api, keys: Mapping[str, str], day: date) -> dict[str, list[Slot]]:
    """Each agency publishes its day through the agency API (one pattern each)."""
    slots: dict[str, list[Slot]] = {}
    for service in SERVICES:
        response = await api.post(
            "/api/v1/agency/slots",
            {
                "site": SITE,
                "service": service.slug,
                "from_date": day.isoformat(),
                "to_date": day.isoformat(),
                "weekdays": [day.isoweekday()],
                "start_time": OPENS.strftime("%H:%M"),
                "end_time": LAST_SLOT.strftime("%H:%M"),
                "slot_minutes": service.slot_minutes,
                "capacity": 1,
            },
            expect=[201],
            headers={"Authorization": f"Bearer {keys[service.slug]}"},
        )
        if response.status_code != 201:
            raise BenchError(f"publishing {service.slug}: {response.text[:300]}")
        slots[service.slug] = [
            Slot(
                id=int(s["id"]),
                service=service.slug,
                start=datetime.fromisoformat(s["start"]).astimezone(UTC),
                end=datetime.fromisoformat(s["end"]).astimezone(UTC),
                free=1,
            )
            for s in response.json()["slots"]
        ]
    return slots


def choose_visit(visitor: Visitor, slots: Mapping[str, list[Slot]]) -> list[Slot] | None:
    """The free slot of the first service nearest the wanted time, then for each further
    service the first free slot 5-60 minutes after the previous one ends (the site's
    one-stop rules)."""
    wanted = visitor.desired
    first, *rest = visitor.services
    candidates = sorted(
        (s for s in slots[first] if s.free > 0),
        key=lambda s: (abs((s.start - wanted).total_seconds()), s.start),
    )
    for candidate in candidates:
        chain = [candidate]
        for service in rest:
            earliest = chain[-1].end + timedelta(minutes=5)
            following = [
                s
                for s in slots[service]
                if s.free > 0 and earliest <= s.start <= earliest + timedelta(minutes=55)
            ]
            if not following:
                break
            chain.append(min(following, key=lambda s: s.start))
        if len(chain) == len(visitor.services):
            return chain
    return None


async def book_visits(api: Api, visitors: list[Visitor], slots: Mapping[str, list[Slot]]) -> int:
    """The booked visitors' bookings through ``POST /api/v1/bookings``; a visitor who
    finds nothing free comes as a walk-in instead. Returns how many did."""
    unbooked = 0
    for visitor in visitors:
        if not visitor.booked:
            continue
        chain = choose_visit(visitor, slots)
        if chain is None:
            visitor.booked = False
            visitor.arrival = visitor.desired
            unbooked += 1
            continue
        ids = [s.id for s in chain]
        body: dict[str, object] = {
            "name": f"Visitor {visitor.index}",
            "email": f"visitor{visitor.index}.{visitor.arrival:%m%d}@example.org",
            "language": visitor.language,
        }
        body |= {"slot_id": ids[0]} if len(ids) == 1 else {"slot_ids": ids}
        response = await api.post("/api/v1/bookings", body, expect=[201], headers={})
        if response.status_code != 201:
            raise BenchError(f"booking for visitor {visitor.index}: {response.text[:300]}")
        for slot in chain:
            slot.free -= 1
        visitor.reference = response.json()["reference"]
        visitor.appointments = [s.start for s in chain]
        visitor.arrival = (chain[0].start + timedelta(minutes=visitor.offset_minutes)).replace(
            microsecond=0
        )
    return unbooked


# --- the day ------------------------------------------------------------------------


@dataclass(order=True)
class Event:
    at: datetime
    seq: int
    what: str = field(compare=False)
    counter: int = field(default=0, compare=False)
    visitor: int = field(default=0, compare=False)


@dataclass
class Desk:
    """The simulation: the events of the day in time order, and who is where."""

    api: Api
    clock: SimulatedClock
    visitors: list[Visitor]
    counters: dict[int, str]
    events: list[Event] = field(default_factory=list)
    seq: int = 0
    idle: set[int] = field(default_factory=set)
    by_ticket: dict[int, int] = field(default_factory=dict)  # ticket id → visitor
    at_counter: dict[int, int] = field(default_factory=dict)  # counter → visitor
    busy: Counter[int] = field(default_factory=Counter)  # counter → seconds with a visitor
    called_since: dict[int, datetime] = field(default_factory=dict)
    processed: int = 0

    def schedule(self, at: datetime, what: str, *, counter: int = 0, visitor: int = 0) -> None:
        self.seq += 1
        heapq.heappush(self.events, Event(at, self.seq, what, counter, visitor))

    def wake_idle(self) -> None:
        for counter in sorted(self.idle):
            self.schedule(self.clock.now(), "free", counter=counter)
        self.idle.clear()

    async def run(self) -> None:
        for visitor in self.visitors:
            self.schedule(visitor.arrival, "arrive", visitor=visitor.index)
        for counter in sorted(self.counters):
            self.idle.add(counter)
        while self.events:
            self.processed += 1
            if self.processed > MAX_SIM_EVENTS:
                raise BenchError(f"more than {MAX_SIM_EVENTS} events: the day does not end")
            event = heapq.heappop(self.events)
            self.clock.set(event.at)
            await getattr(self, f"on_{event.what.replace('-', '_')}")(event)

    def site_path(self, tail: str) -> str:
        return f"/api/v1/sites/{SITE}/{tail}"

    async def on_arrive(self, event: Event) -> None:
        visitor = self.visitors[event.visitor]
        if visitor.booked:
            response = await self.api.post(
                self.site_path("checkins"), {"reference": visitor.reference}, expect=[201]
            )
        else:
            response = await self.api.post(
                self.site_path("tickets"), {"services": visitor.services}, expect=[201]
            )
        if response.status_code != 201:
            visitor.outcome = "refused"
            return
        ticket = response.json()["ticket"]
        visitor.ticket_id, visitor.number = int(ticket["id"]), str(ticket["number"])
        visitor.moved_to_walk_in = visitor.booked and ticket["kind"] != "appointment"
        self.by_ticket[visitor.ticket_id] = visitor.index
        visitor.legs.append(
            Leg(
                service=visitor.services[0],
                queued=self.clock.now(),
                estimate=ticket["estimated_wait_minutes"],
                booked=visitor.appointments[0] if visitor.appointments else None,
            )
        )
        self.wake_idle()

    async def on_free(self, event: Event) -> None:
        counter = event.counter
        response = await self.api.post(
            self.site_path(f"counters/{counter}/call-next"), expect=[200, 204]
        )
        if response.status_code != 200:
            self.idle.add(counter)
            return
        ticket = response.json()["ticket"]
        index = self.by_ticket.get(int(ticket["id"]))
        if index is None:
            self.api.problems.append(f"call-next gave ticket {ticket['id']}, issued by nobody")
            self.idle.add(counter)
            return
        visitor = self.visitors[index]
        if index in self.at_counter.values() or ticket["status"] != "called":
            self.api.problems.append(f"{visitor.number} called twice at once ({ticket['status']})")
        leg = visitor.legs[-1]
        leg.called = self.clock.now()
        self.at_counter[counter] = index
        self.called_since[counter] = self.clock.now()
        if visitor.served == 0 and visitor.no_show:
            self.schedule(self.clock.now() + RECALL_AFTER, "recall", counter=counter)
        else:
            minutes = visitor.service_minutes[visitor.served]
            self.schedule(self.clock.now() + timedelta(minutes=minutes), "finish", counter=counter)

    def leave_counter(self, counter: int) -> Visitor:
        visitor = self.visitors[self.at_counter.pop(counter)]
        since = self.called_since.pop(counter)
        self.busy[counter] += int((self.clock.now() - since).total_seconds())
        self.schedule(self.clock.now() + TURNAROUND, "free", counter=counter)
        return visitor

    async def on_recall(self, event: Event) -> None:
        visitor = self.visitors[self.at_counter[event.counter]]
        await self.api.post(f"/api/v1/tickets/{visitor.ticket_id}/recall", expect=[200])
        self.schedule(self.clock.now() + NO_SHOW_AFTER, "no-show", counter=event.counter)

    async def on_no_show(self, event: Event) -> None:
        visitor = self.leave_counter(event.counter)
        response = await self.api.post(f"/api/v1/tickets/{visitor.ticket_id}/no-show", expect=[200])
        if response.status_code == 200 and response.json()["ticket"]["status"] != "no_show":
            self.api.problems.append(f"{visitor.number}: no-show answered {response.text[:200]}")
        visitor.outcome = "no_show"

    async def on_finish(self, event: Event) -> None:
        visitor = self.leave_counter(event.counter)
        response = await self.api.post(f"/api/v1/tickets/{visitor.ticket_id}/finish", expect=[200])
        if response.status_code != 200:
            return
        ticket = response.json()["ticket"]
        visitor.served += 1
        if visitor.served == len(visitor.services):
            if ticket["status"] != "done":
                self.api.problems.append(f"{visitor.number} finished, but {ticket['status']}")
            visitor.outcome = "done"
            return
        if ticket["status"] != "waiting" or ticket["queue"] != visitor.services[visitor.served]:
            self.api.problems.append(
                f"{visitor.number} should wait for {visitor.services[visitor.served]}, "
                f"is {ticket['status']} in {ticket['queue']}"
            )
        booked = visitor.appointments[visitor.served] if visitor.appointments else None
        visitor.legs.append(
            Leg(
                service=visitor.services[visitor.served],
                queued=self.clock.now(),
                estimate=ticket["estimated_wait_minutes"],
                booked=booked,
            )
        )
        self.wake_idle()


# --- figures ------------------------------------------------------------------------


def nearest_rank(values: Sequence[float], fraction: float) -> float:
    return harness.percentile(sorted(values), fraction)


def error_figures(legs: Sequence[Leg]) -> dict[str, Any]:
    """Estimate minus real wait, in minutes, of the legs that were called."""
    pairs = [
        (leg.estimate, leg.wait_minutes)
        for leg in legs
        if leg.estimate is not None and leg.wait_minutes is not None
    ]
    missing = sum(1 for leg in legs if leg.estimate is None and leg.called is not None)
    if not pairs:
        return {"n": 0, "missing": missing}
    errors = [estimate - wait for estimate, wait in pairs]
    absolute = [abs(e) for e in errors]
    return {
        "n": len(pairs),
        "missing": missing,
        "median_abs": round(statistics.median(absolute), 1),
        "p90_abs": round(nearest_rank(absolute, 0.9), 1),
        "mean_signed": round(statistics.fmean(errors), 1),
        "under": sum(1 for e in errors if e < -5),  # estimate over 5 min too short
        "over": sum(1 for e in errors if e > 5),
    }


def wait_figures(legs: Sequence[Leg]) -> dict[str, Any]:
    waits = [w for w in (leg.wait_minutes for leg in legs) if w is not None]
    if not waits:
        return {"n": 0}
    return {
        "n": len(waits),
        "mean": round(statistics.fmean(waits), 1),
        "median": round(statistics.median(waits), 1),
        "p90": round(nearest_rank(waits, 0.9), 1),
        "max": round(max(waits), 1),
    }


def queue_figures(legs: Sequence[Leg]) -> dict[str, Any]:
    """One queue: its waits (first and hand-on legs alike) and the estimates' error."""
    waits = wait_figures(legs)
    errors = error_figures(legs)
    return {
        "n": waits["n"],
        "wait_median": waits.get("median"),
        "wait_max": waits.get("max"),
        "error_median_abs": errors.get("median_abs"),
        "error_mean_signed": errors.get("mean_signed"),
    }


def booked_figures(visitors: Sequence[Visitor]) -> dict[str, Any]:
    """Booked visitors who checked in in time (not moved to the walk-in line) and came
    when called: called at the latest 10 minutes after the booked time?"""
    first = [
        v.legs[0]
        for v in visitors
        if v.booked and not v.moved_to_walk_in and v.legs and v.outcome == "done"
    ]
    every = [
        leg
        for v in visitors
        if v.booked and not v.moved_to_walk_in and v.outcome == "done"
        for leg in v.legs
        if leg.booked is not None
    ]

    def on_time(legs: Sequence[Leg]) -> float | None:
        timed = [(leg.called, leg.booked) for leg in legs if leg.called and leg.booked]
        if not timed:
            return None
        hits = sum(1 for called, booked in timed if called <= booked + ON_TIME)
        return round(100 * hits / len(timed), 1)

    lateness = [
        (leg.called - leg.booked).total_seconds() / 60
        for leg in first
        if leg.called is not None and leg.booked is not None
    ]
    return {
        "n": len(first),
        "within_10_min_pct": on_time(first),
        "every_appointment_n": len(every),
        "every_appointment_within_10_min_pct": on_time(every),
        "called_early_pct": (
            round(100 * sum(1 for m in lateness if m < 0) / len(lateness), 1) if lateness else None
        ),
        "late_median_min": round(statistics.median(lateness), 1) if lateness else None,
        "late_p90_min": round(nearest_rank(lateness, 0.9), 1) if lateness else None,
        "late_max_min": round(max(lateness), 1) if lateness else None,
    }


@dataclass
class Day:
    """One simulated day: its visitors, its desk (busy times, events) and figures of it."""

    day: date
    visitors: list[Visitor]
    desk: Desk
    unbooked: int
    seconds: float


def pooled(days: Sequence[Day]) -> dict[str, Any]:
    visitors = [v for d in days for v in d.visitors]
    served = [v for v in visitors if v.outcome == "done"]
    first = [v.legs[0] for v in served]
    hand_on = [leg for v in served for leg in v.legs[1:]]
    opening = len(days) * (local(days[0].day, CLOSES) - local(days[0].day, OPENS)).total_seconds()
    counters = days[0].desk.counters
    return {
        "visitors": {
            "total": len(visitors),
            "booked": sum(1 for v in visitors if v.booked),
            "walk_in": sum(1 for v in visitors if not v.booked),
            "one_stop": sum(1 for v in visitors if len(v.services) > 1),
            "services": sum(len(v.services) for v in visitors),
            "booked_too_late": sum(1 for v in visitors if v.moved_to_walk_in),
            "no_shows": sum(1 for v in visitors if v.outcome == "no_show"),
            "unbooked": sum(d.unbooked for d in days),
        },
        "estimate_error_min": {
            "all": error_figures(first),
            "booked": error_figures([v.legs[0] for v in served if v.booked]),
            "walk_in": error_figures([v.legs[0] for v in served if not v.booked]),
            "hand_on": error_figures(hand_on),
        },
        "booked_on_time": booked_figures(visitors),
        "wait_min": {
            "all": wait_figures(first),
            "booked": wait_figures([v.legs[0] for v in served if v.booked]),
            "walk_in": wait_figures([v.legs[0] for v in served if not v.booked]),
            "hand_on": wait_figures(hand_on),
        },
        "by_queue": {
            service.slug: queue_figures(
                [leg for v in served for leg in v.legs if leg.service == service.slug]
            )
            for service in SERVICES
        },
        "counters_busy_pct": {
            name: round(100 * sum(d.desk.busy[counter] for d in days) / opening)
            for counter, name in counters.items()
        },
    }


def day_line(day: Day) -> dict[str, Any]:
    """The headline figures of one day."""
    served = [v for v in day.visitors if v.outcome == "done"]
    calls = [leg.called for v in day.visitors for leg in v.legs if leg.called]
    return {
        "day": day.day.isoformat(),
        "error_median_abs": error_figures([v.legs[0] for v in served]).get("median_abs"),
        "booked_within_10_min_pct": booked_figures(day.visitors)["within_10_min_pct"],
        "wait_median": wait_figures([v.legs[0] for v in served]).get("median"),
        "wait_max": wait_figures([v.legs[0] for v in served]).get("max"),
        "last_call": max(calls).astimezone(TZ).strftime("%H:%M") if calls else None,
        "seconds": round(day.seconds, 1),
    }


# --- verification -------------------------------------------------------------------


def day_problems(day: Day) -> list[str]:
    """What the simulation saw go wrong on one day (besides the answers' own problems)."""
    problems = []
    # A day has fewer minutes than this: an estimate above it came from the real clock.
    longest = max((leg.estimate or 0 for v in day.visitors for leg in v.legs), default=0)
    if longest > 24 * 60:
        problems.append(f"an estimate of {longest} minutes: not everything read wcr.clock")
    problems.extend(
        f"{day.day}: visitor {v.index} ({v.number}) ended {v.outcome}"
        for v in day.visitors
        if v.outcome not in {"done", "no_show"}
    )
    return problems


async def queue_left(api: Api) -> list[str]:
    queue = await api.get(f"/api/v1/sites/{SITE}/queue")
    if queue.status_code != 200:
        return [f"GET queue: {queue.status_code}"]
    body = queue.json()
    left = sum(len(q["waiting"]) for q in body["queues"]) + len(body["called"])
    return [f"{left} tickets still waiting or at a counter at the end"] if left else []


def instant(value: datetime | str | None) -> datetime | None:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return None if value is None else value.astimezone(UTC)


async def database_problems(days: Sequence[Day]) -> list[str]:
    """One ticket per visitor, its times on the simulated days, and one service given
    (outcome done) per service of each visitor who was served."""
    from wcr.queue.tables import Ticket, TicketStep  # noqa: PLC0415

    problems = []
    visitors = [v for d in days for v in d.visitors]
    rows = await Ticket.select(Ticket.id, Ticket.created_at, Ticket.called_at, Ticket.finished_at)
    if len(rows) != len(visitors):
        problems.append(f"{len(rows)} tickets for {len(visitors)} visitors")
    start = local(days[0].day, OPENS) - timedelta(hours=1)
    end = local(days[-1].day, OPENS) + timedelta(hours=16)
    for row in rows:
        for column in ("created_at", "called_at", "finished_at"):
            value = instant(row[column])
            if value is not None and not start <= value <= end:
                problems.append(f"ticket {row['id']}: {column} {value} is not on the days")
                break
    steps = Counter(
        int(r["ticket"])
        for r in await TicketStep.select(TicketStep.ticket).where(TicketStep.outcome == "done")
    )
    for visitor in visitors:
        if visitor.ticket_id is None:
            continue
        wanted = len(visitor.services) if visitor.outcome == "done" else 0
        if steps.get(visitor.ticket_id, 0) != wanted:
            problems.append(
                f"{visitor.number}: {steps.get(visitor.ticket_id, 0)} services given, not {wanted}"
            )
    return problems


# --- report -------------------------------------------------------------------------


def print_report(options: Options, run: dict[str, Any], found: dict[str, Any]) -> None:
    v = found["visitors"]
    span = run["days"][0]["day"] + (
        f" to {run['days'][-1]['day']} ({len(run['days'])} days)" if len(run["days"]) > 1 else ""
    )
    print(
        f"\nday        {span} at {SITE}, 4 counters, {v['total']} visitors "
        f"({v['booked']} booked, {v['walk_in']} walk-in; {v['one_stop']} one-stop; "
        f"{v['services']} services), seed {options.seed}"
    )
    print(
        f"           {v['booked_too_late']} booked came too late (walk-in line), "
        f"{v['no_shows']} no-shows, {v['unbooked']} found no slot and came as walk-ins"
    )
    print(
        f"run        {run['database']}, {run['requests']} requests, {run['events']} events, "
        f"{run['seconds']:.1f} s real time"
    )
    if len(run["days"]) > 1:
        print("\n  day          median |e|   booked in 10 min   median wait   max wait   last call")
        for d in run["days"]:
            cells = {k: "-" if x is None else str(x) for k, x in d.items()}
            print(
                f"  {d['day']}   {cells['error_median_abs']:>10}   "
                f"{cells['booked_within_10_min_pct']:>14} %   {cells['wait_median']:>11}   "
                f"{cells['wait_max']:>8}   {cells['last_call']:>9}"
            )
    else:
        print(f"           last call {run['days'][0]['last_call']}")
    print("\nestimate error (estimate - real wait until called), minutes")
    print("  group       n    median |e|   p90 |e|   mean e   >5 short  >5 long")
    for name, label in [
        ("all", "all"),
        ("booked", "booked"),
        ("walk_in", "walk-in"),
        ("hand_on", "hand-on"),
    ]:
        e = found["estimate_error_min"][name]
        if not e["n"]:
            print(f"  {label:<9} {0:>3}")
            continue
        print(
            f"  {label:<9} {e['n']:>3}   {e['median_abs']:>8.1f}   {e['p90_abs']:>7.1f}   "
            f"{e['mean_signed']:>6.1f}   {e['under']:>7}  {e['over']:>7}"
        )
    missing = sum(found["estimate_error_min"][k]["missing"] for k in ("all", "hand_on"))
    if missing:
        print(f"  ({missing} called tickets had no estimate)")
    b = found["booked_on_time"]
    print("\nbooked visitors (checked in in time, served)")
    print(
        f"  called within 10 min of the booked time   {b['within_10_min_pct']} % of {b['n']}"
        f"  (every appointment of the visit: {b['every_appointment_within_10_min_pct']} %"
        f" of {b['every_appointment_n']})"
    )
    print(
        f"  called - booked time, minutes             median {b['late_median_min']}  "
        f"p90 {b['late_p90_min']}  max {b['late_max_min']}; "
        f"{b['called_early_pct']} % called before their time"
    )
    print("\nwaits until called, minutes")
    print("  group       n     mean   median     p90     max")
    for name, label in [
        ("all", "all"),
        ("booked", "booked"),
        ("walk_in", "walk-in"),
        ("hand_on", "hand-on"),
    ]:
        w = found["wait_min"][name]
        if not w["n"]:
            print(f"  {label:<9} {0:>3}")
            continue
        print(
            f"  {label:<9} {w['n']:>3}   {w['mean']:>6.1f}   {w['median']:>6.1f}  "
            f"{w['p90']:>6.1f}  {w['max']:>6.1f}"
        )
    print("\nby queue (every wait in it), minutes")
    print("  queue                      n   median wait   max wait   median |e|   mean e")
    for slug, q in found["by_queue"].items():
        if not q["n"]:
            print(f"  {slug:<24} {0:>3}")
            continue
        print(
            f"  {slug:<24} {q['n']:>3}   {q['wait_median']:>11.1f}   {q['wait_max']:>8.1f}"
            f"   {q['error_median_abs']:>10.1f}   {q['error_mean_signed']:>6.1f}"
        )
    busy = ", ".join(f"{k} {p} %" for k, p in found["counters_busy_pct"].items())
    print(f"\ncounters busy (of 08:00-16:00): {busy}")


# --- the run ------------------------------------------------------------------------


@asynccontextmanager
async def database(options: Options) -> AsyncIterator[tuple[str, str]]:
    """(URL, description) of a migrated throw-away database."""
    if options.postgres:
        throwaway = harness.ThrowawayDatabase(options.admin_url, DATABASE_PREFIX)
        async with throwaway as url:
            await asyncio.to_thread(harness.migrate, harness.wcr_env(url))
            yield url, f"PostgreSQL {throwaway.name}"
        return
    with tempfile.TemporaryDirectory(prefix="wcr-queue-day-") as folder:
        url = f"sqlite:///{Path(folder) / 'day.sqlite3'}"
        await asyncio.to_thread(harness.migrate, harness.wcr_env(url))
        yield url, "SQLite"


async def log_in(api: Api) -> None:
    login = await api.post(
        "/api/v1/auth/login",
        {"username": STAFF_USER, "password": STAFF_PASSWORD},
        expect=[200],
        headers={},
    )
    if login.status_code != 200:
        raise BenchError(f"login: {login.text[:300]}")
    api.token = login.json()["token"]


async def simulate_day(
    api: Api,
    clock: SimulatedClock,
    setup: tuple[dict[str, str], dict[int, str]],
    day: date,
    visitors: list[Visitor],
) -> Day:
    """The evening before: slots and bookings; then the day at the desk."""
    keys, counters = setup
    clock.set(max(clock.now(), local(day - timedelta(days=1), clock_time(18, 0))))
    slots = await publish_slots(api, keys, day)
    unbooked = await book_visits(api, visitors, slots)
    print(
        f"{day}  {sum(len(s) for s in slots.values())} slots published, "
        f"{sum(1 for v in visitors if v.booked)} visits booked the evening before; the day ...",
        flush=True,
    )
    # The desk's day starts at 07:45, or earlier for a booked visitor who checks in
    # before (30 minutes before an 08:00 appointment is in the site's window).
    clock.set(min([local(day, clock_time(7, 45)), *(v.arrival for v in visitors)]))
    await log_in(api)
    desk = Desk(api, clock, visitors, counters)
    began = time.monotonic()
    await desk.run()
    return Day(day, visitors, desk, unbooked, time.monotonic() - began)


async def run(options: Options) -> bool:
    rng = random.Random(options.seed)
    dates = bench_days(options.days)
    plans = [plan_day(rng, options, day) for day in dates]
    days: list[Day] = []
    problems: list[str] = []
    async with database(options) as (url, described):
        print(f"database   {described}, migrated")
        with tempfile.TemporaryDirectory(prefix="wcr-queue-day-outbox-") as outbox:
            async with running_app(url, Path(outbox)) as app:
                clock = SimulatedClock(local(dates[0] - timedelta(days=1), clock_time(12, 0)))
                with simulated(clock):
                    transport = httpx.ASGITransport(app=app)
                    async with httpx.AsyncClient(
                        transport=transport, base_url=BASE_URL, timeout=REQUEST_TIMEOUT
                    ) as client:
                        api = Api(client)
                        setup = await set_up_site(app.state.engine)
                        for day, visitors in zip(dates, plans, strict=True):
                            days.append(await simulate_day(api, clock, setup, day, visitors))
                            problems += day_problems(days[-1]) + await queue_left(api)
                        problems = api.problems + problems + await database_problems(days)
    found = pooled(days)
    run_facts = {
        "database": described,
        "requests": sum(api.answers.values()),
        "events": sum(d.desk.processed for d in days),
        "seconds": round(sum(d.seconds for d in days), 1),
        "days": [day_line(d) for d in days],
    }
    print_report(options, run_facts, found)
    for problem in problems[:20]:
        print(f"MISMATCH: {problem}")
    if len(problems) > 20:
        print(f"MISMATCH: ... and {len(problems) - 20} more")
    print(f"\nverification {'ok' if not problems else f'{len(problems)} problems'}")
    if options.json:
        harness.print_summary_line(
            {
                "options": harness.options_view(options),
                "run": run_facts,
                **found,
                "answers": dict(sorted(api.answers.items())),
                "problems": problems,
                "ok": not problems,
            }
        )
    return not problems


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    return harness.run_bench(lambda: asyncio.run(run(options)))


if __name__ == "__main__":
    sys.exit(main())
