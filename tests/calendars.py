"""Typed reads of parsed .ics events (icalendar types a property as a union of ~30)."""

from __future__ import annotations

import icalendar


def start(vevent: icalendar.Component) -> icalendar.vDDDTypes:
    value = vevent["DTSTART"]
    assert isinstance(value, icalendar.vDDDTypes), value
    return value


def sequence(vevent: icalendar.Component) -> int:
    value = vevent["SEQUENCE"]
    assert isinstance(value, int), value  # icalendar's vInt
    return value
