"""Who works here and what they may do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    FRONTDESK = "frontdesk"  # the desk of one site
    SITE_ADMIN = "site_admin"  # the desk and the settings of one site
    ADMIN = "admin"  # everything, every site


@dataclass(frozen=True)
class Staff:
    id: int
    username: str
    role: Role
    site_id: int | None
    site: str | None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def may_act_on(self, site_id: int) -> bool:
        """The desk of ``site_id``: admins everywhere, everyone else at their own site."""
        return self.is_admin or self.site_id == site_id

    def may_administer(self, site_id: int) -> bool:
        return self.is_admin or (self.role == Role.SITE_ADMIN and self.site_id == site_id)

    def may_manage(self, role: Role, site_id: int | None) -> bool:
        """Create, reset or disable an account of ``role`` at ``site_id``: admins any,
        a site admin the desk and site admins of its own site, nobody else."""
        if self.is_admin:
            return True
        return (
            self.role == Role.SITE_ADMIN
            and role != Role.ADMIN
            and site_id is not None
            and site_id == self.site_id
        )


@dataclass(frozen=True)
class StaffAccount:
    """An account as the admin pages list it (never its password hash)."""

    id: int
    username: str
    role: Role
    site_id: int | None
    site: str | None
    created_at: datetime
    disabled_at: datetime | None

    @property
    def disabled(self) -> bool:
        return self.disabled_at is not None


@dataclass(frozen=True)
class Credentials:
    """What a login checks a password against."""

    user_id: int
    password_hash: str
    disabled: bool = False
