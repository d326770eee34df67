"""What other features use of booking."""

from . import feeds, packages  # the admin's feed tokens and one-stop packages
from .bookings import appointments_view, authorised_booking
from .calendar import booking_calendar
from .companies import mint_key as mint_company_key
from .contact import clean_email, clean_name, clean_phone, mailbox
from .events import BookingChange, BookingChanged, FreedBecause, PlaceFreed, TimedAppointment
from .links import message_link
from .records import AppointmentStatus, AppointmentStep, BookingRecord, BookingStatus, SlotFacts
from .repository import (
    appointment_steps,
    booking_by_id,
    booking_by_reference,
    bookings_by_id,
    itinerary,
    slots_by_id,
)

__all__ = [
    "AppointmentStatus",
    "AppointmentStep",
    "BookingChange",
    "BookingChanged",
    "BookingRecord",
    "BookingStatus",
    "FreedBecause",
    "PlaceFreed",
    "SlotFacts",
    "TimedAppointment",
    "appointment_steps",
    "appointments_view",
    "authorised_booking",
    "booking_by_id",
    "booking_by_reference",
    "booking_calendar",
    "bookings_by_id",
    "clean_email",
    "clean_name",
    "clean_phone",
    "feeds",
    "itinerary",
    "mailbox",
    "message_link",
    "mint_company_key",
    "packages",
    "slots_by_id",
]

# --- data protection (wcr.privacy): finding, cancelling and erasing a visitor's data ---
from .bookings import cancel_booking
from .contact import Contact
from .repository import (
    bookings_of_contact,
    bookings_visited_before,
    confirmed_ahead,
    contact_keys_of,
    erase_bookings,
    forget_contact_locks,
    held_appointments,
    silence_bookings,
    unused_contact_locks,
)

__all__ += [
    "Contact",
    "bookings_of_contact",
    "bookings_visited_before",
    "cancel_booking",
    "confirmed_ahead",
    "contact_keys_of",
    "erase_bookings",
    "forget_contact_locks",
    "held_appointments",
    "silence_bookings",
    "unused_contact_locks",
]

# --- statistics (wcr.stats): appointments per service and local day -------------------
from .repository import appointment_days  # noqa: E402 - a block of its own, after the others
from .stats_records import AppointmentDay  # noqa: E402 - a block of its own, after the others

__all__ += ["AppointmentDay", "appointment_days"]

# --- the waitlist (wcr.waitlist): places held for an entry, then booked on claiming ---
from .contact import clean_contact  # noqa: E402 - a block of its own, after the others
from .events import PlacesAdded, SlotsWithdrawn  # noqa: E402 - a block of its own
from .held import book_held, give_back_place, take_held_place  # noqa: E402 - a block of its own
from .notice import Notice  # noqa: E402 - a block of its own, after the others

__all__ += [
    "Notice",
    "PlacesAdded",
    "SlotsWithdrawn",
    "book_held",
    "clean_contact",
    "give_back_place",
    "take_held_place",
]

# --- the waitlist's join form: its field errors in the words of the details step ---
from .pages import contact_errors  # noqa: E402 - a block of its own, after the others

__all__ += ["contact_errors"]

# --- the waitlist's one-stop entries: what to wait for, and the visits a place completes ---
from .held import take_other_place, visits_through  # noqa: E402 - a block of its own, after the others
from .visits import describe_schedule  # noqa: E402 - a block of its own, after the others
from .visits import resolve as resolve_visit  # noqa: E402 - a block of its own, after the others

__all__ += ["describe_schedule", "resolve_visit", "take_other_place", "visits_through"]

# --- the waitlist's counts in the agency portal: the agency of the request's key ---
from .deps import current_agency  # noqa: E402 - a block of its own, after the others

__all__ += ["current_agency"]

# --- the waitlist's join form for a package: its days in the visitor's language ---
from .pages import package_days_hint  # noqa: E402 - a block of its own, after the others

__all__ += ["package_days_hint"]
