"""What other features use of booking."""

from .bookings import appointments_view, authorised_booking
from .calendar import booking_calendar
from .companies import mint_key as mint_company_key
from .contact import clean_email, clean_name, clean_phone, mailbox
from .events import BookingChange, BookingChanged, FreedBecause, PlaceFreed, TimedAppointment
from .links import message_link
from .records import AppointmentStatus, BookingRecord, BookingStatus, SlotFacts
from .repository import (
    booking_by_id,
    booking_by_reference,
    itinerary,
    positions,
    positions_at,
    positions_ended_at,
    slots_by_id,
)

__all__ = [
    "AppointmentStatus",
    "BookingChange",
    "BookingChanged",
    "BookingRecord",
    "BookingStatus",
    "FreedBecause",
    "PlaceFreed",
    "SlotFacts",
    "TimedAppointment",
    "appointments_view",
    "authorised_booking",
    "booking_by_id",
    "booking_by_reference",
    "booking_calendar",
    "clean_email",
    "clean_name",
    "clean_phone",
    "itinerary",
    "mailbox",
    "message_link",
    "mint_company_key",
    "positions",
    "positions_at",
    "positions_ended_at",
    "slots_by_id",
]
