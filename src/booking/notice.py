"""What a booking change announces beyond itself, from the deployment's settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from wcr.config import Settings

from .links import manage_url


@dataclass(frozen=True)
class Notice:
    """Reminder offsets before each appointment, and the base of the manage link."""

    reminders: tuple[timedelta, ...] = ()
    public_url: str = ""
    # A silent booking tells nobody anything, now or at any later change.
    silent: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> Notice:
        return cls(reminders=settings.reminder_offsets, public_url=settings.public_url)

    def manage_link(self, reference: str, token: str) -> str:
        """The visitor's private link with the manage token (shown once, at booking;
        messages carry a link token instead, :mod:`.links`)."""
        return manage_url(self.public_url, reference, token)


# Tests and scripts that book without a deployment's message settings.
QUIET = Notice()
# The demo's bookings of invented people: never a message, even with real SMTP/Twilio.
SILENT = Notice(silent=True)
