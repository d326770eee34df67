"""bench/queue_day.py keeps running as the queue changes: a short day on SQLite."""

import json
import random
from datetime import UTC, datetime, timedelta

import pytest

from bench import queue_day
from bench.harness import BenchError
from tests.databases import postgres_admin_url, postgres_available
from wcr import clock


def test_the_simulated_clock_is_put_back_however_the_block_ends() -> None:
    fixed = datetime(2030, 1, 8, 9, 0, tzinfo=UTC)
    simulated = queue_day.SimulatedClock(fixed)
    seen = []

    def inside() -> None:
        with queue_day.simulated(simulated):
            seen.append(clock.now())
            simulated.set(fixed + timedelta(minutes=5))
            seen.append(clock.now())
            raise RuntimeError

    with pytest.raises(RuntimeError):
        inside()
    assert seen == [fixed, fixed + timedelta(minutes=5)]
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_the_clock_never_goes_back() -> None:
    simulated = queue_day.SimulatedClock(datetime(2030, 1, 8, 9, 0, tzinfo=UTC))
    with pytest.raises(BenchError):
        simulated.set(datetime(2030, 1, 8, 8, 59, tzinfo=UTC))


def test_the_same_seed_draws_the_same_day() -> None:
    options = queue_day.parse_options(["--seed", "5", "--visitors", "40"])
    [day] = queue_day.bench_days(1)
    first = queue_day.plan_day(random.Random(5), options, day)
    again = queue_day.plan_day(random.Random(5), options, day)
    assert [(v.arrival, v.services, v.service_minutes) for v in first] == [
        (v.arrival, v.services, v.service_minutes) for v in again
    ]
    assert sum(v.booked for v in first) == 14  # 35 % of 40
    opening = queue_day.local(day, queue_day.OPENS)
    assert all(opening <= v.arrival for v in first if not v.booked)


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
async def test_a_short_day_runs_and_verifies(
    engine: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    arguments = ["--visitors", "40", "--seed", "3", "--json"]
    if engine == "postgres":
        if not await postgres_available():
            pytest.skip("PostgreSQL not reachable; set WCR_TEST_POSTGRES_URL")
        monkeypatch.setenv("WCR_BENCH_POSTGRES_URL", postgres_admin_url())
        arguments.append("--postgres")
    options = queue_day.parse_options(arguments)
    assert await queue_day.run(options)
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["ok"], summary["problems"]
    assert summary["visitors"]["total"] == 40
    errors = summary["estimate_error_min"]["all"]
    assert errors["n"] + summary["visitors"]["no_shows"] == 40
    assert summary["booked_on_time"]["within_10_min_pct"] is not None
    # The app's clock is the real one again.
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)
