"""The SMS delivery reports in the OpenAPI schema (see :mod:`wcr.api_docs`)."""

from __future__ import annotations

from wcr.api_docs import PUBLIC, Operation

OPERATIONS = {
    # Twilio signs the form with our auth token (X-Twilio-Signature): no scheme of ours.
    "smsStatus": Operation(
        security=PUBLIC,
        problems={
            403: "a bad `X-Twilio-Signature`",
            404: "SMS are not sent through Twilio here",
        },
    )
}
