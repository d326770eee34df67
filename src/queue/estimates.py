"""How long a waiting visitor will wait: the rule, in one place.

The estimate plays the site's desk forward from now: the open counters call the
waiting tickets by the ordering rule (:mod:`.ordering`, with the moment of each
call), each visit taking its line's service time, and a visitor's estimate is the
time until the look-ahead calls them. So it counts what a count of people ahead
cannot: a counter serves its own (rank 1) line before it helps another, a booked
visitor goes ahead of the walk-ins at their time, and one visitor's wait is other
lines' too when counters are shared.

The rule:

1. **Service time** (:func:`service_minutes`): the *trimmed mean* (the middle
   ``1 - 2 * TRIM``) of the last :data:`SAMPLE` finished services of that service at
   the site (past week), so one very quick or very slow visit moves it little and a
   skewed service time is not under-counted as by a median; while there are few
   samples it is blended with the service's booked duration, weight ``n / (n +
   PRIOR_SAMPLES)`` for ``n`` samples. It is never taken below
   :data:`FLOOR_MINUTES`. A worker takes :data:`GAP_MINUTES` between two visitors.
2. **Counters** (:class:`Desk`): only open ones (a paused or closed counter calls
   nobody). An idle one calls now; a busy one when its visitor's service time has
   passed since the call, and at the earliest :data:`MIN_REMAINING` of a service
   from now (a service running long ends soon, not now).
3. **Who else comes** (:func:`replay`): the next :data:`REPLAY` minutes bring the
   visitors of the last :data:`REPLAY` minutes again (each line, walk-ins and booked
   check-ins, with their due times moved on as much), repeated up to
   :data:`REPLAYS` times: they take shared counters for their lines, and booked ones
   go ahead at their time, as the real ones will. A walk-in who comes later never
   goes ahead of one who waits now in the same line.
4. **Look-ahead** (:func:`call_times`): the counter free first calls, by the
   ordering rule at that moment, among the tickets (real and replayed, the latter
   once they have arrived) of its profile; a counter with nothing to call stops.
   A ticket no counter calls (nobody open serves its line) has no estimate (None).
5. **Floor** (:func:`site_waits`): someone the look-ahead calls after ``ahead``
   others of their line never sees less than ``ahead * FLOOR_MINUTES / counters``
   (the open counters of the line), and at least :data:`MIN_WAIT_AHEAD` minutes: a
   single quick finish must not say "≈0 min" to the fifth in line.

Booked visitors so come out at about their booked time (they are due from a few
minutes before it), or earlier when the counters run out of walk-ins, or later when
their line is very long (the walk-ins' cap of :mod:`.ordering`). Rounded up to whole
minutes. What it leaves out: a one-stop visitor's later services (they join the next
line only when handed on), bookings not yet checked in beyond what the replay
brings, no-shows, and pauses to come.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from . import ordering

SAMPLE = 20  # recent services of a line the service time is taken over
TRIM = 0.1  # of the samples cut at each end before the mean
PRIOR_SAMPLES = 5  # how many samples the booked duration weighs as
FLOOR_MINUTES = 3.0  # no service is estimated quicker than this per person
MIN_WAIT_AHEAD = 2  # minutes, for anyone with someone ahead
GAP_MINUTES = 0.5  # a worker between two visitors
MIN_REMAINING = 0.25  # of a service time: the least a busy counter still needs
REPLAY = timedelta(minutes=30)  # the recent arrivals taken as the coming ones
REPLAYS = 3  # how often the recent arrivals are repeated ahead


def service_minutes(samples: Sequence[float], booked_minutes: float) -> float:
    """Minutes per visitor of one service: the trimmed mean of ``samples`` (recent
    services, minutes, the latest first), blended with ``booked_minutes`` while there
    are few, never under the floor."""
    booked = max(float(booked_minutes), FLOOR_MINUTES)
    recent = sorted(list(samples)[:SAMPLE])
    if not recent:
        return booked
    cut = int(len(recent) * TRIM)
    kept = recent[cut : len(recent) - cut] or recent
    weight = len(recent) / (len(recent) + PRIOR_SAMPLES)
    blended = weight * (sum(kept) / len(kept)) + (1 - weight) * booked
    return max(blended, FLOOR_MINUTES)


@dataclass(frozen=True)
class Waiting:
    """A ticket as the look-ahead sees it (``booked``: an appointment checked in on
    time; ``arrives``: when a replayed ticket joins, None for a real one)."""

    id: int
    service_id: int
    due_at: datetime
    booked: bool = False
    priority: bool = False
    arrives: datetime | None = None


@dataclass(frozen=True)
class Desk:
    """An open counter: its work profile (service id -> rank) and when it can call."""

    id: int
    ranks: Mapping[int, int]
    free_at: datetime


def free_at(at: datetime, called_at: datetime | None, minutes: float) -> datetime:
    """When a counter can call next (rule 2): now if idle (``called_at`` None), else
    when its visitor's service time has passed, at the earliest a little from now."""
    if called_at is None:
        return at
    end = called_at + timedelta(minutes=minutes)
    return max(end, at + timedelta(minutes=MIN_REMAINING * minutes))


def replay(recent: Iterable[Waiting], at: datetime) -> list[Waiting]:
    """The coming arrivals (rule 3): ``recent`` (tickets that joined a line in the
    last :data:`REPLAY`, ``arrives`` set to when they joined) again, each round
    :data:`REPLAY` later, with ids below zero."""
    since = at - REPLAY
    joined = [w for w in recent if w.arrives is not None and since < w.arrives <= at]
    coming: list[Waiting] = []
    for round_ in range(1, REPLAYS + 1):
        shift = REPLAY * round_
        for ticket in joined:
            assert ticket.arrives is not None  # noqa: S101 - filtered above
            coming.append(
                replace(
                    ticket,
                    id=-(len(coming) + 1),
                    due_at=ticket.due_at + shift,
                    arrives=ticket.arrives + shift,
                )
            )
    return coming


def call_times(
    waiting: Iterable[Waiting],
    desks: Iterable[Desk],
    minutes: Mapping[int, float],
    at: datetime,
) -> dict[int, datetime]:
    """When the look-ahead (rule 4) calls each ticket, by id (those it never calls are
    left out)."""
    tickets = list(waiting)
    free = {desk.id: max(desk.free_at, at) for desk in desks}
    profiles = {desk.id: desk.ranks for desk in desks}
    called: dict[int, datetime] = {}
    left = {ticket.id: ticket for ticket in tickets}
    pending = [t for t in tickets if t.arrives is not None and t.arrives > at]
    while free and any(t.id > 0 for t in left.values()):
        counter = min(free, key=lambda c: (free[c], c))
        moment = free[counter]
        ranks = profiles[counter]
        candidates = [
            t
            for t in left.values()
            if t.service_id in ranks and (t.arrives is None or t.arrives <= moment)
        ]
        if not candidates:
            upcoming = [
                t.arrives
                for t in pending
                if t.id in left and t.service_id in ranks and t.arrives is not None
            ]
            if upcoming:  # idle until the next replayed visitor of its lines
                free[counter] = min(upcoming)
            else:
                del free[counter]
            continue
        pick = min(
            candidates,
            key=lambda t: ordering.call_key(
                priority=t.priority,
                rank=ranks[t.service_id],
                booked=t.booked,
                due_at=t.due_at,
                ticket_id=t.id,
                now=moment,
            ),
        )
        del left[pick.id]
        called[pick.id] = moment
        free[counter] = moment + timedelta(minutes=minutes.get(pick.service_id, FLOOR_MINUTES))
        free[counter] += timedelta(minutes=GAP_MINUTES)
    return {ticket_id: moment for ticket_id, moment in called.items() if ticket_id > 0}


@dataclass
class Site:
    """What the estimates of a site need: its lines (waiting tickets in the order
    shown), open counters, service times and the recent arrivals."""

    at: datetime
    lines: Mapping[int, Sequence[Waiting]]
    desks: Sequence[Desk]
    minutes: Mapping[int, float]
    recent: Sequence[Waiting] = field(default_factory=list)


def site_waits(site: Site) -> dict[int, int | None]:
    """Whole minutes until each waiting ticket is called, by ticket id (rules 4, 5)."""
    real = [ticket for line in site.lines.values() for ticket in line]
    times = call_times([*real, *replay(site.recent, site.at)], site.desks, site.minutes, site.at)
    waits: dict[int, int | None] = {}
    for service_id, line in site.lines.items():
        counters = sum(1 for desk in site.desks if service_id in desk.ranks)
        ranked = sorted((times[t.id], t.id) for t in line if t.id in times)
        for ahead, (moment, ticket_id) in enumerate(ranked):
            wait = (moment - site.at).total_seconds() / 60
            if ahead > 0:
                wait = max(wait, ahead * FLOOR_MINUTES / counters, float(MIN_WAIT_AHEAD))
            waits[ticket_id] = math.ceil(wait - 1e-9)
        for ticket in line:
            waits.setdefault(ticket.id, None)
    return waits
