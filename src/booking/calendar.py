"""The ``.ics`` of a booking, made with icalendar: one event per appointment.

UIDs are stable per booking and position, and SEQUENCE follows the booking's version,
so importing a newer file updates the entries instead of adding new ones.
"""

from __future__ import annotations

from datetime import timedelta

from icalendar import Alarm, Calendar, Event
from icalendar.enums import STATUS

from wcr.timezones import as_utc

from .repository import SlotFacts

PRODID = "-//WCR Welcome Centres//Appointments//EN"
UID_DOMAIN = "wcr-welcome"


def booking_calendar(
    *,
    reference: str,
    version: int,
    cancelled: bool,
    visit: list[SlotFacts],
    language: str,
    manage_url: str,
) -> bytes:
    events = []
    for position, slot in enumerate(visit):
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
        )
        if not cancelled:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", event["SUMMARY"])
            alarm.add("trigger", timedelta(hours=-2))
            event.add_component(alarm)
        events.append(event)
    calendar = Calendar.new(
        prodid=PRODID, method="CANCEL" if cancelled else "PUBLISH", subcomponents=events
    )
    if visit:
        first = min(as_utc(s.starts_at) for s in visit).date() - timedelta(days=1)
        last = max(as_utc(s.ends_at) for s in visit).date() + timedelta(days=1)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()
