"""The front desk's and the live endpoints' operations in the OpenAPI schema (see
:mod:`wcr.api_docs`); the desk guards' problems are the accounts feature's. Every
problem of these endpoints carries a machine ``code`` (:mod:`.problems`)."""

from __future__ import annotations

from wcr.api_docs import MANAGE, PUBLIC, TICKET, Example, Operation, optional

NO_TICKET = "no ticket with that id (a ticket of another site: 403 `other_site`)"
WRONG_STATE = "`ticket_wrong_state`: the ticket is not in a state that allows this"
NO_COUNTER = "`counter_not_found`: no counter with that id at the site"
NO_SITE = "no site with that slug"
_TICKET_DESK = {404: NO_TICKET, 409: WRONG_STATE}

OPERATIONS = {
    "checkIn": Operation(
        problems={
            404: "`booking_not_found`: no booking with that reference",
            409: "`booking_not_active`, `no_appointment_today`, `no_queue_here`, "
            "`checked_in_already`, or `too_early` (with `opens_at`)",
        },
        request_examples={"reference": Example("a booking's reference", {"reference": "QUA4TDGT"})},
    ),
    "walkIn": Operation(
        problems={
            409: "`queue_busy`: too many tickets issued at once; try again",
            422: "a service without a queue at this site, the same service twice, a bad "
            "phone number or language; `errors` names the field",
        },
        request_examples={
            "one": Example(
                "one service",
                {"service": "residence-registration", "name": "Amira", "language": "ar"},
            )
        },
    ),
    "listCounters": Operation(),
    "siteQueue": Operation(),
    "siteToday": Operation(),
    "counterState": Operation(problems={404: NO_COUNTER}),
    "callNext": Operation(
        problems={404: NO_COUNTER, 409: "`counter_not_open`: the counter is paused or closed"}
    ),
    "callChosen": Operation(
        problems={
            404: NO_COUNTER + "; `number_not_found`: nobody waits with that number",
            409: "`counter_not_open`, or " + WRONG_STATE,
            422: "a ticket number that is not a letter and digits, or both number and id",
        }
    ),
    "recall": Operation(problems=_TICKET_DESK),
    "noShow": Operation(problems=_TICKET_DESK),
    "undoNoShow": Operation(problems={**_TICKET_DESK, 409: WRONG_STATE + "; `undo_too_late`"}),
    "finish": Operation(problems=_TICKET_DESK),
    "transfer": Operation(
        problems={
            **_TICKET_DESK,
            422: "a service without a queue at this site; `errors` names the field",
        }
    ),
    "park": Operation(problems=_TICKET_DESK),
    "unpark": Operation(problems=_TICKET_DESK),
    "note": Operation(
        problems={404: NO_TICKET, 422: "a note too long, or with control characters"}
    ),
    "siteEvents": Operation(
        security=PUBLIC,
        problems={404: NO_SITE, 429: "more open streams from this address than allowed"},
    ),
    "publicTicket": Operation(
        security=TICKET,
        problems={404: "`ticket_not_found`: no such ticket, or the token is not its own"},
    ),
    "leaveQueue": Operation(
        security=TICKET,
        problems={
            404: "`ticket_not_found`: no such ticket, or the token is not its own",
            409: WRONG_STATE + " (called or finished already)",
        },
    ),
    "remoteQueueStatus": Operation(security=PUBLIC, problems={404: NO_SITE}),
    # The manage token only for a booked visitor's check-in (`reference` in the body).
    "remoteTicket": Operation(
        security=optional(MANAGE),
        problems={
            403: "`remote_queue_off`: the site takes no remote check-ins",
            404: NO_SITE + "; for a check-in: no booking with that reference and token",
            409: "`site_closed`, or for a check-in as `checkIn`",
            422: "no phone and no e-mail, an unknown service, a bad name, phone, e-mail or "
            "language, or the challenge's `altcha` missing or wrong; `errors` names the field",
        },
    ),
}
