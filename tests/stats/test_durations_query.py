"""The waits and transaction times the queue's statistics query hands back (an integer
array on PostgreSQL, comma-joined text on SQLite) are, per service and day, exactly the
seconds of the stored steps: none lost, none added, whole seconds as ints."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from tests.stats import expected
from tests.stats.seeding import FIRST, LAST, Centre
from wcr.config import SUPPORTED_LANGUAGES
from wcr.queue import public as queue
from wcr.queue.records import StepOutcome


async def test_each_days_durations_are_the_steps_seconds(centre: Centre) -> None:
    del centre  # its app binds the tables to the seeded database
    _, tickets, steps = await expected.fetch("bochum")
    site = (await expected.sql("SELECT id FROM site WHERE slug = {}", "bochum"))[0]["id"]
    days = {t["id"]: expected.as_day(t["day"]) for t in tickets}
    waits: dict[tuple[int, date], list[int]] = defaultdict(list)
    transactions: dict[tuple[int, date], list[int]] = defaultdict(list)
    for step in steps:
        key = (step["service"], days[step["ticket"]])
        if not FIRST <= key[1] <= LAST:
            continue
        if step["outcome"] != StepOutcome.PARKED:
            waits[key].append(expected.seconds(step["called_at"], step["queued_at"]))
        if step["outcome"] == StepOutcome.DONE:
            transactions[key].append(expected.seconds(step["finished_at"], step["called_at"]))

    found = await queue.service_days(site, FIRST, LAST, SUPPORTED_LANGUAGES)

    assert sum(map(len, waits.values())) > 0
    assert sum(map(len, transactions.values())) > 0
    for day in found:
        key = (day.service_id, day.day)
        assert isinstance(day.waits, tuple)
        assert all(type(value) is int for value in (*day.waits, *day.transactions))
        assert sorted(day.waits) == sorted(waits.get(key, [])), key
        assert sorted(day.transactions) == sorted(transactions.get(key, [])), key
    # No day with steps is missing from the answer.
    assert {k for k, v in waits.items() if v} <= {(d.service_id, d.day) for d in found}
