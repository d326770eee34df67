"""The booking feature's operations in the OpenAPI schema: who may call them, the
problems their use cases answer, examples (see :mod:`wcr.api_docs`)."""

from __future__ import annotations

from wcr.api_docs import AGENCY, MANAGE, PUBLIC, Auth, Example, Operation, optional
from wcr.api_docs.contract import COMPANY_KEY

from .deps import current_agency

AUTH = {
    current_agency: Auth(AGENCY, {401: "no agency key, or an unknown or revoked one"}),
}

NO_BOOKING = "no booking with that reference, or the token is not its own"
NOT_ACTIVE = "the booking is cancelled, or its visit has begun"
BAD_SLOTS = (
    "a slot that does not exist, slots of several sites or overlapping, or the challenge's "
    "`altcha` missing or wrong (when the challenge is on); `errors` names the field"
)
NO_SITE = "an unknown `site` or `service`, or dates out of range; `errors` names the field"
SERVICE_NOT_OURS = "the service belongs to another agency, or the agency does not serve the site"
NOT_OURS = "no slot of this agency with that id (another agency's is answered the same)"

_SLOT = {
    "slot_id": 1213,
    "position": 0,
    "site": "bochum",
    "agency": "buergerbuero-bochum",
    "service": "residence-registration",
    "service_name": "Residence registration",
    "start": "2026-12-03T12:00:00+01:00",
    "end": "2026-12-03T12:20:00+01:00",
    "site_name": "Welcome Office Bochum",
    "address": "Universitätsstraße 43, 44789 Bochum",
    "description": "Everyone who moves into a flat in Bochum must register within two weeks.",
    "bring": ["Passport or ID card", "Landlord's confirmation (Wohnungsgeberbestätigung)"],
    "text_languages": {},
}
_BOOKING = {
    "reference": "QUA4TDGT",
    "status": "confirmed",
    "name": "Amira Haddad",
    "email": "amira@example.org",
    "phone": "+4915123456789",
    "language": "en",
    "created_at": "2026-11-20T10:57:10.714689+00:00",
    "appointments": [_SLOT],
    "advice_language": "de",
    "package": None,
    "masked_email": "a•••@example.org",
    "masked_phone": "+49 151 •••• 789",
    "sms": True,
    "warnings": [],
}
_FULL = {
    "type": "about:blank",
    "status": 409,
    "title": "Conflict",
    "detail": "slot 1213 has no free place left (or is no longer bookable)",
}
_NO_SLOT = {
    "type": "about:blank",
    "status": 422,
    "title": "Invalid input",
    "detail": "slot_id: no slot 999999",
    "errors": [{"field": "slot_id", "message": "no slot 999999"}],
}

OPERATIONS = {
    "availability": Operation(
        security=PUBLIC,
        problems={422: NO_SITE},
        response_examples={
            200: {
                "slots": Example(
                    "one free place",
                    {
                        "slots": [
                            {
                                "id": 1213,
                                "site": "bochum",
                                "agency": "buergerbuero-bochum",
                                "service": "residence-registration",
                                "start": "2026-12-03T12:00:00+01:00",
                                "end": "2026-12-03T12:20:00+01:00",
                                "remaining": 1,
                                "languages": ["ar"],
                            }
                        ]
                    },
                )
            }
        },
    ),
    "freeDays": Operation(security=PUBLIC, problems={422: NO_SITE}),
    "createBooking": Operation(
        security=optional(((COMPANY_KEY,),)),
        problems={
            409: "a slot is full or no longer bookable (nothing is reserved then), or the "
            "contact (or the company) holds as many upcoming bookings as allowed",
            422: BAD_SLOTS + "; a name, e-mail, phone or language that is not valid, or "
            "neither e-mail nor phone; an unknown `package` or company key",
        },
        request_examples={
            "one": Example(
                "one appointment",
                {
                    "slot_id": 1213,
                    "name": "Amira Haddad",
                    "email": "amira@example.org",
                    "phone": "+49 151 23456789",
                    "language": "en",
                },
            ),
            "visit": Example(
                "a one-stop visit: several slots, all or none",
                {
                    "slot_ids": [1213, 1388],
                    "name": "Amira Haddad",
                    "email": "amira@example.org",
                    "language": "ar",
                    "package": "bochum-arrival",
                },
            ),
        },
        response_examples={
            201: {
                "booked": Example(
                    "booked: keep the manage_token",
                    {
                        "reference": "QUA4TDGT",
                        "manage_token": "2W-esyJX-Tm-RfdzAsgvsA",
                        "status": "confirmed",
                        "appointments": [_SLOT],
                        "manage_url": "https://termine.example/manage/QUA4TDGT#t=2W-esyJX-Tm-RfdzAsgvsA",
                        "sms": True,
                        "warnings": [],
                        "advice_language": "de",
                        "package": None,
                    },
                )
            },
            409: {"full": Example("the slot is full", _FULL)},
            422: {"unknown": Example("no such slot", _NO_SLOT)},
        },
    ),
    "getBooking": Operation(
        security=MANAGE,
        problems={404: NO_BOOKING},
        response_examples={200: {"booking": Example("a confirmed booking", _BOOKING)}},
    ),
    "cancelBooking": Operation(
        security=MANAGE,
        problems={404: NO_BOOKING, 409: NOT_ACTIVE},
        response_examples={
            200: {"cancelled": Example("cancelled", {"status": "cancelled"})},
            409: {
                "again": Example(
                    "cancelled already",
                    {
                        "type": "about:blank",
                        "status": 409,
                        "title": "Conflict",
                        "detail": "the booking is cancelled; it cannot be cancelled",
                    },
                )
            },
        },
    ),
    "rescheduleBooking": Operation(
        security=MANAGE,
        problems={
            404: NO_BOOKING,
            409: NOT_ACTIVE + "; a new slot is full (the old ones are kept then)",
            422: BAD_SLOTS + "; slots of services the booking does not have",
        },
        request_examples={
            "move": Example("to another time", {"slot_id": 1217}),
        },
        response_examples={200: {"moved": Example("the booking at its new time", _BOOKING)}},
    ),
    "dropAppointment": Operation(
        security=MANAGE,
        problems={
            404: NO_BOOKING + "; the booking has no appointment in that slot",
            409: NOT_ACTIVE + "; it is the visit's only appointment (cancel the booking), "
            "or the visit changed meanwhile",
        },
    ),
    "bookingCalendar": Operation(security=MANAGE, problems={404: NO_BOOKING}),
    # The token comes in the form body (a plain HTML form), not in a header.
    "bookingCalendarForm": Operation(security=PUBLIC, problems={404: NO_BOOKING}),
    "listPackages": Operation(security=PUBLIC),
    "visitOptions": Operation(
        security=PUBLIC,
        problems={
            422: "an unknown site, service or package, too few or too many services, "
            "or a search of too many days; `errors` names the field"
        },
    ),
    "agencyMe": Operation(),
    "publishSlots": Operation(
        problems={
            403: SERVICE_NOT_OURS,
            409: "the slot overlaps another of this service at the site, or every slot "
            "of the pattern does (or falls on a closed day)",
            422: NO_SITE + "; slots in the past or more than 2 years ahead, end before "
            "start, a pattern without slots",
        },
        request_examples={
            "one": Example(
                "one slot",
                {
                    "site": "bochum",
                    "service": "residence-registration",
                    "start": "2026-12-07T09:00:00+01:00",
                    "end": "2026-12-07T09:20:00+01:00",
                    "capacity": 1,
                },
            ),
            "pattern": Example(
                "a weekly pattern: Monday to Friday, 20-minute slots",
                {
                    "site": "bochum",
                    "service": "residence-registration",
                    "from_date": "2026-12-07",
                    "to_date": "2026-12-18",
                    "weekdays": [1, 2, 3, 4, 5],
                    "start_time": "08:00",
                    "end_time": "12:00",
                    "slot_minutes": 20,
                    "capacity": 1,
                    "languages": ["ar", "en"],
                },
            ),
        },
    ),
    "previewSlots": Operation(problems={403: SERVICE_NOT_OURS, 422: NO_SITE}),
    "agencySlots": Operation(problems={422: NO_SITE}),
    "editSlot": Operation(
        problems={
            404: NOT_OURS,
            409: "the change would leave booked places without a slot (fewer places than "
            "booked, or a booked slot moved)",
            422: "neither capacity nor start and end, end before start, or a time in the past",
        }
    ),
    "withdrawSlot": Operation(
        problems={
            404: NOT_OURS,
            409: "the slot is withdrawn already, or it has bookings (unless `force=true`)",
        }
    ),
    "agencyBookings": Operation(problems={422: NO_SITE}),
    "agencyBookingsCsv": Operation(problems={422: NO_SITE}),
    "closeDay": Operation(
        problems={
            403: "the agency does not serve the site",
            404: "a booking to move is gone meanwhile",
            409: "a booking to move changed meanwhile",
            422: NO_SITE + "; a past day, or `bookings` not keep, cancel or move",
        }
    ),
    "closedDays": Operation(problems={422: NO_SITE}),
    "reopenDay": Operation(problems={404: "no closed day of this agency with that id"}),
    # The token is in the path: calendar clients send no header.
    "agencyFeed": Operation(
        security=PUBLIC,
        problems={404: "an unknown or revoked feed token", 422: "an unknown `lang`"},
    ),
}
