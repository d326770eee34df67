"""Staff accounts and sessions.

Passwords are hashed with Argon2id (argon2-cffi). A login opens a session whose
random token is handed out twice: as a bearer token for API clients and as an
HttpOnly, SameSite=Strict cookie for the web console; only its SHA-256 is stored.
A front-desk account acts on its own site; an admin on every site.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from litestar import Request

from wcr.auth import bearer_token
from wcr.booking.repository import now
from wcr.catalogue import service as catalogue
from wcr.errors import Conflict, Forbidden, InvalidInput, Unauthorized
from wcr.tokens import digest

from .tables import StaffSession, StaffUser

ROLES = ("frontdesk", "admin")
SESSION_COOKIE = "wcr_staff"
SESSION_LIFETIME = timedelta(hours=12)
MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()
# Verifying against this keeps the time of a login for an unknown name like a known one.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class Staff:
    id: int
    username: str
    role: str
    site_id: int | None
    site: str | None

    def may_act_on(self, site_id: int) -> bool:
        return self.role == "admin" or self.site_id == site_id


async def create_staff(username: str, password: str, role: str, site: str | None) -> None:
    if role not in ROLES:
        raise InvalidInput.field("role", "frontdesk or admin")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput.field("password", f"at least {MIN_PASSWORD_LENGTH} characters")
    if role == "frontdesk" and not site:
        raise InvalidInput.field("site", "a front-desk account belongs to one site")
    site_row = await catalogue.site_by_slug(site) if site else None
    if await StaffUser.exists().where(StaffUser.username == username):
        raise Conflict(f"there is already an account {username!r}")
    password_hash = await asyncio.to_thread(_hasher.hash, password)
    await StaffUser.insert(
        StaffUser(
            username=username,
            password_hash=password_hash,
            role=role,
            site=site_row["id"] if site_row else None,
        )
    )


async def login(username: str, password: str) -> str:
    """A new session token for valid credentials."""
    row = await StaffUser.select().where(StaffUser.username == username).first()
    stored = row["password_hash"] if row else _DUMMY_HASH
    try:
        await asyncio.to_thread(_hasher.verify, stored, password)
    except (VerificationError, InvalidHashError):
        raise Unauthorized("wrong username or password") from None
    if row is None:
        raise Unauthorized("wrong username or password")
    token = secrets.token_urlsafe(32)
    await StaffSession.insert(
        StaffSession(token_hash=digest(token), user=row["id"], expires_at=now() + SESSION_LIFETIME)
    )
    return token


async def logout(token: str) -> None:
    await StaffSession.delete().where(StaffSession.token_hash == digest(token))


def session_token(request: Request[Any, Any, Any]) -> str | None:
    return bearer_token(request, required=False) or request.cookies.get(SESSION_COOKIE)


async def current_staff(request: Request[Any, Any, Any]) -> Staff:
    token = session_token(request)
    if not token:
        raise Unauthorized("log in first")
    return await current_staff_for_token(token)


async def current_staff_for_token(token: str) -> Staff:
    row = (
        await StaffSession.select(
            StaffSession.user.id.as_alias("id"),
            StaffSession.user.username.as_alias("username"),
            StaffSession.user.role.as_alias("role"),
            StaffSession.user._.site._.id.as_alias("site_id"),
            StaffSession.user._.site._.slug.as_alias("site"),
        )
        .where(StaffSession.token_hash == digest(token), StaffSession.expires_at > now())
        .first()
    )
    if row is None:
        raise Unauthorized("the session has ended; log in again")
    return Staff(**row)


async def staff_site(staff: Staff, site: str) -> dict[str, Any]:
    """The site row, if ``staff`` may act on it."""
    row = await catalogue.site_by_slug(site, field=None)
    if not staff.may_act_on(row["id"]):
        raise Forbidden(f"your account works at {staff.site}, not at {site}")
    return row
