"""Staff accounts and sessions.

Passwords are hashed with Argon2id (argon2-cffi). A login opens a session whose
random token is handed out twice: as a bearer token for API clients and as an
HttpOnly, SameSite=Strict cookie for the web console (Secure when WCR_PUBLIC_URL is
https); only its SHA-256 is stored. Logins are slowed per account after repeated
failures (:func:`login`).
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import secrets
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from litestar.connection import ASGIConnection
from piccolo.engine.base import Engine

from wcr.auth import bearer_token
from wcr.catalogue import public as catalogue
from wcr.clock import now
from wcr.database import is_unique_violation, write_transaction
from wcr.errors import (
    Conflict,
    ErrorCode,
    InvalidInput,
    TooManyRequests,
    Unauthorized,
    field_error,
)
from wcr.tokens import digest

from . import repository as repo
from .records import Role, Staff

log = logging.getLogger("wcr.accounts")
SESSION_COOKIE = "wcr_staff"
SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200  # the login body's limit
MAX_TOKEN = 256  # longer is no session token of ours: not even looked up
_hasher = PasswordHasher()
# Verifying against this keeps the time of a login for an unknown name like a known one.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput.field(
            "password",
            f"at least {MIN_PASSWORD_LENGTH} characters",
            ErrorCode.TOO_SHORT,
            n=MIN_PASSWORD_LENGTH,
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput.field(
            "password",
            f"at most {MAX_PASSWORD_LENGTH} characters",
            ErrorCode.TOO_LONG,
            n=MAX_PASSWORD_LENGTH,
        )


async def hash_password(password: str) -> str:
    check_password(password)
    return await asyncio.to_thread(_hasher.hash, password)


async def create_staff(
    username: str,
    password: str,
    role: str,
    site: str | None,
    *,
    engine: Engine[Any] | None = None,
) -> int:
    """A new account; its id. With ``engine``, in a write transaction of its own."""
    try:
        chosen = Role(role)
    except ValueError:
        roles = ", ".join(Role)
        raise InvalidInput.field("role", roles, ErrorCode.BAD_ROLE, roles=roles) from None
    if not USERNAME.fullmatch(username):
        raise InvalidInput.field(
            "username",
            "up to 64 letters, digits or . _ @ -, starting with a letter or digit",
            ErrorCode.BAD_USERNAME,
        )
    check_password(password)
    if chosen != Role.ADMIN and not site:
        raise InvalidInput.field(
            "site",
            f"a {chosen} account belongs to one site",
            ErrorCode.SITE_REQUIRED,
            role=str(chosen),
        )
    site_row = await catalogue.site_by_slug(site) if site else None
    password_hash = await hash_password(password)
    try:
        # The unique username decides, not a look-up before the insert.
        if engine is None:
            return await repo.insert_staff(
                username, password_hash, chosen, site_row.id if site_row else None
            )
        async with write_transaction(engine):
            return await repo.insert_staff(
                username, password_hash, chosen, site_row.id if site_row else None
            )
    except Exception as error:
        if is_unique_violation(error):
            raise Conflict(
                f"there is already an account {username!r}",
                errors=[field_error("username", "taken", ErrorCode.TAKEN)],
            ) from None
        raise


# An account that failed this often within the window waits after each further failure:
# 30 s after the fifth, doubling with every one more, at most the window itself.
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
FIRST_WAIT = timedelta(seconds=30)
MAX_ADDRESS = 64  # the column's length


def wait_after(failures: int) -> timedelta:
    """How long after its latest failure an account with ``failures`` recent failures
    must wait before the next attempt is checked."""
    if failures < MAX_FAILURES:
        return timedelta(0)
    doublings = min(failures - MAX_FAILURES, 16)
    return min(FIRST_WAIT * (1 << doublings), FAILURE_WINDOW)


async def login(engine: Engine[Any], username: str, password: str, address: str = "") -> str:
    """A new session token for valid credentials.

    Every attempt is written down first, on its own (committed at once, so attempts
    running in parallel see each other), and counts as a failure until the password
    proved right: a burst of guesses cannot slip past the count while the hash is being
    checked. An attempt refused for waiting is removed again (it guessed nothing) and
    answers 429 with Retry-After. The password is never written anywhere.
    """
    at = now()
    address = address[:MAX_ADDRESS]
    attempt = await repo.insert_attempt(username, address, at)
    failures = await repo.failures_before(username, attempt, at - FAILURE_WINDOW)
    wait = wait_after(len(failures))
    if wait:
        ready = failures[0] + wait
        if ready > at:
            await repo.delete_attempt(attempt)
            seconds = max(1, math.ceil(min(ready - at, wait).total_seconds()))
            log.warning(
                "login refused for %r from %s: %d failures, wait %d s",
                username,
                address,
                len(failures),
                seconds,
            )
            raise TooManyRequests(
                f"too many failed logins for this account; try again in {seconds} s",
                retry_after=seconds,
            )
    found = await repo.credentials(username)
    try:
        await asyncio.to_thread(
            _hasher.verify, found.password_hash if found else _DUMMY_HASH, password
        )
    except (VerificationError, InvalidHashError):
        found = None
    if found is None:
        log.warning("login failed for %r from %s", username, address)
        raise Unauthorized("wrong username or password")
    if found.disabled:
        # Said only to whoever knows the password: the attempt stays counted as failed.
        log.warning("login of disabled account %r from %s", username, address)
        raise Unauthorized("this account is disabled; ask an admin")
    token = secrets.token_urlsafe(32)
    async with write_transaction(engine):
        await repo.mark_succeeded(attempt)
        await repo.insert_session(digest(token), found.user_id, now() + SESSION_LIFETIME)
    return token


async def logout(token: str) -> None:
    await repo.delete_session(digest(token))


def session_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    return bearer_token(connection, required=False) or connection.cookies.get(SESSION_COOKIE)


def secure_cookie(public_url: str) -> bool:
    """The session cookie travels over HTTPS only where the service is served so."""
    return public_url.lower().startswith("https://")


async def staff_of_request(connection: ASGIConnection[Any, Any, Any, Any]) -> Staff | None:
    """The staff member whose session the request carries, or None (no token, or one of
    no session: a visitor's manage or ticket token, an ended session). Looked up once
    per request and kept on its state, where the guards find it."""
    state = connection.state
    known = state.get("staff")
    if isinstance(known, Staff):
        return known
    if state.get("staff_checked"):
        return None
    state["staff_checked"] = True
    token = session_token(connection)
    if not token or len(token) > MAX_TOKEN:
        return None
    found = await repo.staff_for_session(digest(token), now())
    if found is not None:
        state["staff"] = found
    return found


async def staff_for_token(token: str) -> Staff:
    staff = await repo.staff_for_session(digest(token), now())
    if staff is None:
        raise Unauthorized("the session has ended; log in again")
    return staff
