"""The waitlist's operations in the OpenAPI schema (see :mod:`wcr.api_docs`)."""

from __future__ import annotations

from wcr.api_docs import PUBLIC, Example, Operation

OPERATIONS = {
    "joinWaitlist": Operation(
        security=PUBLIC,
        problems={
            409: "the contact already waits for this service (or set of services)",
            422: "an unknown site, service or package; none or more than one of `service`, "
            "`services` and `package` (each given is named); `services` not 2 to 5 "
            "different ones; a package of another site (`site`) or a range without one "
            "of its weekdays (`from`); days that are not valid (past, reversed, too far), "
            "`earliest` or `latest` not a time as HH:MM, or `latest` not after `earliest`; "
            "a name, e-mail, phone or language that is not valid, or no e-mail nor phone; "
            "a missing or wrong `altcha` with the challenge on",
        },
        request_examples={
            "service": Example(
                "one service, on any day of a range, in the morning",
                {
                    "site": "bochum",
                    "service": "registration",
                    "from": "2026-12-07",
                    "to": "2026-12-18",
                    "earliest": "08:00",
                    "latest": "12:00",
                    "name": "Amira Haddad",
                    "email": "amira@example.org",
                    "language": "en",
                },
            ),
            "package": Example(
                "a one-stop visit: held only when a freed place completes a whole visit",
                {
                    "site": "bochum",
                    "package": "bochum-arrival",
                    "from": "2026-12-07",
                    "to": "2026-12-31",
                    "name": "Amira Haddad",
                    "phone": "+49 151 23456789",
                    "language": "ar",
                },
            ),
            "services": Example(
                "a one-stop visit of services of one's choice",
                {
                    "site": "bochum",
                    "services": ["registration", "recognition"],
                    "name": "Amira Haddad",
                    "email": "amira@example.org",
                },
            ),
        },
    ),
    "waitlistEntry": Operation(security=PUBLIC, problems={404: "no such entry, or wrong token"}),
    "claimWaitlistOffer": Operation(
        security=PUBLIC,
        problems={404: "no such entry, or wrong token", 409: "no place held (any more)"},
    ),
    "agencyWaitlist": Operation(
        problems={422: "`to` before `from`, more than 92 days, or a day that is not valid"},
    ),
    "leaveWaitlist": Operation(
        security=PUBLIC,
        problems={404: "no such entry, or wrong token", 409: "the entry ended already"},
    ),
}
