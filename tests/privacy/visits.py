"""Visitors with a history: bookings made, cancelled, checked in and served, walk-ins,
remote tickets and their messages, made through the API while the clock is moved back,
and the means to look for every trace of them in the database and the outbox."""

from __future__ import annotations

import json
import os
import time as monotonic_time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from litestar import Litestar

from tests.conftest import BERLIN, World, local
from tests.queue.conftest import Desk
from wcr.booking.tables import Booking
from wcr.catalogue.tables import Site
from wcr.notifications.dispatcher import Dispatcher
from wcr.queue import remote
from wcr.tokens import digest

ALWAYS_OPEN = {str(day): [["00:00", "23:59"]] for day in range(1, 8)}


class Sim:
    """The clock's source for these tests: the system's, or a moment set by the test
    from which time runs on as it really passes (so waits are not all zero)."""

    def __init__(self) -> None:
        self.start: datetime | None = None
        self.set_at = 0.0

    def __call__(self) -> datetime:
        if self.start is None:
            return datetime.now(UTC)
        return self.start + timedelta(seconds=monotonic_time.monotonic() - self.set_at)

    def go(self, moment: datetime | None) -> None:
        """Run from ``moment`` on (``None``: the real time again)."""
        self.start = moment
        self.set_at = monotonic_time.monotonic()


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    phone: str  # as typed
    e164: str

    def needles(self) -> list[str]:
        """What would give the person away: name, address, number in the ways it is
        written, and the hashed keys of the booking limits, remote tickets and the
        daily message cap (unsalted hashes of an address can be looked up)."""
        return [self.name, self.name.split()[-1], *self.address(), *self.number()]

    def address(self) -> list[str]:
        return [self.email, digest(f"email:{self.email}")]

    def number(self) -> list[str]:
        national = "0" + self.e164.removeprefix("+49")
        return [
            self.e164,
            national,
            self.e164.removeprefix("+"),
            digest(f"phone:{self.e164}"),
            digest(f"sms:{self.e164}"),
        ]


OLGA = Person("Olga Oldvisit", "olga.old@example.org", "01512 3456789", "+4915123456789")
RITA = Person("Rita Recentvisit", "rita.recent@example.org", "+49 176 98765432", "+4917698765432")
FIONA = Person("Fiona Futurevisit", "fiona.future@example.org", "0176 24681357", "+4917624681357")


async def send_due(dispatcher: Dispatcher, sim: Sim, outbox: Path) -> int:
    """Send what is due now; the files written get the (moved) clock's time, as they
    would have had when really written then."""
    before = set(outbox.iterdir()) if outbox.is_dir() else set()
    sent = 0
    while handled := await dispatcher.run_once():
        sent += handled
    moment = sim().timestamp()
    for path in set(outbox.iterdir()) - before if outbox.is_dir() else ():
        os.utime(path, (moment, moment))
    return sent


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Visit:
    references: list[str]
    tickets: list[int]
    waiting: list[str]  # waitlist references: the one still open, the one left


async def wait_for(
    world: World, person: Person, service: str, first: date, last: date
) -> dict[str, str]:
    """``person`` joins the waitlist (with address and number, as they booked)."""
    joined = await world.client.post(
        "/api/v1/waitlist",
        json={
            "site": "bochum",
            "service": service,
            "from": first.isoformat(),
            "to": last.isoformat(),
            "name": person.name,
            "email": person.email,
            "phone": person.phone,
            "language": "en",
        },
    )
    assert joined.status_code == 201, joined.text
    return dict(joined.json())


async def served(
    desk: Desk, counter: str, sim: Sim, minutes: int, *, note: str | None = None
) -> dict[str, Any]:
    """The next ticket at ``counter``, called now (the desk noting ``note`` on it) and
    finished ``minutes`` later."""
    called = await desk.call_next(counter)
    assert called.status_code == 200, called.text
    ticket: dict[str, Any] = called.json()["ticket"]
    if note is not None:
        noted = await desk.post(f"/tickets/{ticket['id']}/note", {"note": note})
        assert noted.status_code == 200, noted.text
    sim.go(sim() + timedelta(minutes=minutes))
    finished = await desk.post(f"/tickets/{ticket['id']}/finish")
    assert finished.status_code == 200, finished.text
    return ticket


async def history(
    app: Litestar,
    world: World,
    desk: Desk,
    dispatcher: Dispatcher,
    sim: Sim,
    person: Person,
    day: datetime,
) -> Visit:
    """``person``'s visit to Bochum on ``day`` at 10:00, made through the API as it
    happens: booked the day before (and a second booking, cancelled), checked in and
    served with a note of the desk, then a walk-in with their number and a remote
    ticket with their address, all served; every message sent to the folder outbox."""
    start = local(day.astimezone(BERLIN).date(), 10)
    sim.go(start - timedelta(hours=26))
    slot = await world.slot(start)
    later = await world.slot(start + timedelta(days=2), service=world.recognition)
    contact = {"name": person.name, "email": person.email, "phone": person.phone}
    booked = await world.book(slot, **contact, language="en")
    assert booked.status_code == 201, booked.text
    dropped = await world.book(later, **contact)
    assert dropped.status_code == 201, dropped.text
    reference = dropped.json()["reference"]
    cancelled = await world.client.post(
        f"/api/v1/bookings/{reference}/cancel", headers=bearer(dropped.json()["manage_token"])
    )
    assert cancelled.status_code == 200, cancelled.text
    # The waitlist: one entry stays open (nobody sweeps: it is past its days), and one
    # for the other service the person leaves.
    visit_day = start.astimezone(BERLIN).date()
    still = await wait_for(world, person, "registration", visit_day, visit_day + timedelta(days=1))
    gone = await wait_for(
        world,
        person,
        "recognition",
        visit_day + timedelta(days=3),
        visit_day + timedelta(days=4),
    )
    left = await world.client.delete(
        f"/api/v1/waitlist/{gone['reference']}", headers=bearer(gone["token"])
    )
    assert left.status_code == 204, left.text
    assert await send_due(dispatcher, sim, dispatcher.settings.outbox_dir) >= 4

    sim.go(start - timedelta(minutes=10))
    arrival = {"reference": booked.json()["reference"]}
    checked_in = await desk.post("/sites/bochum/checkins", arrival)
    assert checked_in.status_code == 201, checked_in.text
    sim.go(start + timedelta(minutes=3))
    first = await served(desk, "one", sim, 12, note=f"{person.name} lost a form")

    walk_in = await desk.walk_in(world.recognition, name=person.name, phone=person.phone)
    sim.go(sim() + timedelta(minutes=7))
    assert (await served(desk, "two", sim, 9))["id"] == walk_in["id"]

    await remote.allow(app.state.engine, "bochum", allowed=True)
    await Site.update({Site.opening_hours: json.dumps(ALWAYS_OPEN)}).where(Site.slug == "bochum")
    joined = await world.client.post(
        "/api/v1/sites/bochum/remote-tickets",
        json={"service": world.registration, "name": person.name, "email": person.email},
    )
    assert joined.status_code == 201, joined.text
    sim.go(sim() + timedelta(minutes=4))
    remote_ticket = await served(desk, "one", sim, 6)
    await send_due(dispatcher, sim, dispatcher.settings.outbox_dir)
    return Visit(
        references=[booked.json()["reference"], reference],
        tickets=[first["id"], walk_in["id"], remote_ticket["id"]],
        waiting=[still["reference"], gone["reference"]],
    )


async def future_booking(world: World, person: Person, days: int = 7) -> httpx.Response:
    start = local((datetime.now(UTC) + timedelta(days=days)).astimezone(BERLIN).date(), 11)
    slot = await world.slot(start)
    booked = await world.book(slot, name=person.name, email=person.email, phone=person.phone)
    assert booked.status_code == 201, booked.text
    return booked


# --- looking at everything ------------------------------------------------------------


async def table_names() -> list[str]:
    if Booking._meta.db.engine_type == "sqlite":
        rows = await Booking.raw(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    else:
        rows = await Booking.raw(
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
        )
    return sorted(row["name"] for row in rows)


async def everything() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table of the database (not only the ones Piccolo knows)."""
    return {
        name: await Booking.raw(f'SELECT * FROM "{name}" ORDER BY 1')  # noqa: S608 - names from the catalog
        for name in await table_names()
    }


def _text(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


async def traces(person: Person, outbox: Path, only: list[str] | None = None) -> list[str]:
    """Where ``person`` (or just the ``only`` of their needles) is still to be found:
    ``table.column`` or ``outbox/file``."""
    needles = [needle.casefold() for needle in (only or person.needles())]
    found = set()
    for table, rows in (await everything()).items():
        for row in rows:
            for column, value in row.items():
                text = _text(value).casefold()
                if any(needle in text for needle in needles):
                    found.add(f"{table}.{column}")
    if outbox.is_dir():
        for path in outbox.iterdir():
            text = path.read_bytes().decode(errors="replace").casefold()
            if any(needle in text for needle in needles):
                found.add(f"outbox/{path.name}")
    return sorted(found)


def _tally(rows: list[dict[str, Any]]) -> Counter[tuple[Any, ...]]:
    return Counter(tuple(_text(v) for v in row.values()) for row in rows)


async def statistics() -> dict[str, Counter[tuple[Any, ...]]]:
    """What the statistics count: bookings by status, language, package, site, service
    and day (each appointment's times), tickets by kind, status, day, service and
    language, the steps' waits and transaction times, the messages by kind, channel and
    status, the waitlist's entries (status, offers, site, service, days, times) and
    offers; and how many rows each table of visits has."""
    bookings = await Booking.raw(
        "SELECT b.status, b.language, b.advice_language, b.package, b.company, b.created_at, "
        "b.cancelled_at, b.version, a.status AS held, a.position, s.site, s.service, "
        "s.agency, s.starts_at, s.ends_at FROM booking b "
        "JOIN appointment a ON a.booking = b.id JOIN slot s ON s.id = a.slot"
    )
    tickets = await Booking.raw(
        "SELECT site, day, code, kind, status, service, language, priority, remote, booking, "
        "created_at, called_at, finished_at, recalls, step FROM ticket"
    )
    steps = await Booking.raw(
        "SELECT ticket, site, service, counter, queued_at, called_at, finished_at, outcome "
        "FROM ticket_step"
    )
    messages = await Booking.raw(
        "SELECT booking, ticket, kind, channel, status, due_at, sent_at, attempts, delivery "
        "FROM message"
    )
    waiting = await Booking.raw(
        "SELECT reference, site, service, first_day, last_day, language, status, offers, "
        "booking_reference, created_at, ended_at FROM waitlist_entry"
    )
    holds = await Booking.raw("SELECT entry, slot, status, expires_at FROM waitlist_hold")
    sizes = [
        {"table": name, "rows": len(rows)}
        for name, rows in (await everything()).items()
        if name not in {"contact_lock", "message_quota", "audit_entry"}
    ]
    return {
        "bookings": _tally(bookings),
        "tickets": _tally(tickets),
        "steps": _tally(steps),
        "messages": _tally(messages),
        "waitlist": _tally(waiting),
        "holds": _tally(holds),
        "rows": _tally(sizes),
    }
