"""Finding one-stop itineraries: one free slot per service, back to back, on one day.

The problem
-----------
Given the free slots of k services (2 <= k <= 5) at one site, find itineraries that
take exactly one slot per service such that, in chronological order, every
appointment starts at least ``gap`` after the previous one ends and at most
``max_idle`` after it, every order rule "a before b" holds, and all lie on one local
day. Rank them by total idle time (the sum of the waits between appointments), then
by day, then by start.

The algorithm (exact)
---------------------
Per day, a dynamic programme over (set of services done, last slot). With the slots
sorted by start, ``best[mask][t]`` is the least idle of an itinerary that covers
exactly the services in ``mask`` and ends with slot ``t``:

    best[{svc(t)}][t] = 0                              (t opens the visit)
    best[mask + svc(t)][t] = min over slots s in mask's itineraries with
        s.end + gap <= t.start <= s.end + max_idle  of  best[mask][s] + t.start - s.end

An itinerary's order is its chronological order, so an order rule "a before b" is a
condition on the transition: t's service may follow ``mask`` only if every service
that must precede it is in ``mask``. The idle of every sequence that could follow t
depends on the past only through (mask, t), which is why the programme is exact;
ties are broken towards the earlier first start, so the first option of a day is
optimal under the full ranking.

For a fixed mask and t, the minimum runs over predecessors whose end lies in the
window [t.start - max_idle, t.start - gap]. As t moves forward in time, that window
slides forward, so each mask keeps a monotone deque of candidates ordered by end:
the minimum is at its front, and every candidate enters and leaves it once. A day
with n free slots therefore costs O(2^k * n) steps, not O(2^k * n^2): for 5 services
and a month of realistic slots, a few ten thousand steps in all.

Each day yields its best itinerary per final slot; the days' best few are merged
and cut to ``limit``. Days are independent, and a day whose slots miss a service is
skipped at once.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import groupby, pairwise

# A few options per day, so that a visitor sees a spread of days, not five 09:00s.
DEFAULT_PER_DAY = 3


@dataclass(frozen=True)
class FreeSlot:
    id: int
    service: str
    start: datetime
    end: datetime
    day: date  # the site's local day


@dataclass(frozen=True)
class Rules:
    gap: timedelta = timedelta(minutes=5)
    max_idle: timedelta = timedelta(minutes=60)
    # (before, after): the service ``before`` must come earlier in the visit.
    order: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True)
class Itinerary:
    slots: tuple[FreeSlot, ...]
    idle: timedelta

    @property
    def day(self) -> date:
        return self.slots[0].day

    @property
    def start(self) -> datetime:
        return self.slots[0].start

    @property
    def end(self) -> datetime:
        return self.slots[-1].end

    def rank(self) -> tuple[timedelta, date, datetime, tuple[int, ...]]:
        return (self.idle, self.day, self.start, tuple(s.id for s in self.slots))


def violations(slots: Sequence[FreeSlot], services: Iterable[str], rules: Rules) -> list[str]:
    """Why ``slots`` is not a valid itinerary for ``services`` (empty when it is)."""
    wanted = set(services)
    problems = []
    if sorted(s.service for s in slots) != sorted(wanted):
        problems.append("needs exactly one appointment per requested service")
    ordered = sorted(slots, key=lambda s: (s.start, s.id))
    if len({s.day for s in ordered}) > 1:
        problems.append("all appointments must be on one day")
    for earlier, later in pairwise(ordered):
        wait = later.start - earlier.end
        if wait < rules.gap:
            problems.append(
                f"{later.service} starts less than {minutes(rules.gap)} min after "
                f"{earlier.service} ends"
            )
        elif wait > rules.max_idle:
            problems.append(
                f"more than {minutes(rules.max_idle)} min of waiting before {later.service}"
            )
    position = {s.service: i for i, s in enumerate(ordered)}
    for before, after in rules.order:
        if before in position and after in position and position[before] > position[after]:
            problems.append(f"{before} must come before {after}")
    return problems


def minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)


def search(
    slots: Iterable[FreeSlot],
    services: Sequence[str],
    rules: Rules,
    *,
    limit: int = 5,
    per_day: int = DEFAULT_PER_DAY,
) -> list[Itinerary]:
    """The best itineraries for ``services``, best first (see the module's docstring)."""
    wanted = list(dict.fromkeys(services))
    index = {service: i for i, service in enumerate(wanted)}
    relevant = sorted(
        (s for s in slots if s.service in index), key=lambda s: (s.day, s.start, s.id)
    )
    options: list[Itinerary] = []
    for _, day_slots in groupby(relevant, key=lambda s: s.day):
        options += _best_of_day(list(day_slots), index, rules, per_day)
    options.sort(key=Itinerary.rank)
    return options[:limit]


class _State:
    """The best way found so far to reach (mask, slot); times in epoch seconds."""

    __slots__ = ("first_start", "idle", "previous", "slot", "window_key")

    def __init__(
        self, idle: int, first_start: int, slot: FreeSlot, end: int, previous: _State | None
    ) -> None:
        self.idle = idle
        self.first_start = first_start
        self.slot = slot
        self.previous = previous
        # For one t, idle(t via s) = idle(s) - end(s) + start(t): compare on this.
        self.window_key = (idle - end, first_start)


def _seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def _best_of_day(
    day_slots: list[FreeSlot], index: dict[str, int], rules: Rules, per_day: int
) -> list[Itinerary]:
    if {index[s.service] for s in day_slots} != set(range(len(index))):
        return []  # some service has no free slot that day
    finals = _DaySearch(day_slots, index, rules).run()
    finals.sort(key=lambda s: (s.idle, s.first_start, _seconds(s.slot.start)))
    chosen: list[Itinerary] = []
    seen_starts: set[int] = set()
    for state in finals:
        if state.first_start in seen_starts:
            continue  # the same visit start, only ending differently: not a new choice
        seen_starts.add(state.first_start)
        chosen.append(Itinerary(slots=_unwind(state), idle=timedelta(seconds=state.idle)))
        if len(chosen) == per_day:
            break
    return chosen


class _DaySearch:
    """The dynamic programme of the module docstring, for one day's free slots."""

    def __init__(self, day_slots: list[FreeSlot], index: dict[str, int], rules: Rules) -> None:
        self.slots = day_slots  # ascending start
        self.index = index
        self.full = (1 << len(index)) - 1
        self.needs = [0] * len(index)  # bitmask of the services that must precede service i
        for before, after in rules.order:
            if before in index and after in index:
                self.needs[index[after]] |= 1 << index[before]
        self.gap = int(rules.gap.total_seconds())
        self.max_idle = int(rules.max_idle.total_seconds())
        self.start = {s.id: _seconds(s.start) for s in day_slots}
        self.end = {s.id: _seconds(s.end) for s in day_slots}
        self.by_end = sorted(day_slots, key=lambda s: (self.end[s.id], s.id))
        self.entered = 0  # how many of by_end have been offered to the windows
        self.states: dict[int, dict[int, _State]] = {}  # slot id -> mask -> state
        self.windows: dict[int, deque[tuple[int, _State]]] = {}  # mask -> (end, state)

    def run(self) -> list[_State]:
        finals = []
        for t in self.slots:
            self._offer_predecessors(self.start[t.id] - self.gap)
            reached = self._extend(t)
            if reached:
                self.states[t.id] = reached
                if self.full in reached:
                    finals.append(reached[self.full])
        return finals

    def _offer_predecessors(self, latest_end: int) -> None:
        """Every slot that ended by ``latest_end`` joins the windows of its masks."""
        while self.entered < len(self.by_end):
            s = self.by_end[self.entered]
            if self.end[s.id] > latest_end:
                break
            self.entered += 1
            for mask, state in self.states.get(s.id, {}).items():
                _push(self.windows.setdefault(mask, deque()), self.end[s.id], state)

    def _extend(self, t: FreeSlot) -> dict[int, _State]:
        t_start, t_end, service = self.start[t.id], self.end[t.id], self.index[t.service]
        bit, needs = 1 << service, self.needs[service]
        reached: dict[int, _State] = {}
        if needs == 0:
            reached[bit] = _State(0, t_start, t, t_end, None)
        earliest_end = t_start - self.max_idle
        for mask, window in self.windows.items():
            if mask & bit or needs & ~mask:
                continue
            while window and window[0][0] < earliest_end:
                window.popleft()
            if window:
                # Each mask's window yields the one best way to reach (mask | bit, t).
                s_end, best = window[0]
                idle = best.idle + t_start - s_end
                reached[mask | bit] = _State(idle, best.first_start, t, t_end, best)
        return reached


def _push(window: deque[tuple[int, _State]], end: int, state: _State) -> None:
    # Candidates enter in ascending end; one that is no better than a later-ending
    # newcomer can never be the minimum again, since it also leaves the window first.
    while window and window[-1][1].window_key >= state.window_key:
        window.pop()
    window.append((end, state))


def _unwind(state: _State) -> tuple[FreeSlot, ...]:
    slots = []
    node: _State | None = state
    while node is not None:
        slots.append(node.slot)
        node = node.previous
    return tuple(reversed(slots))
