"""The estimate rule of wcr.queue.estimates and the ordering rule it plays forward,
on their own (no database; the ordering's SQL is tested in test_ordering_sql.py)."""

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from wcr.queue import ordering
from wcr.queue.estimates import (
    FLOOR_MINUTES,
    GAP_MINUTES,
    MIN_WAIT_AHEAD,
    REPLAY,
    Desk,
    Site,
    Waiting,
    call_times,
    free_at,
    replay,
    service_minutes,
    site_waits,
)

AT = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
A, B = 1, 2  # two services


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def walk_ins(count: int, service: int = A, first_id: int = 1) -> list[Waiting]:
    """``count`` walk-ins who came one a minute until now, the earliest first."""
    return [
        Waiting(id=first_id + i, service_id=service, due_at=AT - minutes(count - i))
        for i in range(count)
    ]


def idle(counter: int, *ranked: int) -> Desk:
    return Desk(counter, {service: rank for rank, service in enumerate(ranked, 1)}, AT)


def test_one_quick_finish_does_not_pull_the_service_time_down() -> None:
    # Booked 20 minutes; one service of 30 seconds: still close to 20, never ~0.
    assert service_minutes([0.5], 20) > 15
    # Twenty steady 10-minute services win over the booked duration.
    assert service_minutes([10.0] * 20, 20) == 12.0  # 20/25 of 10, 5/25 of 20
    # The ends are trimmed: nineteen of 10 minutes and one of 300 count as twenty of 10.
    assert service_minutes([10.0] * 19 + [300.0], 20) == service_minutes([10.0] * 20, 20)
    # A skewed service (a few long ones) is not under-counted as by the median.
    skewed = [4.0] * 12 + [8.0] * 8
    assert service_minutes(skewed, 5) == 0.8 * 5.5 + 0.2 * 5  # trimmed: ten 4s, six 8s
    assert service_minutes(skewed, 5) > 0.8 * 4.0 + 0.2 * 5  # what the median would say
    # Nothing below the floor, however quick the services.
    assert service_minutes([0.1] * 20, 1) == FLOOR_MINUTES


def test_nobody_with_people_ahead_sees_zero() -> None:
    four = [idle(c, A) for c in range(1, 5)]
    waits = site_waits(Site(AT, {A: walk_ins(6)}, four, {A: FLOOR_MINUTES}))
    line = [waits[i] for i in range(1, 7)]
    # Four idle counters call the first four at once; the floor still says something
    # to those behind the first: at least 2 minutes, and 3 ahead x 3 min / 4 counters.
    assert line[0] == 0
    assert line[1:4] == [MIN_WAIT_AHEAD, MIN_WAIT_AHEAD, 3]
    assert all(w is not None and w >= MIN_WAIT_AHEAD for w in line[1:])


def test_busy_counters_call_when_their_visitor_is_done() -> None:
    called = AT - minutes(4)
    assert free_at(AT, None, 10) == AT
    assert free_at(AT, called, 10) == AT + minutes(6)
    # A service running long is taken to end soon, not now.
    assert free_at(AT, AT - minutes(30), 10) == AT + minutes(2.5)
    desk = Desk(1, {A: 1}, free_at(AT, called, 10))
    times = call_times(walk_ins(2), [desk], {A: 10}, AT)
    assert times == {1: AT + minutes(6), 2: AT + minutes(16 + GAP_MINUTES)}


def test_no_open_counter_means_no_estimate() -> None:
    waits = site_waits(Site(AT, {A: walk_ins(2)}, [idle(1, B)], {A: 10, B: 10}))
    assert waits == {1: None, 2: None}


def test_a_counter_serves_its_own_line_first() -> None:
    # Counter 1 holds A first, counter 2 holds B first and A second. With five in B,
    # counter 2 is no help to A for a while: the third in A waits two A services, not
    # one (which counting both counters fully would say).
    lines = {A: walk_ins(3), B: walk_ins(5, B, first_id=10)}
    desks = [idle(1, A, B), idle(2, B, A)]
    waits = site_waits(Site(AT, lines, desks, {A: 10, B: 10}))
    assert waits[1] == 0
    assert waits[2] == math_ceil(10 + GAP_MINUTES)
    assert waits[3] == math_ceil(2 * (10 + GAP_MINUTES))


def math_ceil(value: float) -> int:
    return int(-(-value // 1))


def test_a_booked_visitor_goes_ahead_of_walk_ins_at_their_time() -> None:
    # One busy counter, ten walk-ins (5 minutes each), and a booked visitor due in
    # 20 minutes: called at the first call from 5 minutes before their time, not after
    # the ten walk-ins.
    booked = Waiting(id=99, service_id=A, due_at=AT + minutes(20), booked=True)
    desk = Desk(1, {A: 1}, AT + minutes(3))
    times = call_times([*walk_ins(10), booked], [desk], {A: 5}, AT)
    assert times[99] == AT + minutes(3 + 3 * (5 + GAP_MINUTES))  # the call at 19.5 min
    # The walk-ins keep their order, one place further back from then on.
    walk_in_times = [times[i] for i in range(1, 11)]
    assert walk_in_times == sorted(walk_in_times)
    waits = site_waits(Site(AT, {A: [*walk_ins(10), booked]}, [desk], {A: 5}))
    assert waits[99] == 20
    # A walk-in who has waited the cap goes before a booked visitor due later than the
    # walk-in came; a booked visitor due before it (already late) goes first.
    long_waiting = Waiting(id=1, service_id=A, due_at=AT - ordering.WALK_IN_CAP)
    later = Waiting(id=2, service_id=A, due_at=AT - minutes(5), booked=True)
    late = Waiting(id=3, service_id=A, due_at=AT - ordering.WALK_IN_CAP - minutes(1), booked=True)
    times = call_times([long_waiting, later, late], [Desk(1, {A: 1}, AT)], {A: 10}, AT)
    assert sorted(times, key=times.__getitem__) == [3, 1, 2]


def test_an_idle_counter_calls_a_booked_visitor_early_when_nobody_else_waits() -> None:
    booked = Waiting(id=7, service_id=A, due_at=AT + minutes(40), booked=True)
    assert call_times([booked], [idle(1, A)], {A: 10}, AT) == {7: AT}


def test_recent_arrivals_come_again_and_take_the_shared_counter() -> None:
    # Counter 1 prefers B; in the last half hour three came for B. The one waiting for A
    # is estimated behind the B visitors to come, not at once after the current one.
    came = [
        Waiting(id=20 + i, service_id=B, due_at=AT - minutes(m), arrives=AT - minutes(m))
        for i, m in enumerate([25, 15, 5])
    ]
    coming = replay(came, AT)
    assert [w.arrives for w in coming[:3]] == [AT + minutes(5), AT + minutes(15), AT + minutes(25)]
    assert all(w.id < 0 for w in coming)
    assert replay([Waiting(1, B, AT - REPLAY, arrives=AT - REPLAY)], AT) == []
    desk = Desk(1, {B: 1, A: 2}, AT + minutes(6))
    alone = site_waits(Site(AT, {A: walk_ins(1)}, [desk], {A: 10, B: 10}))
    busy = site_waits(Site(AT, {A: walk_ins(1)}, [desk], {A: 10, B: 10}, recent=came))
    assert alone[1] == 6
    assert busy[1] is not None
    assert busy[1] > 10


@given(
    st.lists(st.floats(min_value=0.1, max_value=120), max_size=30),
    st.integers(min_value=1, max_value=90),
    st.integers(min_value=1, max_value=6),
    st.integers(min_value=0, max_value=6),
    st.integers(min_value=1, max_value=40),
    st.lists(st.integers(min_value=-30, max_value=60), max_size=6),
)
def test_estimates_follow_the_call_order_and_respect_the_floor(
    samples: list[float],
    booked: int,
    counters: int,
    busy: int,
    length: int,
    bookings: list[int],
) -> None:
    service = service_minutes(samples, booked)
    desks = [
        Desk(c, {A: 1}, free_at(AT, AT - minutes(1) if c <= busy else None, service))
        for c in range(1, counters + 1)
    ]
    line = walk_ins(length) + [
        Waiting(id=100 + i, service_id=A, due_at=AT + minutes(m), booked=True)
        for i, m in enumerate(bookings)
    ]
    waits = site_waits(Site(AT, {A: line}, desks, {A: service}))
    assert set(waits) == {t.id for t in line}
    # Everyone is called (someone open serves the line), walk-ins in the order they came.
    numbers = {i: w for i, w in waits.items() if w is not None}
    assert len(numbers) == len(line)
    walk_in_waits = [numbers[i] for i in range(1, length + 1)]
    assert walk_in_waits == sorted(walk_in_waits)
    # The floor, by how many the look-ahead calls before each.
    for ahead, (wait, _) in enumerate(sorted((w, i) for i, w in numbers.items())):
        if ahead:
            assert wait >= MIN_WAIT_AHEAD
            assert wait >= ahead * FLOOR_MINUTES / counters - 1e-9
    # A booked visitor is never estimated later than their booked time while the line
    # allows it: with a counter per person, at the latest at the first call from then.
    if counters >= len(line):
        for i, m in enumerate(bookings):
            assert numbers[100 + i] <= max(0, m) + service + GAP_MINUTES + MIN_WAIT_AHEAD + 1


@given(
    st.lists(
        st.tuples(
            st.booleans(),
            st.booleans(),
            st.integers(min_value=-90, max_value=60),
            st.integers(min_value=1, max_value=3),
        ),
        min_size=1,
        max_size=12,
    ),
    st.integers(min_value=-20, max_value=60),
)
def test_the_call_key_puts_the_due_first_and_keeps_arrival_order(
    tickets: list[tuple[bool, bool, int, int]], later: int
) -> None:
    now = AT + minutes(later)
    keys = sorted(
        (
            ordering.call_key(
                priority=priority,
                rank=rank,
                booked=booked,
                due_at=AT + minutes(due),
                ticket_id=i,
                now=now,
            ),
            (priority, booked, AT + minutes(due), rank),
        )
        for i, (priority, booked, due, rank) in enumerate(tickets)
    )
    order = [facts for _, facts in keys]
    # Priority first, then rank, then the due before the others, then by due time.
    assert [not p for p, *_ in order] == sorted(not p for p, *_ in order)
    for (p1, b1, d1, r1), (p2, b2, d2, r2) in itertools.pairwise(order):
        if p1 == p2 and r1 == r2:
            due1 = ordering.is_due(booked=b1, due_at=d1, now=now)
            due2 = ordering.is_due(booked=b2, due_at=d2, now=now)
            assert due1 >= due2
            if due1 == due2:
                assert d1 <= d2
            # Two walk-ins never change places: the earlier one is due first.
            if not b1 and not b2:
                assert d1 <= d2
