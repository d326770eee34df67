"""The waitlist reacts to places that booking frees or adds."""

from __future__ import annotations

from typing import Any

from wcr.booking.public import PlaceFreed, PlacesAdded

from .offers import offer_freed

SUBSCRIPTIONS: list[tuple[type[Any], Any]] = [(PlaceFreed, offer_freed), (PlacesAdded, offer_freed)]
