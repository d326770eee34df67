"""A worker reads the bookings of a whole batch at once (render.contexts): each message
still gets the visit of its own booking at its own version, whatever the others in the
batch are about."""

import httpx

from tests.conftest import World, local, next_weekday
from wcr.notifications import render, repository
from wcr.notifications.tables import Message


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_one_read_for_the_batch_keeps_each_message_to_its_booking_and_version(
    world: World, client: httpx.AsyncClient
) -> None:
    day = next_weekday(3)
    first, moved_to = await world.slot(local(day, 9)), await world.slot(local(day, 11))
    other = await world.slot(local(day, 10))
    moving = (await world.book(first, email="moving@example.org")).json()
    cancelling = (await world.book(other, email="cancelling@example.org")).json()
    moved = await client.post(
        f"/api/v1/bookings/{moving['reference']}/reschedule",
        json={"slot_id": moved_to},
        headers=auth(moving["manage_token"]),
    )
    assert moved.status_code == 200, moved.text
    cancelled = await client.post(
        f"/api/v1/bookings/{cancelling['reference']}/cancel",
        headers=auth(cancelling["manage_token"]),
    )
    assert cancelled.status_code == 200, cancelled.text
    rows = await Message.select(Message.id).where(Message.channel == "email")
    messages = await repository.messages_by_id(r["id"] for r in rows)
    contexts = await render.contexts(messages)
    seen: dict[tuple[str, str], tuple[list[int], list[int]] | None] = {}
    for message in messages:
        ctx = contexts[message.id]
        who = "moving" if message.recipient.startswith("moving") else "cancelling"
        key = (who, f"{message.kind}:{message.slot_id or ''}")
        seen[key] = (
            None if ctx is None else ([s.id for _, s in ctx.visit], [s.id for _, s in ctx.removed])
        )
    assert seen[("moving", "booked:")] == ([first], [])
    # The same place in the visit, moved: its calendar event is updated, not removed.
    assert seen[("moving", "rescheduled:")] == ([moved_to], [])
    assert seen[("cancelling", "booked:")] == ([other], [])
    assert seen[("cancelling", "cancelled:")] == ([other], [])
    # Reminders stand only for an appointment still ahead of a booking still standing.
    reminders = {k: v for k, v in seen.items() if k[1].startswith("reminder")}
    assert reminders[("moving", f"reminder:{moved_to}")] == ([moved_to], [])
    assert reminders[("moving", f"reminder:{first}")] is None
    assert reminders[("cancelling", f"reminder:{other}")] is None
    # The batch's answer is each message's own, read alone.
    for message in messages:
        assert contexts[message.id] == await render.context(message)
