"""Staff accounts and sessions.

Passwords are hashed with Argon2id (argon2-cffi). A login opens a session whose
random token is handed out twice: as a bearer token for API clients and as an
HttpOnly, SameSite=Strict cookie for the web console; only its SHA-256 is stored.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from litestar.connection import ASGIConnection

from wcr.auth import bearer_token
from wcr.catalogue import public as catalogue
from wcr.clock import now
from wcr.database import is_unique_violation
from wcr.errors import Conflict, InvalidInput, Unauthorized
from wcr.tokens import digest

from . import repository as repo
from .records import Role, Staff

SESSION_COOKIE = "wcr_staff"
SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()
# Verifying against this keeps the time of a login for an unknown name like a known one.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


async def create_staff(username: str, password: str, role: str, site: str | None) -> None:
    try:
        chosen = Role(role)
    except ValueError:
        raise InvalidInput.field("role", ", ".join(Role)) from None
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput.field("password", f"at least {MIN_PASSWORD_LENGTH} characters")
    if chosen != Role.ADMIN and not site:
        raise InvalidInput.field("site", f"a {chosen} account belongs to one site")
    site_row = await catalogue.site_by_slug(site) if site else None
    password_hash = await asyncio.to_thread(_hasher.hash, password)
    try:
        # The unique username decides, not a look-up before the insert.
        await repo.insert_staff(username, password_hash, chosen, site_row.id if site_row else None)
    except Exception as error:
        if is_unique_violation(error):
            raise Conflict(f"there is already an account {username!r}") from None
        raise


async def login(username: str, password: str) -> str:
    """A new session token for valid credentials."""
    found = await repo.credentials(username)
    try:
        await asyncio.to_thread(
            _hasher.verify, found.password_hash if found else _DUMMY_HASH, password
        )
    except (VerificationError, InvalidHashError):
        raise Unauthorized("wrong username or password") from None
    if found is None:
        raise Unauthorized("wrong username or password")
    token = secrets.token_urlsafe(32)
    await repo.insert_session(digest(token), found.user_id, now() + SESSION_LIFETIME)
    return token


async def logout(token: str) -> None:
    await repo.delete_session(digest(token))


def session_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    return bearer_token(connection, required=False) or connection.cookies.get(SESSION_COOKIE)


async def staff_for_token(token: str) -> Staff:
    staff = await repo.staff_for_session(digest(token), now())
    if staff is None:
        raise Unauthorized("the session has ended; log in again")
    return staff
