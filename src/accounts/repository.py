"""Every query of staff accounts and sessions."""

from __future__ import annotations

from datetime import datetime

from .records import Credentials, Role, Staff
from .tables import StaffSession, StaffUser


async def insert_staff(username: str, password_hash: str, role: Role, site_id: int | None) -> None:
    await StaffUser.insert(
        StaffUser(username=username, password_hash=password_hash, role=role, site=site_id)
    )


async def credentials(username: str) -> Credentials | None:
    row = (
        await StaffUser.select(StaffUser.id, StaffUser.password_hash)
        .where(StaffUser.username == username)
        .first()
    )
    return Credentials(user_id=row["id"], password_hash=row["password_hash"]) if row else None


async def insert_session(token_hash: str, user_id: int, expires_at: datetime) -> None:
    await StaffSession.insert(
        StaffSession(token_hash=token_hash, user=user_id, expires_at=expires_at)
    )


async def delete_session(token_hash: str) -> None:
    await StaffSession.delete().where(StaffSession.token_hash == token_hash)


async def staff_for_session(token_hash: str, at: datetime) -> Staff | None:
    row = (
        await StaffSession.select(
            StaffSession.user.id.as_alias("id"),
            StaffSession.user.username.as_alias("username"),
            StaffSession.user.role.as_alias("role"),
            StaffSession.user._.site._.id.as_alias("site_id"),
            StaffSession.user._.site._.slug.as_alias("site"),
        )
        .where(StaffSession.token_hash == token_hash, StaffSession.expires_at > at)
        .first()
    )
    if row is None:
        return None
    return Staff(
        id=row["id"],
        username=row["username"],
        role=Role(row["role"]),
        site_id=row["site_id"],
        site=row["site"],
    )
