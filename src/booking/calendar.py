"""The ``.ics`` of a booking, made with icalendar: one event per appointment.

UIDs are stable per booking and position, and SEQUENCE follows the booking's version,
so importing a newer file updates the entries instead of adding new ones.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from icalendar import Alarm, Calendar, Event, Timezone
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
    zones: list[Timezone] = []
    if visit:
        first = min(as_utc(s.starts_at) for _, s in visit).date() - timedelta(days=1)
        last = max(as_utc(s.ends_at) for _, s in visit).date() + timedelta(days=1)
        zones = [_vtimezone(key, first, last) for key in sorted({s.tz.key for _, s in visit})]
    # VTIMEZONE first, as add_missing_timezones puts it, for the clients that need it
    # before the events that refer to it.
    calendar = Calendar.new(prodid=PRODID, method=method, subcomponents=[*zones, *events])
    return bytes(calendar.to_ical())


@lru_cache(maxsize=256)
def _vtimezone(key: str, first: date, last: date) -> Timezone:
    """The site's zone over the visit's days, made once for every booking of those
    days: the outbox worker sends many a day (add_missing_timezones walked the whole
    calendar for its zones and built the same VTIMEZONE again each time). The
    component is shared and must not be changed."""
    return Timezone.from_tzid(key, first_date=first, last_date=last)
