"""The staff guards and the sign-in operations in the OpenAPI schema (see
:mod:`wcr.api_docs`): every operation behind a guard gets its security and problems."""

from __future__ import annotations

from wcr.api_docs import PUBLIC, STAFF, Auth, Example, Operation

from . import guards

SIGN_IN = "no staff token or session cookie, or an expired one"
COOKIE_WRITE = (
    "a change sent with the session cookie that is not `application/json` from this "
    "site's own origin"
)
NO_SITE = "no site with that slug"

AUTH = {
    guards.staff: Auth(STAFF, {401: SIGN_IN}, write_problems={403: COOKIE_WRITE}),
    guards.admin: Auth(STAFF, {401: SIGN_IN, 403: "the account is not an admin"}),
    guards.desk_of_site: Auth(
        STAFF,
        {
            401: SIGN_IN,
            403: "`other_site`: the account works at another site",
            404: NO_SITE,
        },
        write_problems={403: COOKIE_WRITE},
    ),
    guards.site_admin: Auth(
        STAFF,
        {401: SIGN_IN, 403: "the account is no admin of this site", 404: NO_SITE},
        write_problems={403: COOKIE_WRITE},
    ),
}

OPERATIONS = {
    "login": Operation(
        security=PUBLIC,
        problems={
            401: "wrong username or password, or a disabled account",
            403: "sent by a browser from another site's page, or not as `application/json`",
            429: "too many failed attempts for this account: wait `Retry-After` seconds",
        },
        request_examples={
            "clerk": Example(
                "a front-desk clerk", {"username": "clerk", "password": "a long passphrase"}
            )
        },
        response_examples={
            200: {
                "signed in": Example(
                    "the token (also set as the session cookie)",
                    {
                        "token": "n1Xr0c3J8oR1-Wm0b2kq9Q4xT5v8yZ7a",
                        "username": "clerk",
                        "role": "frontdesk",
                        "site": "bochum",
                    },
                )
            }
        },
    ),
    # Ends the session of the token or cookie sent, if any: none is no error.
    "logout": Operation(security=PUBLIC, problems={403: COOKIE_WRITE}),
    "me": Operation(),
}
