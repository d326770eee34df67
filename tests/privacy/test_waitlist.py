"""A person's waitlist entries on request: found by the mailbox however the address is
spelt, exported, and on erasure given up the way "leave" does (the place held for them
passes on to the next entry) without a word to them, and erased."""

from __future__ import annotations

from typing import Any

import httpx
from litestar import Litestar

from tests.conftest import World, local, next_weekday
from tests.waitlist.helpers import bearer, booked, holds, join
from wcr import events
from wcr.booking.public import FreedBecause, PlaceFreed
from wcr.notifications.tables import Message
from wcr.privacy.public import erase_person, export_person
from wcr.tokens import digest
from wcr.waitlist.public import EntryEnded
from wcr.waitlist.tables import WaitlistEntry

# The address she joined with, and the one she asks with: one Gmail mailbox.
JOINED_WITH = "O.Lga.Old+waiting@gmail.com"
ASKED_WITH = "olgaold@googlemail.com"
NAME = "Olga Waitlisted"


async def row(reference: str) -> dict[str, Any]:
    found = await WaitlistEntry.select().where(WaitlistEntry.reference == reference).first()
    assert found is not None
    return found


async def test_an_erasure_gives_up_the_held_place_to_the_next_entry_silently(
    app: Litestar, world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(3)
    slot = await world.slot(local(day, 9))
    taken = (await world.book(slot)).json()
    olga = await join(client, day, name=NAME, email=JOINED_WITH, phone="0151 11122233")
    other = await join(client, day, 2)  # waiting2@example.org, after her
    stranger = await join(client, day, 3, email="someone.else@gmail.com")
    cancelled = await client.post(
        f"/api/v1/bookings/{taken['reference']}/cancel", headers=bearer(taken["manage_token"])
    )
    assert cancelled.status_code == 200, cancelled.text
    assert await holds() == [{"slot": slot, "status": "held", "reference": olga["reference"]}]

    held = await export_person(app.state.engine, ASKED_WITH)
    assert [(w["reference"], w["status"], w["name"]) for w in held["waitlist"]] == [
        (olga["reference"], "offered", NAME)
    ]
    assert held["waitlist"][0]["services"] == ["registration"]
    assert held["waitlist"][0]["email"] == JOINED_WITH
    # Spelt otherwise, the address she joined with is listed beside her number.
    assert held["other_contacts"] == ["+4915111122233", "O.Lga.Old+waiting@gmail.com"]

    told: list[Any] = []

    async def listen(event: Any) -> None:
        told.append(event)

    events.subscribe(EntryEnded, listen)
    events.subscribe(PlaceFreed, listen)
    try:
        erased = await erase_person(app.state.engine, app.state.settings, ASKED_WITH)
    finally:
        events.unsubscribe(EntryEnded, listen)
        events.unsubscribe(PlaceFreed, listen)

    assert erased.left_waitlist == (olga["reference"],)
    assert erased.counts["waitlist_entry"] == 1
    ended = [e for e in told if isinstance(e, EntryEnded)]
    assert [(e.reference, e.because, e.silent) for e in ended] == [
        (olga["reference"], "left", True)
    ]
    assert [e.because for e in told if isinstance(e, PlaceFreed)] == [FreedBecause.HOLD_ENDED]
    # Her place passed on to the next one waiting, still held (not booked twice).
    assert await holds() == [
        {"slot": slot, "status": "declined", "reference": olga["reference"]},
        {"slot": slot, "status": "held", "reference": other["reference"]},
    ]
    assert await booked(slot) == 1
    mine = await row(olga["reference"])
    assert mine["status"] == "left"
    assert (mine["name"], mine["email"], mine["phone"]) == ("", None, None)
    assert (mine["email_service"], mine["phone_service"]) == (None, None)
    assert mine["offers"] == 1  # what the statistics count stays
    # No "you left" is planned for her; the offer's messages not sent yet are dropped,
    # and none keeps her address or number.
    messages = await Message.select(Message.kind, Message.status, Message.recipient).where(
        Message.waitlist_entry == mine["id"]
    )
    assert "waitlist_left" not in {m["kind"] for m in messages}
    assert {(m["status"], m["recipient"]) for m in messages} <= {("dropped", "")}
    assert erased.counts["dropped messages"] == len(messages)
    # Nobody else at the same provider was touched.
    for reference in (other["reference"], stranger["reference"]):
        assert (await row(reference))["name"].startswith("Waiting Person")
    assert (await row(stranger["reference"]))["email_service"] is not None
    # Her link opens an entry that names nobody, and asking again finds nothing of her.
    view = await client.get(f"/api/v1/waitlist/{olga['reference']}", headers=bearer(olga["token"]))
    assert NAME not in view.text
    assert JOINED_WITH.casefold() not in view.text.casefold()
    again = await export_person(app.state.engine, ASKED_WITH)
    assert again["waitlist"] == []
    assert digest("email:olgaold@gmail.com") not in str(await WaitlistEntry.select())
