"""A month at a centre, made through the real API with the system's clock simulated.

Two sites (Bochum, Neuss), two agencies with a service each (registration at the
citizens' office, recognition advice at the IHK). October 2026 (the clocks go back on
Sunday the 25th) is published and booked from late September, then every weekday is
played at the desk: booked visitors check in (some late, some never), walk-ins arrive
(some for both services, some do not answer the call), the counters call, serve and
finish; a one-stop visitor goes on to the next line with the same ticket. Bookings are
cancelled, rescheduled and partly dropped on the way; on three days a place given up
is offered on the waitlist, runs out with the first and is booked by the second.
Languages vary.
"""

from __future__ import annotations

import random
from collections import Counter as Counter_
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import httpx
from litestar import Litestar

from tests.conftest import BERLIN
from wcr import clock
from wcr.accounts.public import create_staff
from wcr.catalogue.public import create_agency_key, serve_site
from wcr.catalogue.tables import Agency, Service, Site
from wcr.config import SUPPORTED_LANGUAGES
from wcr.queue.setup import add_counter
from wcr.waitlist.public import sweep

PASSWORD = "correct horse battery"
FIRST = date(2026, 10, 1)
LAST = date(2026, 10, 31)
AUTUMN = date(2026, 10, 25)  # a Sunday: 03:00 summer time becomes 02:00 winter time
PUBLISHED_AT = datetime(2026, 9, 20, 9, 0, tzinfo=BERLIN)
# When the figures are read: every day of the month is over.
READ_AT = datetime(2026, 11, 9, 12, 0, tzinfo=BERLIN)


class SimulatedClock:
    def __init__(self, at: datetime) -> None:
        self.at = at.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.at

    def set(self, at: datetime) -> None:
        self.at = at.astimezone(UTC)


@contextmanager
def simulated(at: datetime) -> Iterator[SimulatedClock]:
    source = SimulatedClock(at)
    with clock.using(source):
        yield source


@dataclass
class Centre:
    client: httpx.AsyncClient
    tokens: dict[str, str]  # username -> staff token
    keys: dict[str, str]  # service slug -> its agency's key
    counters: dict[str, list[int]]  # site -> counter ids
    engine: Any = None  # the seeding app's (the waitlist's sweep is the worker's)

    def staff(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    async def get(self, path: str, username: str = "boss", **params: str) -> httpx.Response:
        return await self.client.get(path, params=params, headers=self.staff(username))

    async def post(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        return await self.client.post(f"/api/v1{path}", json=body, headers=self.staff("boss"))


async def set_up_centre(app: Litestar, client: httpx.AsyncClient) -> Centre:
    """Sites, agencies, services, counters and staff; tokens signed in now (a session
    lasts 12 hours from the real time, so it holds over the whole simulated month)."""
    await Site.insert(
        Site(slug="bochum", name="Welcome Office Bochum", address="Universitätsstraße 43"),
        Site(slug="neuss", name="WCR Neuss", address="Friedrichstraße 40"),
    )
    agencies = await Agency.insert(
        Agency(slug="citizens-office", name="Bürgerbüro"), Agency(slug="ihk", name="IHK")
    ).returning(Agency.id)
    await Service.insert(
        Service(
            slug="registration",
            agency=agencies[0]["id"],
            duration_minutes=20,
            names='{"de": "Wohnsitzanmeldung", "en": "Residence registration", '
            '"ar": "تسجيل السكن"}',
        ),
        Service(
            slug="recognition",
            agency=agencies[1]["id"],
            duration_minutes=30,
            names='{"de": "Anerkennungsberatung", "en": "Recognition advice"}',
        ),
    )
    for agency in ("citizens-office", "ihk"):
        for site in ("bochum", "neuss"):
            assert await serve_site(agency, site)
    engine = app.state.engine
    counters = {
        "bochum": [
            await add_counter(engine, "bochum", "Schalter 1", ["registration", "recognition"]),
            await add_counter(engine, "bochum", "Schalter 2", ["recognition"]),
        ],
        "neuss": [await add_counter(engine, "neuss", "Desk A", ["registration"])],
    }
    accounts: dict[str, tuple[str, str | None]] = {
        "boss": ("admin", None),
        "clerk": ("frontdesk", "bochum"),
        "bochum-admin": ("site_admin", "bochum"),
        "neuss-admin": ("site_admin", "neuss"),
    }
    tokens = {}
    for username, (role, home) in accounts.items():
        await create_staff(username, PASSWORD, role, home)
        response = await client.post(
            "/api/v1/auth/login", json={"username": username, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        tokens[username] = response.json()["token"]
    keys = {
        "registration": await create_agency_key("citizens-office"),
        "recognition": await create_agency_key("ihk"),
    }
    return Centre(
        client=client, tokens=tokens, keys=keys, counters=counters, engine=app.state.engine
    )


# --- publishing and booking -----------------------------------------------------------


async def publish(centre: Centre, body: dict[str, Any]) -> dict[tuple[str, datetime], int]:
    service = body["service"]
    response = await centre.client.post(
        "/api/v1/agency/slots",
        json=body,
        headers={"Authorization": f"Bearer {centre.keys[service]}"},
    )
    assert response.status_code == 201, response.text
    return {
        (service, datetime.fromisoformat(s["start"]).astimezone(UTC)): int(s["id"])
        for s in response.json()["slots"]
    }


@dataclass
class Booked:
    reference: str
    token: str
    slot_ids: list[int]

    @property
    def manage(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def book(centre: Centre, slot_ids: list[int], language: str, n: int) -> Booked:
    body: dict[str, Any] = {
        "name": f"Person {n}",
        "email": f"person{n}@example.org",
        "language": language,
    }
    body |= {"slot_id": slot_ids[0]} if len(slot_ids) == 1 else {"slot_ids": slot_ids}
    response = await centre.client.post("/api/v1/bookings", json=body)
    assert response.status_code == 201, response.text
    answer = response.json()
    return Booked(answer["reference"], answer["manage_token"], slot_ids)


def at(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), tzinfo=BERLIN)


# --- a day at the desk ------------------------------------------------------------------


@dataclass
class Arrival:
    moment: datetime
    site: str
    services: list[str] = field(default_factory=list)  # a walk-in's
    language: str = "de"
    answers_call: bool = True
    checkin: str | None = None  # a booking's reference


@dataclass
class Counter:
    site: str
    id: int
    services: frozenset[str]
    ticket: int | None = None
    until: datetime | None = None
    no_show: bool = False
    # A desk worker takes a breath between two visitors.
    ready: datetime | None = None


# The work profiles of set_up_centre's counters, in its order.
PROFILES = {
    "bochum": [frozenset({"registration", "recognition"}), frozenset({"recognition"})],
    "neuss": [frozenset({"registration"})],
}


@dataclass
class Plan:
    """What the seed did, to check the figures against what was meant."""

    bookings: int = 0
    appointments: int = 0
    cancelled_bookings: int = 0
    dropped: int = 0
    rescheduled: int = 0
    never_came: int = 0
    walk_ins: Counter_[str] = field(default_factory=Counter_)  # per site
    no_shows_at_desk: Counter_[str] = field(default_factory=Counter_)
    late: int = 0
    finished: Counter_[str] = field(default_factory=Counter_)
    languages: set[str] = field(default_factory=set)
    waitlist_offers: int = 0
    waitlist_claimed: int = 0
    waitlist_lapsed: int = 0


@dataclass
class Day:
    """One day at the desks: arrivals come at their times; idle counters call next when
    someone waits in one of their lines (after a short breath), busy ones finish, or
    mark the visitor who does not answer a no-show two minutes after the call."""

    centre: Centre
    source: SimulatedClock
    rng: random.Random
    plan: Plan
    counters: list[Counter] = field(default_factory=list)
    silent: set[int] = field(default_factory=set)  # tickets that never answer
    waiting: Counter_[tuple[str, str]] = field(default_factory=Counter_)  # (site, service)

    def __post_init__(self) -> None:
        self.counters = [
            Counter(site, cid, PROFILES[site][n])
            for site, ids in self.centre.counters.items()
            for n, cid in enumerate(ids)
        ]

    def may_call(self, counter: Counter) -> bool:
        return counter.ticket is None and any(
            self.waiting[(counter.site, s)] for s in counter.services
        )

    def next_moment(self, pending: list[Arrival]) -> datetime:
        now = self.source.at
        moments = [a.moment for a in pending[:1]] + [c.until for c in self.counters if c.until]
        moments += [
            c.ready for c in self.counters if self.may_call(c) and c.ready and c.ready > now
        ]
        return max(now, min(moments))

    async def arrive(self, arrival: Arrival) -> None:
        if arrival.checkin:
            body: dict[str, Any] = {"reference": arrival.checkin}
            response = await self.centre.post(f"/sites/{arrival.site}/checkins", body)
        else:
            body = {"services": arrival.services, "language": arrival.language}
            response = await self.centre.post(f"/sites/{arrival.site}/tickets", body)
            self.plan.walk_ins[arrival.site] += 1
        assert response.status_code == 201, response.text
        ticket = response.json()["ticket"]
        self.waiting[(arrival.site, ticket["queue"])] += 1
        if not arrival.answers_call:
            self.silent.add(ticket["id"])
        now = self.source.at
        for counter in self.counters:  # a free desk looks up after a moment
            idle = counter.ticket is None and (counter.ready is None or counter.ready <= now)
            if counter.site == arrival.site and idle:
                counter.ready = now + timedelta(seconds=self.rng.randint(30, 240))

    async def end_service(self, counter: Counter) -> None:
        action = "no-show" if counter.no_show else "finish"
        response = await self.centre.post(f"/tickets/{counter.ticket}/{action}")
        assert response.status_code == 200, response.text
        ticket = response.json()["ticket"]
        if ticket["status"] == "waiting":  # on to the next agency of the visit
            self.waiting[(counter.site, ticket["queue"])] += 1
        self.plan.no_shows_at_desk[counter.site] += counter.no_show
        self.plan.finished[counter.site] += not counter.no_show
        counter.ticket, counter.until = None, None
        counter.ready = self.source.at + timedelta(seconds=self.rng.randint(20, 150))

    async def call(self, counter: Counter) -> None:
        path = f"/sites/{counter.site}/counters/{counter.id}/call-next"
        response = await self.centre.post(path)
        assert response.status_code == 200, response.text
        ticket = response.json()["ticket"]
        self.waiting[(counter.site, ticket["queue"])] -= 1
        counter.ticket = ticket["id"]
        counter.no_show = counter.ticket in self.silent
        minutes = 2 if counter.no_show else self.rng.randint(4, 22)
        seconds = self.rng.randint(0, 59)
        counter.until = self.source.at + timedelta(minutes=minutes, seconds=seconds)

    async def play(self, arrivals: list[Arrival]) -> None:
        pending = sorted(arrivals, key=lambda a: a.moment)
        while pending or any(c.ticket for c in self.counters) or any(self.waiting.values()):
            self.source.set(self.next_moment(pending))
            now = self.source.at
            while pending and pending[0].moment <= now:
                await self.arrive(pending.pop(0))
            for counter in self.counters:
                if counter.ticket and counter.until and counter.until <= now:
                    await self.end_service(counter)
            for counter in self.counters:
                if self.may_call(counter) and not (counter.ready and counter.ready > now):
                    await self.call(counter)


SlotIds = dict[tuple[str, datetime], int]


async def publish_month(centre: Centre) -> SlotIds:
    """Weekdays 09:00-11:00 (registration) and 10:00-12:00 (recognition) in 30-minute
    slots, and two on the Sunday the clocks go back: just after midnight (summer time)
    and late in the evening (winter time)."""
    slots: SlotIds = {}
    for service, opens, closes in (
        ("registration", "09:00", "11:00"),
        ("recognition", "10:00", "12:00"),
    ):
        slots |= await publish(
            centre,
            {
                "site": "bochum",
                "service": service,
                "from_date": FIRST.isoformat(),
                "to_date": LAST.isoformat(),
                "weekdays": [1, 2, 3, 4, 5],
                "start_time": opens,
                "end_time": closes,
                "slot_minutes": 30,
                "capacity": 1,
            },
        )
    for start in (at(AUTUMN, 0, 30), at(AUTUMN, 23, 30)):
        end = start.astimezone(UTC) + timedelta(minutes=20)
        slots |= await publish(
            centre,
            {
                "site": "bochum",
                "service": "registration",
                "start": start.isoformat(),
                "end": end.isoformat(),
            },
        )
    return slots


@dataclass
class Booker:
    """Books the month's visits, in varied languages, and notes what it did."""

    centre: Centre
    slots: SlotIds
    rng: random.Random
    plan: Plan
    made: int = 0

    def slot(self, service: str, moment: datetime) -> int:
        return self.slots[(service, moment.astimezone(UTC))]

    def language(self) -> str:
        chosen = self.rng.choice(SUPPORTED_LANGUAGES)
        self.plan.languages.add(chosen)
        return chosen

    async def book(self, *visit: tuple[str, datetime]) -> Booked:
        self.made += 1
        self.plan.bookings += 1
        self.plan.appointments += len(visit)
        ids = [self.slot(service, moment) for service, moment in visit]
        return await book(self.centre, ids, self.language(), self.made)

    async def post(self, path: str, booked: Booked, body: dict[str, Any] | None = None) -> None:
        response = await self.centre.client.post(
            f"/api/v1/bookings/{booked.reference}{path}", json=body, headers=booked.manage
        )
        assert response.status_code == 200, response.text

    async def day(self, i: int, day: date) -> list[Arrival]:
        """The i-th weekday's bookings, changed as the day's number says; its arrivals."""
        arrivals: list[Arrival] = []
        a = await self.book(("registration", at(day, 9)))
        a_time = at(day, 8, 55)
        if i % 5 == 2:  # moved to a later time: counts there only
            await self.post(
                "/reschedule", a, {"slot_id": self.slot("registration", at(day, 10, 30))}
            )
            self.plan.rescheduled += 1
            a_time = at(day, 10, 22)
        arrivals.append(Arrival(a_time, "bochum", checkin=a.reference))
        b = await self.book(("registration", at(day, 9, 30)), ("recognition", at(day, 10, 30)))
        if i % 7 == 3:  # the second agency dropped from the one-stop visit
            await self.post(f"/appointments/{b.slot_ids[1]}/cancel", b)
            self.plan.dropped += 1
        arrivals.append(Arrival(at(day, 9, 20), "bochum", checkin=b.reference))
        c = await self.book(("recognition", at(day, 10)))
        if i % 3 == 0:
            await self.post("/cancel", c)
            self.plan.cancelled_bookings += 1
        else:
            arrivals.append(Arrival(at(day, 9, 54), "bochum", checkin=c.reference))
        d = await self.book(("registration", at(day, 10)))
        if i % 4 == 1:
            self.plan.never_came += 1
        else:
            arrivals.append(Arrival(at(day, 9, 52), "bochum", checkin=d.reference))
        e = await self.book(("recognition", at(day, 11)))
        late = i % 6 == 4  # 20 minutes late: the walk-in line, still a booked visitor
        self.plan.late += late
        arrival = at(day, 11, 20) if late else at(day, 10, 55)
        arrivals.append(Arrival(arrival, "bochum", checkin=e.reference))
        return arrivals + self.walk_ins(i, day)

    def walk_ins(self, i: int, day: date) -> list[Arrival]:
        arrivals = [
            Arrival(at(day, 8, 50), "bochum", ["registration"], self.language()),
            # Every fifth day this one does not answer the call.
            Arrival(at(day, 9, 10), "bochum", ["recognition"], self.language(), i % 5 != 0),
            Arrival(at(day, 9, 5), "neuss", ["registration"], self.language()),
        ]
        if i % 2 == 0:  # a walk-in for both agencies
            both = ["registration", "recognition"]
            arrivals.append(Arrival(at(day, 9, 40), "bochum", both, self.language()))
        return arrivals


# Days a place at 10:30 (registration, free there) is taken, given up and offered.
WAITLIST_DAYS = (date(2026, 10, 2), date(2026, 10, 8), date(2026, 10, 15))


async def wait_for(centre: Centre, day: date, n: str) -> dict[str, str]:
    response = await centre.client.post(
        "/api/v1/waitlist",
        json={
            "site": "bochum",
            "service": "registration",
            "from": day.isoformat(),
            "to": day.isoformat(),
            "name": f"Waiting {n}",
            "email": f"waiting{n}@example.org",
            "language": "de",
        },
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def waitlist_days(centre: Centre, source: SimulatedClock, booker: Booker) -> None:
    """On each of :data:`WAITLIST_DAYS` two wait for registration; a place is booked
    and cancelled, so it is held for the first, who does not answer: the hold runs out
    (the worker's sweep) and passes on to the second, who books it (and does not come)."""
    plan = booker.plan
    for n, day in enumerate(WAITLIST_DAYS):
        first = await wait_for(centre, day, f"{n}a")
        second = await wait_for(centre, day, f"{n}b")
        booker.made += 1
        taken = await book(
            centre, [booker.slot("registration", at(day, 10, 30))], "de", booker.made
        )
        await booker.post("/cancel", taken)
        plan.bookings += 1
        plan.appointments += 1
        plan.cancelled_bookings += 1
        source.set(source.at + timedelta(minutes=31))
        assert await sweep(centre.engine) >= 1
        claimed = await centre.client.post(
            f"/api/v1/waitlist/{second['reference']}/claim",
            headers={"Authorization": f"Bearer {second['token']}"},
        )
        assert claimed.status_code == 201, claimed.text
        missed = await centre.client.post(
            f"/api/v1/waitlist/{first['reference']}/claim",
            headers={"Authorization": f"Bearer {first['token']}"},
        )
        assert missed.status_code == 409, missed.text
        plan.bookings += 1
        plan.appointments += 1
        plan.never_came += 1
        plan.languages.add("de")
        plan.waitlist_offers += 2
        plan.waitlist_claimed += 1
        plan.waitlist_lapsed += 1


async def seed_month(centre: Centre, seed: int = 13) -> Plan:
    """October 2026 at Bochum (and a walk-in a day at Neuss), played through the API:
    everything is published and booked from September, then each weekday is played."""
    rng = random.Random(seed)
    plan = Plan()
    month = [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)]
    with simulated(PUBLISHED_AT) as source:
        booker = Booker(centre, await publish_month(centre), rng, plan)
        for moment in (at(AUTUMN, 0, 30), at(AUTUMN, 23, 30)):  # nobody comes on a Sunday
            await booker.book(("registration", moment))
            plan.never_came += 1
        days = []
        for i, day in enumerate(d for d in month if d.isoweekday() <= 5):
            source.set(PUBLISHED_AT + timedelta(hours=1 + i))
            days.append(await booker.day(i, day))
        source.set(PUBLISHED_AT + timedelta(days=2))
        await waitlist_days(centre, source, booker)
        for arrivals in days:
            await Day(centre, source, rng, plan).play(arrivals)
    return plan
