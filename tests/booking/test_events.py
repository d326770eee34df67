"""Booking tells the rest of the system what happened through domain events, inside
the transaction of the change."""

from __future__ import annotations

import importlib
import importlib.util
from collections import defaultdict
from collections.abc import AsyncIterator

import httpx
import pytest
from litestar import Litestar

from tests.conftest import World, local, next_weekday
from wcr import events
from wcr.booking import bookings
from wcr.booking.contact import clean_contact
from wcr.booking.public import BookingChange, BookingChanged, FreedBecause, PlaceFreed
from wcr.booking.tables import Slot
from wcr.clock import now
from wcr.features import FEATURES
from wcr.notifications.subscribers import plan_messages
from wcr.notifications.tables import Message


class Recorder:
    def __init__(self) -> None:
        self.seen: list[PlaceFreed] = []

    async def __call__(self, event: PlaceFreed) -> None:
        self.seen.append(event)


@pytest.fixture
async def freed() -> AsyncIterator[Recorder]:
    recorder = Recorder()
    events.subscribe(PlaceFreed, recorder)
    yield recorder
    events.unsubscribe(PlaceFreed, recorder)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_cancel_reschedule_drop_and_withdraw_tell_which_places_came_free(
    world: World, client: httpx.AsyncClient, freed: Recorder
) -> None:
    day = next_weekday(2)
    first, second, third = [await world.slot(local(day, 9 + n)) for n in range(3)]
    booked = (await world.book(first)).json()
    response = await client.post(
        f"/api/v1/bookings/{booked['reference']}/reschedule",
        json={"slot_id": second},
        headers=auth(booked["manage_token"]),
    )
    assert response.status_code == 200, response.text
    response = await client.post(
        f"/api/v1/bookings/{booked['reference']}/cancel", headers=auth(booked["manage_token"])
    )
    assert response.status_code == 200
    visit = (
        await world.book(first, await world.slot(local(day, 10), service="recognition"))
    ).json()
    response = await client.post(
        f"/api/v1/bookings/{visit['reference']}/appointments/{first}/cancel",
        headers=auth(visit["manage_token"]),
    )
    assert response.status_code == 200, response.text
    await world.book(third)
    response = await client.delete(
        f"/api/v1/agency/slots/{third}?force=true", headers=world.headers(world.citizens_key)
    )
    assert response.status_code == 204
    assert [(e.slot_ids, e.because) for e in freed.seen] == [
        ((first,), FreedBecause.RESCHEDULED),
        ((second,), FreedBecause.CANCELLED),
        ((first,), FreedBecause.DROPPED),
        ((third,), FreedBecause.WITHDRAWN),
    ]


async def test_a_refused_booking_frees_and_tells_nothing(world: World, freed: Recorder) -> None:
    slot = await world.slot(local(next_weekday(3), 10))
    assert (await world.book(slot)).status_code == 201
    assert (await world.book(slot)).status_code == 409
    assert freed.seen == []


async def test_subscribers_run_inside_the_change_and_can_abort_it(
    world: World, app: Litestar
) -> None:
    """A handler that fails rolls the booking back: no place taken, no message kept."""

    class Refused(Exception):
        pass

    async def refuse(event: BookingChanged) -> None:
        assert event.change == BookingChange.BOOKED
        assert await Message.count() > 0  # the outbox rows are written in this transaction
        raise Refused

    slot = await world.slot(local(next_weekday(4), 11))
    events.subscribe(BookingChanged, refuse)
    contact = clean_contact("Amira Haddad", "amira@example.org", None, "ar")
    try:
        with pytest.raises(Refused):
            await bookings.book(app.state.engine, [slot], contact)
    finally:
        events.unsubscribe(BookingChanged, refuse)
    row = await Slot.select(Slot.booked).where(Slot.id == slot).first()
    assert row is not None
    assert row["booked"] == 0
    assert await Message.count() == 0


async def test_subscribing_twice_runs_a_handler_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # Alone among the handlers: the app's (the waitlist's offers) would need a database.
    monkeypatch.setattr(events, "_handlers", defaultdict(list))
    recorder = Recorder()
    events.subscribe(PlaceFreed, recorder)
    events.subscribe(PlaceFreed, recorder)
    try:
        await events.emit(PlaceFreed(slot_ids=(1,), because=FreedBecause.CANCELLED, at=now()))
    finally:
        events.unsubscribe(PlaceFreed, recorder)
    assert len(recorder.seen) == 1


async def test_the_app_subscribes_every_feature_to_what_it_listens_for(app: Litestar) -> None:
    """Booking no longer imports notifications: without this, no message would be planned."""
    for feature in FEATURES:
        path = f"wcr.{feature}.subscribers"
        if importlib.util.find_spec(path) is None:
            continue
        for event_type, handler in importlib.import_module(path).SUBSCRIPTIONS:
            assert handler in events.handlers(event_type), (feature, event_type, handler)
    assert plan_messages in events.handlers(BookingChanged)
