"""The itinerary search against brute force on random small calendars (hypothesis)."""

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise, product

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wcr.booking.itinerary import FreeSlot, Itinerary, Rules, search, violations

BASE = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)
SERVICES = ["a", "b", "c", "d"]
# Free slots, the services wanted, the rules: one random case.
Calendar = tuple[list[FreeSlot], list[str], Rules]


def brute_force(slots: list[FreeSlot], services: list[str], rules: Rules) -> list[Itinerary]:
    by_service = [[s for s in slots if s.service == name] for name in services]
    found: list[Itinerary] = []
    for combo in product(*by_service):
        if not violations(combo, services, rules):
            ordered = tuple(sorted(combo, key=lambda s: (s.start, s.id)))
            idle = sum(
                (later.start - earlier.end for earlier, later in pairwise(ordered)),
                timedelta(0),
            )
            found.append(Itinerary(slots=ordered, idle=idle))
    return sorted(found, key=Itinerary.rank)


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    services = SERVICES[: draw(st.integers(2, 4))]
    slots: list[FreeSlot] = []
    for n in range(draw(st.integers(1, 18))):
        day = draw(st.integers(0, 2))
        start = BASE + timedelta(days=day, minutes=5 * draw(st.integers(0, 60)))
        length = timedelta(minutes=5 * draw(st.integers(1, 8)))
        slots.append(
            FreeSlot(
                id=n + 1,
                service=draw(st.sampled_from(services)),
                start=start,
                end=start + length,
                day=date(2027, 3, 1) + timedelta(days=day),
            )
        )
    order: set[tuple[str, str]] = set()
    if draw(st.booleans()):
        first, second = draw(st.permutations(services))[:2]
        order.add((first, second))
    rules = Rules(
        gap=timedelta(minutes=5 * draw(st.integers(0, 2))),
        max_idle=timedelta(minutes=5 * draw(st.integers(0, 12))),
        order=frozenset(order),
    )
    return slots, services, rules


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calendars())
def test_search_agrees_with_brute_force(calendar: Calendar) -> None:
    slots, services, rules = calendar
    expected = brute_force(slots, services, rules)
    got = search(slots, services, rules, limit=10)
    assert bool(got) == bool(expected)
    for option in got:
        assert violations(option.slots, services, rules) == []
        assert list(option.slots) == sorted(option.slots, key=lambda s: (s.start, s.id))
    if expected:
        best = expected[0]
        assert got[0].idle == best.idle
        assert (got[0].day, got[0].start) == (best.day, best.start)
        # Best first, and every day with a valid itinerary is offered (up to the limit).
        assert [o.rank()[:3] for o in got] == sorted(o.rank()[:3] for o in got)
        assert {o.day for o in got} == {o.day for o in expected}


def test_order_rule_is_respected_even_when_the_other_order_is_tighter() -> None:
    day = date(2027, 3, 1)

    def slot(i: int, svc: str, h: int, m: int) -> FreeSlot:
        start = BASE.replace(hour=h, minute=m)
        return FreeSlot(i, svc, start, start + timedelta(minutes=20), day)

    slots = [
        slot(1, "permit", 8, 0),
        slot(2, "registration", 8, 25),
        slot(3, "registration", 7, 0),
        slot(4, "permit", 9, 0),
    ]
    rules = Rules(order=frozenset({("registration", "permit")}), max_idle=timedelta(hours=2))
    [best, *_] = search(slots, ["permit", "registration"], rules)
    assert [s.id for s in best.slots] == [2, 4]
    assert best.idle == timedelta(minutes=15)
    no_rule = search(slots, ["permit", "registration"], Rules(max_idle=timedelta(hours=2)))
    assert [s.id for s in no_rule[0].slots] == [1, 2]


def test_limit_and_spread_over_days() -> None:
    slots: list[FreeSlot] = []
    for d in range(6):
        day = date(2027, 3, 1) + timedelta(days=d)
        for h in range(8, 14):
            start = BASE + timedelta(days=d, hours=h - 7)
            slots.append(FreeSlot(len(slots) + 1, "a", start, start + timedelta(minutes=30), day))
            start2 = start + timedelta(minutes=35)
            slots.append(FreeSlot(len(slots) + 1, "b", start2, start2 + timedelta(minutes=20), day))
    options = search(slots, ["a", "b"], Rules(), limit=8, per_day=2)
    assert len(options) == 8
    assert [o.day.day for o in options] == [1, 1, 2, 2, 3, 3, 4, 4]
    assert all(o.idle == timedelta(minutes=5) for o in options)
