"""Every query of staff accounts and sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from wcr.timezones import as_utc

from .records import Credentials, Role, Staff, StaffAccount
from .tables import StaffLoginAttempt, StaffSession, StaffUser


async def insert_staff(username: str, password_hash: str, role: Role, site_id: int | None) -> int:
    rows = await StaffUser.insert(
        StaffUser(username=username, password_hash=password_hash, role=role, site=site_id)
    ).returning(StaffUser.id)
    return int(rows[0]["id"])


async def credentials(username: str) -> Credentials | None:
    row = (
        await StaffUser.select(StaffUser.id, StaffUser.password_hash, StaffUser.disabled_at)
        .where(StaffUser.username == username)
        .first()
    )
    if row is None:
        return None
    return Credentials(
        user_id=row["id"],
        password_hash=row["password_hash"],
        disabled=row["disabled_at"] is not None,
    )


def _account(row: dict[str, Any]) -> StaffAccount:
    return StaffAccount(
        id=row["id"],
        username=row["username"],
        role=Role(row["role"]),
        site_id=row["site_id"],
        site=row["site"],
        created_at=as_utc(row["created_at"]),
        disabled_at=as_utc(row["disabled_at"]) if row["disabled_at"] else None,
    )


def _accounts() -> Any:
    return StaffUser.select(
        StaffUser.id,
        StaffUser.username,
        StaffUser.role,
        StaffUser.site.id.as_alias("site_id"),
        StaffUser.site.slug.as_alias("site"),
        StaffUser.created_at,
        StaffUser.disabled_at,
    )


async def staff_accounts(site_id: int | None = None) -> list[StaffAccount]:
    """Every account (or those of one site), by username."""
    query = _accounts().order_by(StaffUser.username)
    if site_id is not None:
        query = query.where(StaffUser.site == site_id)
    return [_account(row) for row in await query]


async def staff_account(account_id: int) -> StaffAccount | None:
    row = await _accounts().where(StaffUser.id == account_id).first()
    return _account(row) if row else None


async def set_password_hash(account_id: int, password_hash: str) -> bool:
    rows = (
        await StaffUser.update({StaffUser.password_hash: password_hash})
        .where(StaffUser.id == account_id)
        .returning(StaffUser.id)
    )
    return bool(rows)


async def set_disabled_at(account_id: int, at: datetime | None) -> bool:
    rows = (
        await StaffUser.update({StaffUser.disabled_at: at})
        .where(StaffUser.id == account_id)
        .returning(StaffUser.id)
    )
    return bool(rows)


async def delete_sessions_of(account_id: int) -> int:
    rows = (
        await StaffSession.delete()
        .where(StaffSession.user == account_id)
        .returning(StaffSession.id)
    )
    return len(rows)


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
        .where(
            StaffSession.token_hash == token_hash,
            StaffSession.expires_at > at,
            StaffSession.user.disabled_at.is_null(),
        )
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


async def insert_attempt(username: str, address: str, at: datetime) -> int:
    rows = await StaffLoginAttempt.insert(
        StaffLoginAttempt(username=username, address=address, at=at, failed=True)
    ).returning(StaffLoginAttempt.id)
    return int(rows[0]["id"])


async def failures_before(username: str, attempt_id: int, since: datetime) -> list[datetime]:
    """When the attempts before ``attempt_id`` failed (or are still being checked),
    since ``since`` and since the account's last success; the latest first."""
    success = (
        await StaffLoginAttempt.select(StaffLoginAttempt.id)
        .where(
            StaffLoginAttempt.username == username,
            StaffLoginAttempt.failed.eq(False),  # noqa: FBT003 - a column value
            StaffLoginAttempt.id < attempt_id,
        )
        .order_by(StaffLoginAttempt.id, ascending=False)
        .first()
    )
    rows = (
        await StaffLoginAttempt.select(StaffLoginAttempt.at)
        .where(
            StaffLoginAttempt.username == username,
            StaffLoginAttempt.failed.eq(True),  # noqa: FBT003 - a column value
            StaffLoginAttempt.id < attempt_id,
            StaffLoginAttempt.id > (success["id"] if success else 0),
            StaffLoginAttempt.at >= since,
        )
        .order_by(StaffLoginAttempt.at, ascending=False)
    )
    return [row["at"] for row in rows]


async def delete_attempt(attempt_id: int) -> None:
    await StaffLoginAttempt.delete().where(StaffLoginAttempt.id == attempt_id)


async def mark_succeeded(attempt_id: int) -> None:
    await StaffLoginAttempt.update({StaffLoginAttempt.failed: False}).where(
        StaffLoginAttempt.id == attempt_id
    )
