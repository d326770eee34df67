"""bench/booking_race_sqlite.py: its raw round is the app's booking transaction on the
app's SQLite schema (same rows, same text for timestamps), so the floor is honest."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from piccolo.engine.sqlite import convert_datetime_in

from bench import booking_race_sqlite as race
from tests.conftest import World, local, next_weekday
from wcr.booking.tables import Appointment, Booking, Slot
from wcr.database import sqlite_path


def test_timestamps_are_written_as_piccolo_writes_them() -> None:
    at = datetime(2030, 3, 31, 2, 30, 15, 123456, tzinfo=ZoneInfo("Europe/Berlin"))
    assert race.sqlite_instant(at) == convert_datetime_in(at)
    assert race.sqlite_instant(at.astimezone(UTC)) == convert_datetime_in(at)


async def test_the_raw_transaction_books_a_free_place_once_and_no_past_slot(
    world: World, database_url: str
) -> None:
    if not database_url.startswith("sqlite:"):
        pytest.skip("the bench's raw round is for SQLite")
    free = await world.slot(local(next_weekday(2), 9), capacity=1)
    past = await world.slot(local(next_weekday(2), 10), capacity=1)
    await Slot.update({Slot.starts_at: datetime.now(UTC) - timedelta(hours=1)}).where(
        Slot.id == past
    )
    connection = race.connect(Path(sqlite_path(database_url)))
    try:
        outcomes = [race.raw_attempt(connection, slot) for slot in (free, free, past)]
    finally:
        connection.close()
    assert outcomes == ["booked", "full", "full"]
    booked = await Slot.select(Slot.id, Slot.booked).where(Slot.id.is_in([free, past]))
    assert {row["id"]: row["booked"] for row in booked} == {free: 1, past: 0}
    # The rows the app reads: a confirmed booking holding an active appointment.
    held = await Appointment.select(Appointment.booking.status, Appointment.status).where(
        Appointment.slot == free
    )
    assert held == [{"booking.status": "confirmed", "status": "active"}]
    assert await Booking.count() == 1
