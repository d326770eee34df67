"""Delivery reports: what the SMS provider tells us after it accepted a message."""

from __future__ import annotations

from typing import Any

from piccolo.engine.base import Engine

from wcr.database import write_transaction

from . import repository
from .records import SmsDelivery

# Twilio's final MessageStatus values, as we keep them; the others (queued, sent, …)
# are on the way and change nothing.
TWILIO_STATUSES = {
    "delivered": SmsDelivery.DELIVERED,
    "failed": SmsDelivery.FAILED,
    "undelivered": SmsDelivery.FAILED,
}


async def record_sms_status(engine: Engine[Any], provider_id: str | None, status: str) -> None:
    """Twilio's ``MessageStatus`` for its ``MessageSid``, on the message it belongs to."""
    delivery = TWILIO_STATUSES.get(status)
    if delivery is None or not provider_id:
        return
    async with write_transaction(engine):
        await repository.set_delivery(provider_id, delivery)
