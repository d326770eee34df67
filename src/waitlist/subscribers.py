"""The waitlist reacts to places that booking frees or adds."""

from __future__ import annotations

from typing import Any

from wcr.booking.public import PlaceFreed, PlacesAdded, SlotsWithdrawn

from .offers import offer_freed, offers_withdrawn

SUBSCRIPTIONS: list[tuple[type[Any], Any]] = [
    (PlaceFreed, offer_freed),
    (PlacesAdded, offer_freed),
    (SlotsWithdrawn, offers_withdrawn),
]
