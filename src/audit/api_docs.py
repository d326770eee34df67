"""The audit log's operation in the OpenAPI schema (see :mod:`wcr.api_docs`)."""

from __future__ import annotations

from wcr.api_docs import STAFF, Auth, Operation

from .guards import reader

AUTH = {
    reader: Auth(
        STAFF,
        {
            401: "no staff token or session cookie, or an expired one",
            403: "the account is a front desk's: the log is for admins and site admins",
        },
    )
}

OPERATIONS = {
    "auditLog": Operation(
        problems={
            403: "a site admin asking for another site's entries, or one of no site",
            422: "`site`: no site with that slug; `errors` names the field",
        },
    )
}
