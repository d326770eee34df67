"""What a booking change announces beyond itself, from the deployment's settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from wcr.config import Settings


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

    def manage_link(self, reference: str, token: str | None) -> str | None:
        """The visitor's private link; the token rides in the fragment, which browsers
        never send to a server. None when the token is not at hand."""
        if token is None:
            return None
        return f"{self.public_url}/manage/{reference}#t={token}"


# Tests and scripts that book without a deployment's message settings.
QUIET = Notice()
# The demo's bookings of invented people: never a message, even with real SMTP/Twilio.
SILENT = Notice(silent=True)
