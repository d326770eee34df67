"""bench/growth.py keeps measuring what it says: a tiny year behind the demo, and every
operation answers the same on the demo database and on the grown one (the bench's own
check; its timings are not looked at here)."""

import asyncio
import os

import pytest

from bench import growth
from tests.databases import postgres_admin_url, postgres_available


@pytest.mark.slow  # two databases migrated and seeded with the demo
def test_a_tiny_history_changes_no_answer() -> None:
    # Not a coroutine: the bench runs its own event loop.
    if not asyncio.run(postgres_available()):
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL must be reachable on CI (WCR_TEST_POSTGRES_URL)")
        pytest.skip("PostgreSQL not reachable; set WCR_TEST_POSTGRES_URL")
    options = growth.Options(
        scale=0.001, repeats=2, warm_up=1, json=False, admin_url=postgres_admin_url()
    )
    assert asyncio.run(growth.run(options))


def test_the_scale_shrinks_every_count_but_never_to_nothing() -> None:
    assert growth.History.scaled(1.0) == growth.History(
        growth.SLOTS, growth.BOOKINGS, growth.TICKETS, growth.MESSAGES
    )
    tiny = growth.History.scaled(1e-9)
    assert (tiny.slots, tiny.bookings, tiny.tickets, tiny.messages) == (1, 1, 1, 1)
