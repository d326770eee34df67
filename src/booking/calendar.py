"""The ``.ics`` of a booking, made with icalendar: one event per appointment.

UIDs are stable per booking and position, and SEQUENCE follows the booking's version,
so importing a newer file updates the entries instead of adding new ones.
"""

from __future__ import annotations

from datetime import timedelta

from icalendar import Alarm, Calendar, Event
from icalendar.enums import STATUS

from wcr.timezones import as_utc

from .records import SlotFacts

PRODID = "-//WCR Welcome Centres//Appointments//EN"
UID_DOMAIN = "wcr-welcome"


def booking_calendar(
    *,
    reference: str,
    version: int,
    method: str,
    visit: list[tuple[int, SlotFacts]],
    language: str,
    manage_url: str,
    organizer: str | None = None,
    attendee: str | None = None,
) -> bytes:
    """One VEVENT per (position, slot) of the visit.

    ``method`` is PUBLISH for a download, REQUEST for an invitation by e-mail and
    CANCEL to take events out of the visitor's calendar. The UID is the booking's
    reference and the appointment's position, so a changed appointment replaces its
    old entry.
    """
    cancelled = method == "CANCEL"
    events = []
    for position, slot in visit:
        event = Event.new(
            uid=f"{reference}-{position}@{UID_DOMAIN}",
            summary=f"{slot.service_name(language)} ({reference})",
            start=as_utc(slot.starts_at).astimezone(slot.tz),
            end=as_utc(slot.ends_at).astimezone(slot.tz),
            location=f"{slot.site_name}, {slot.address}",
            description=f"{slot.site_name}\n{manage_url}",
            sequence=version,
            status=STATUS.CANCELLED if cancelled else STATUS.CONFIRMED,
            url=manage_url,
            organizer=f"mailto:{organizer}" if organizer else None,
        )
        if attendee:
            event.add("attendee", f"mailto:{attendee}")
        if not cancelled:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", event["SUMMARY"])
            alarm.add("trigger", timedelta(hours=-2))
            event.add_component(alarm)
        events.append(event)
    calendar = Calendar.new(prodid=PRODID, method=method, subcomponents=events)
    if visit:
        first = min(as_utc(s.starts_at) for _, s in visit).date() - timedelta(days=1)
        last = max(as_utc(s.ends_at) for _, s in visit).date() + timedelta(days=1)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return bytes(calendar.to_ical())
