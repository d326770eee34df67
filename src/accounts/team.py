"""The staff accounts an admin looks after: listing, creating, a new password,
disabling and enabling. Who may do it is decided here (:meth:`Staff.may_manage`): an
admin for every account, a site admin for the desk and site admins of its own site;
anyone else is refused (403), whatever a crafted request asks.

A new password and a disabled account end the account's sessions in the same
transaction: whoever was signed in with the old password, or is no longer welcome,
is signed out at once.
"""

from __future__ import annotations

from typing import Any

from piccolo.engine.base import Engine

from wcr.catalogue import public as catalogue
from wcr.clock import now
from wcr.database import write_transaction
from wcr.errors import ErrorCode, Forbidden, InvalidInput, NotFound

from . import repository as repo
from .records import Role, Staff, StaffAccount
from .service import create_staff, hash_password


def _may_list(actor: Staff) -> None:
    if not (actor.is_admin or actor.role == Role.SITE_ADMIN):
        raise Forbidden("this needs an admin account", code=ErrorCode.ADMIN_ONLY)


async def accounts(actor: Staff) -> list[StaffAccount]:
    """Every account for an admin; a site admin's own site's accounts."""
    _may_list(actor)
    return await repo.staff_accounts(None if actor.is_admin else actor.site_id)


async def usernames(actor: Staff) -> dict[str, str]:
    """Account id (as the audit log names staff) to username, of the accounts the actor
    may list; none for a role that lists none."""
    try:
        found = await accounts(actor)
    except Forbidden:
        return {}
    return {str(staff.id): staff.username for staff in found}


async def account(actor: Staff, account_id: int) -> StaffAccount:
    """One account the actor may manage: 404 if unknown, 403 if another site's."""
    _may_list(actor)
    found = await repo.staff_account(account_id)
    if found is None:
        raise NotFound(
            f"no account {account_id}", code=ErrorCode.NO_ACCOUNT, params={"id": account_id}
        )
    if not actor.may_manage(found.role, found.site_id):
        raise Forbidden("this account is not one you manage", code=ErrorCode.NOT_YOUR_ACCOUNT)
    return found


async def add_account(
    engine: Engine[Any],
    actor: Staff,
    *,
    username: str,
    password: str,
    role: str,
    site: str | None,
) -> int:
    """A new account the actor may make (a site admin: at its own site, not an admin)."""
    _may_list(actor)
    try:
        chosen = Role(role)
    except ValueError:
        roles = ", ".join(Role)
        raise InvalidInput.field("role", roles, ErrorCode.BAD_ROLE, roles=roles) from None
    if not actor.is_admin:
        site_row = await catalogue.site_by_slug(site) if site else None
        if chosen == Role.ADMIN or (site_row is not None and site_row.id != actor.site_id):
            raise Forbidden(
                "you may add accounts of your own site only, and no admins",
                code=ErrorCode.ACCOUNT_OUT_OF_REACH,
            )
        site = actor.site  # a site admin's new accounts work at its own site
    return await create_staff(username, password, role, site, engine=engine)


async def reset_password(
    engine: Engine[Any], actor: Staff, account_id: int, password: str
) -> StaffAccount:
    """A new password; the account's sessions end."""
    found = await account(actor, account_id)
    password_hash = await hash_password(password)
    async with write_transaction(engine):
        await repo.set_password_hash(found.id, password_hash)
        await repo.delete_sessions_of(found.id)
    return found


async def set_disabled(
    engine: Engine[Any], actor: Staff, account_id: int, *, disabled: bool
) -> StaffAccount:
    """Disable (its sessions end, it cannot sign in) or enable an account. Nobody
    disables their own: the last admin would lock everyone out."""
    found = await account(actor, account_id)
    if disabled and found.id == actor.id:
        raise InvalidInput.field(
            "disabled", "you cannot disable your own account", ErrorCode.OWN_ACCOUNT
        )
    async with write_transaction(engine):
        await repo.set_disabled_at(found.id, now() if disabled else None)
        if disabled:
            await repo.delete_sessions_of(found.id)
    return await account(actor, account_id)
