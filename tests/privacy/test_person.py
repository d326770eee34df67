"""A person's data on request: found by address or by number however it is typed,
exported whole, and erased: bookings ahead cancelled with their places freed and no
message, messages still to go dropped, no trace left."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar

from tests.conftest import World
from tests.privacy.visits import (
    OLGA,
    RITA,
    Sim,
    future_booking,
    history,
    statistics,
    traces,
)
from tests.queue.conftest import Desk
from wcr import events
from wcr.audit.public import entries
from wcr.booking.public import BookingChanged, FreedBecause, PlaceFreed
from wcr.booking.tables import Booking, Slot
from wcr.errors import InvalidInput
from wcr.notifications.dispatcher import Dispatcher
from wcr.notifications.tables import Message
from wcr.privacy.public import Erasure, erase_person, export_person
from wcr.waitlist.public import EntryEnded
from wcr.waitlist.tables import WaitlistEntry


async def olga_and_rita(
    app: Litestar, world: World, desk: Desk, dispatcher: Dispatcher, sim: Sim
) -> dict[str, str]:
    """Olga came last month and comes again next week; Rita came too (same day)."""
    day = datetime.now(UTC) - timedelta(days=30)
    await history(app, world, desk, dispatcher, sim, RITA, day)
    await history(app, world, desk, dispatcher, sim, OLGA, day + timedelta(days=5))
    sim.go(None)
    ahead = await future_booking(world, OLGA)
    return {"reference": ahead.json()["reference"], "token": ahead.json()["manage_token"]}


# The same person, typed as people type: a mailbox in any case, a number with the
# country code or 00 or as a German one, with spaces and slashes.
BY_ADDRESS = ["olga.old@example.org", "Olga.Old@EXAMPLE.org"]
BY_NUMBER = ["+49 1512 3456789", "0049 1512 3456789", "01512/3456789", "+4915123456789"]


async def test_an_export_finds_the_person_by_address_and_by_number_however_typed(
    app: Litestar, world: World, desk: Desk, dispatcher: Dispatcher, sim: Sim
) -> None:
    olga = await olga_and_rita(app, world, desk, dispatcher, sim)
    for typed in BY_ADDRESS + BY_NUMBER:
        held = await export_person(app.state.engine, typed)
        assert held["contact"].casefold() in {OLGA.email, OLGA.e164.casefold()}, typed
        references = {b["reference"] for b in held["bookings"]}
        assert olga["reference"] in references, typed
        assert len(references) == 3, typed  # served, cancelled, ahead
        assert {b["name"] for b in held["bookings"]} == {OLGA.name}
        visited = next(b for b in held["bookings"] if b["status"] == "confirmed")
        assert visited["appointments"][0]["site"] == "bochum"
        kinds = {(t["kind"], t["remote"]) for t in held["tickets"]}
        if typed in BY_ADDRESS:
            # The check-in (of her booking) and the remote ticket taken with her address;
            # the walk-in gave her number alone.
            assert kinds == {("appointment", False), ("walkin", True)}, typed
            assert held["other_contacts"] == [OLGA.e164]
        else:
            # The check-in and the walk-in; the remote ticket gave her address alone.
            assert kinds == {("appointment", False), ("walkin", False)}, typed
            assert held["other_contacts"] == [OLGA.email]
        assert {t["name"] for t in held["tickets"]} == {OLGA.name}
        assert held["messages"], "her confirmations and reminders"
        assert {m["recipient"] for m in held["messages"]} <= {OLGA.email, OLGA.e164}
        # Her waitlist entries (with address and number): the open one and the one left.
        assert sorted((w["service"], w["status"]) for w in held["waitlist"]) == [
            ("recognition", "left"),
            ("registration", "waiting"),
        ], typed
        assert {(w["name"], w["email"], w["phone"]) for w in held["waitlist"]} == {
            (OLGA.name, OLGA.email, OLGA.e164)
        }
        assert all(w["site"] == "bochum" for w in held["waitlist"])
        assert RITA.email not in str(held)
        assert RITA.name not in str(held)
    logged = await entries(action="person-export", limit=500)
    assert {e.target_id for e in logged if e.target_kind == "booking"} == references
    assert {e.target_id for e in logged if e.target_kind == "waitlist_entry"} == {
        w["reference"] for w in held["waitlist"]
    }
    # Her 3 bookings, 2 tickets and 2 waitlist entries.
    assert len(logged) == len(BY_ADDRESS + BY_NUMBER) * 7
    assert all(OLGA.email not in str(e) and OLGA.e164 not in str(e) for e in logged)


async def test_an_export_of_someone_unknown_is_empty_and_a_bad_contact_is_refused(
    app: Litestar, world: World
) -> None:
    held = await export_person(app.state.engine, "nobody@example.org")
    assert (held["bookings"], held["tickets"], held["messages"], held["waitlist"]) == (
        [],
        [],
        [],
        [],
    )
    assert [(e.target_kind, e.target_id) for e in await entries(action="person-export")] == [
        ("person", "none")
    ]
    with pytest.raises(InvalidInput) as refused:
        await export_person(app.state.engine, "12")
    assert refused.value.errors[0]["field"] == "contact"


async def left_the_waitlist_silently(erased: Erasure, told: list[Any]) -> None:
    """Her entry still open left the list (the other she had left), nobody was told."""
    assert len(erased.left_waitlist) == 1
    assert erased.counts["waitlist_entry"] == 2
    assert await WaitlistEntry.count().where(
        WaitlistEntry.reference == erased.left_waitlist[0], WaitlistEntry.status == "left"
    )
    ended = [e for e in told if isinstance(e, EntryEnded)]
    assert [(e.reference, e.silent) for e in ended] == [(erased.left_waitlist[0], True)]


async def test_an_erasure_cancels_what_is_ahead_silently_frees_the_place_and_leaves_no_trace(
    app: Litestar, world: World, desk: Desk, dispatcher: Dispatcher, sim: Sim, outbox: Path
) -> None:
    olga = await olga_and_rita(app, world, desk, dispatcher, sim)
    booking = await Booking.select().where(Booking.reference == olga["reference"]).first()
    assert booking is not None
    pending = await Message.count().where(
        Message.booking == booking["id"], Message.status == "pending"
    )
    assert pending >= 2  # the confirmation not sent yet, the reminders
    told: list[Any] = []

    async def listen(event: Any) -> None:
        told.append(event)

    events.subscribe(PlaceFreed, listen)
    events.subscribe(BookingChanged, listen)
    events.subscribe(EntryEnded, listen)
    before = await statistics()
    try:
        erased = await erase_person(app.state.engine, app.state.settings, "0151 23456789")
    finally:
        events.unsubscribe(PlaceFreed, listen)
        events.unsubscribe(BookingChanged, listen)
        events.unsubscribe(EntryEnded, listen)

    assert erased.cancelled == (olga["reference"],)
    await left_the_waitlist_silently(erased, told)
    freed = [e for e in told if isinstance(e, PlaceFreed)]
    assert [e.because for e in freed] == [FreedBecause.CANCELLED]
    changed = [e for e in told if isinstance(e, BookingChanged)]
    assert len(changed) == 1
    assert changed[0].silent
    messages = await Message.select(Message.kind, Message.status).where(
        Message.booking == booking["id"]
    )
    assert "cancelled" not in {m["kind"] for m in messages}  # she is not told
    assert {m["status"] for m in messages} == {"dropped"}
    assert erased.counts["dropped messages"] >= pending
    assert await traces(OLGA, outbox, only=OLGA.number()) == []
    # Her remote ticket was taken with her address alone: that contact is named, not
    # followed, and goes when it is erased too.
    assert erased.other_contacts == (OLGA.email,)
    assert set(await traces(OLGA, outbox)) == {"ticket.name", "ticket.email_key"}
    await erase_person(app.state.engine, app.state.settings, OLGA.email)
    assert await traces(OLGA, outbox) == []
    assert set(await traces(RITA, outbox)) >= {"booking.name", "ticket.name", "message.recipient"}
    # Her place is free, and someone else takes it.
    slot = freed[0].slot_ids[0]
    assert (await Slot.select(Slot.booked).where(Slot.id == slot).first() or {})["booked"] == 0
    rebooked = await world.book(slot, name="Someone Else", email="else@example.org")
    assert rebooked.status_code == 201, rebooked.text
    # The visits stay counted (her booking ahead now as cancelled).
    after = await statistics()
    assert after["tickets"] == before["tickets"]
    assert after["steps"] == before["steps"]
    assert sum(after["bookings"].values()) == sum(before["bookings"].values()) + 1
    logged = await entries(action="person-erase")
    assert olga["reference"] in {e.target_id for e in logged}
    # Her manage link opens nothing of her any more (the booking shows no name).
    view = await world.client.get(
        f"/api/v1/bookings/{olga['reference']}",
        headers={"Authorization": f"Bearer {olga['token']}"},
    )
    assert OLGA.name not in view.text


async def test_an_erasure_of_someone_unknown_erases_nothing(app: Litestar, world: World) -> None:
    await future_booking(world, RITA)
    erased = await erase_person(app.state.engine, app.state.settings, "nobody@example.org")
    assert erased.cancelled == ()
    assert sum(erased.counts.values()) == 0
    assert await Booking.count().where(Booking.name == RITA.name) == 1
