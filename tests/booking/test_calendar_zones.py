"""The .ics carries the VTIMEZONE of each site's zone over the visit's days (made once
per zone and days, shared by the calendars of those days), and the times resolve to
the right instants across the clock changes of Europe/Berlin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from tests.calendars import start
from wcr.booking.calendar import booking_calendar
from wcr.booking.records import SlotFacts

BERLIN = ZoneInfo("Europe/Berlin")
LISBON = ZoneInfo("Europe/Lisbon")


def slot(slot_id: int, at: datetime, tz: ZoneInfo = BERLIN) -> SlotFacts:
    return SlotFacts(
        id=slot_id,
        site_id=1,
        site="bochum",
        site_name="Welcome Office Bochum",
        address="Universitätsstraße 43",
        tz=tz,
        agency_id=1,
        agency="citizens",
        service_id=1,
        service="registration",
        service_names={"en": "Residence registration"},
        starts_at=at.astimezone(UTC),
        ends_at=(at + timedelta(minutes=30)).astimezone(UTC),
        capacity=1,
        booked=1,
        withdrawn=False,
    )


def parsed(*visit: SlotFacts, reference: str = "ABCD2345") -> icalendar.Calendar:
    ics = booking_calendar(
        reference=reference,
        version=1,
        method="REQUEST",
        visit=list(enumerate(visit)),
        language="en",
        manage_url="https://example.org/en/manage/ABCD2345",
    )
    return icalendar.Calendar.from_ical(ics)


def test_an_appointment_on_each_clock_change_day_is_at_its_instant() -> None:
    # Last Sunday of March 2027 (02:00 -> 03:00) and of October 2027 (03:00 -> 02:00).
    for local, utc_hour in [
        (datetime(2027, 3, 28, 9, tzinfo=BERLIN), 7),
        (datetime(2027, 10, 31, 9, tzinfo=BERLIN), 8),
        (datetime(2027, 3, 27, 9, tzinfo=BERLIN), 8),
    ]:
        calendar = parsed(slot(1, local))
        [zone] = calendar.walk("VTIMEZONE")
        assert zone["TZID"] == "Europe/Berlin"
        [event] = calendar.walk("VEVENT")
        assert start(event).params["TZID"] == "Europe/Berlin"
        begins = start(event).dt
        assert isinstance(begins, datetime)
        assert begins.astimezone(UTC).hour == utc_hour
        # The zone's own rules, as a client without a zone database reads them.
        offsets = {c["TZOFFSETTO"].to_ical() for c in zone.walk() if "TZOFFSETTO" in c}
        assert offsets == ({"+0100", "+0200"} if local.day != 27 else {"+0100"})


def test_calendars_of_one_day_share_the_zone_and_differ_in_their_events() -> None:
    day = datetime(2027, 3, 28, 9, tzinfo=BERLIN)
    one, two = parsed(slot(1, day)), parsed(slot(2, day + timedelta(hours=2)), reference="WXYZ6789")
    assert one.walk("VTIMEZONE")[0].to_ical() == two.walk("VTIMEZONE")[0].to_ical()
    assert [str(e["UID"]) for e in one.walk("VEVENT")] == ["ABCD2345-0@wcr-welcome"]
    assert [str(e["UID"]) for e in two.walk("VEVENT")] == ["WXYZ6789-0@wcr-welcome"]
    assert start(two.walk("VEVENT")[0]).dt == day + timedelta(hours=2)


def test_a_visit_over_two_zones_has_both_and_each_event_its_own() -> None:
    day = datetime(2027, 10, 31, 9, tzinfo=BERLIN)
    calendar = parsed(slot(1, day), slot(2, day + timedelta(hours=3), LISBON))
    assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == [
        "Europe/Berlin",
        "Europe/Lisbon",
    ]
    assert [start(e).params["TZID"] for e in calendar.walk("VEVENT")] == [
        "Europe/Berlin",
        "Europe/Lisbon",
    ]
    # VTIMEZONE before the events that refer to it.
    names = [c.name for c in calendar.subcomponents]
    assert names == ["VTIMEZONE", "VTIMEZONE", "VEVENT", "VEVENT"]
