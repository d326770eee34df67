"""The waitlist's operations in the OpenAPI schema (see :mod:`wcr.api_docs`)."""

from __future__ import annotations

from wcr.api_docs import PUBLIC, Operation

OPERATIONS = {
    "joinWaitlist": Operation(
        security=PUBLIC,
        problems={
            409: "the contact already waits for this service",
            422: "an unknown site or service, days that are not valid (past, reversed, too "
            "far), a name, e-mail, phone or language that is not valid, or no e-mail nor "
            "phone; a missing or wrong `altcha` with the challenge on",
        },
    ),
    "waitlistEntry": Operation(security=PUBLIC, problems={404: "no such entry, or wrong token"}),
    "claimWaitlistOffer": Operation(
        security=PUBLIC,
        problems={404: "no such entry, or wrong token", 409: "no place held (any more)"},
    ),
    "leaveWaitlist": Operation(
        security=PUBLIC,
        problems={404: "no such entry, or wrong token", 409: "the entry ended already"},
    ),
}
