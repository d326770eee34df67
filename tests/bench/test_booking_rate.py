"""bench/booking_rate.py: an open loop. A slow answer delays no later start, and each
latency counts from the time the booking was due."""

import asyncio
import random
import time

from bench import booking_rate

SLOW = 1.0  # seconds: far longer than the schedule's 80 ms, even on a loaded machine


async def test_starts_keep_their_schedule_while_an_answer_is_slow() -> None:
    started: list[float] = []

    async def slow_first(slot_id: int) -> int:
        started.append(time.monotonic())
        await asyncio.sleep(SLOW if slot_id == 0 else 0.0)
        return 409

    samples, _ = await booking_rate.on_schedule([0, 1, 2, 3, 4], 50.0, slow_first)
    # A closed loop would start the second only after the first's answer.
    assert started[-1] - started[0] < SLOW * 0.9
    assert started == sorted(started)
    latencies = sorted(end - due for due, end, _ in samples)
    assert latencies[-1] >= SLOW  # the slow one, counted from its due time
    assert latencies[0] < SLOW / 2
    assert [outcome for _, _, outcome in samples] == [409] * 5


def test_every_slot_is_a_target() -> None:
    targets = booking_rate.shuffled_targets([7, 8, 9], 10, random.Random(1))
    assert len(targets) == 10
    assert set(targets) == {7, 8, 9}


def test_slots_come_free_one_by_one_and_each_is_asked_for_first_when_it_does() -> None:
    slots = list(range(100, 110))
    targets = booking_rate.released_targets(slots, 400, random.Random(2))
    assert len(targets) == 400
    firsts = [targets.index(slot) for slot in slots]
    assert firsts == sorted(firsts)  # in the order they come free
    # evenly: the k-th slot comes free about k tenths into the run
    assert all(abs(first - 40 * k) <= 40 for k, first in enumerate(firsts))
    for position, slot in enumerate(targets):  # nobody asks for a slot not yet free
        assert firsts[slots.index(slot)] <= position
