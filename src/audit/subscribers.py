"""A booking's first entry: the visitor booked it (the public booking has no credential
for the HTTP trail to name; its reference is the visitor's id from then on). Written
in the booking's own transaction, so it exists exactly when the booking does."""

from __future__ import annotations

from wcr.booking import public as booking

from .journal import acting, record
from .records import Actor, ActorKind
from .trail import actor_of_state, client_address, current_request


async def on_booked(event: booking.BookingChanged) -> None:
    if event.change != booking.BookingChange.BOOKED:
        return  # later changes are requests the trail records
    row = await booking.booking_by_id(event.booking_id)
    if row is None:
        return
    slot_ids = [appointment.slot_id for appointment in event.appointments]
    slots = await booking.slots_by_id(slot_ids[:1])
    scope = current_request()
    actor = actor_of_state(scope.get("state", {})) if scope else acting()
    await record(
        actor or Actor(ActorKind.VISITOR, row.reference),
        "booked",
        "booking",
        row.reference,
        address=client_address(scope) if scope else None,
        site_id=slots[slot_ids[0]].site_id if slots else None,
        details={"slots": ",".join(str(i) for i in slot_ids)},
    )


SUBSCRIPTIONS = [(booking.BookingChanged, on_booked)]
