"""Staff accounts and their sessions.

The tables were created by the queue app's first migration; the accounts app took them
over with migrations that change nothing in the database (``fake=True``), so Piccolo's
snapshots stay right for ``--auto`` in both apps.
"""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from wcr.catalogue.tables import Site


class StaffUser(Table, tablename="staff_user"):
    id: Serial
    username = Varchar(length=64, unique=True)
    password_hash = Varchar(length=200)
    # frontdesk or site_admin (one site), or admin (every site): records.Role
    role = Varchar(length=16, default="frontdesk")
    site = ForeignKey(references=Site, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    # Set by an admin: the account cannot sign in and its sessions were ended.
    disabled_at = Timestamptz(null=True, default=None)


class StaffSession(Table, tablename="staff_session"):
    id: Serial
    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(references=StaffUser, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()


class StaffLoginAttempt(Table, tablename="staff_login_attempt"):
    """Every login attempt, kept as the record of failures and counted by the throttle.
    ``failed`` is true from the insert on (an attempt still being checked counts too)
    and turns false when the password was right. Never the password itself."""

    id: Serial
    username = Varchar(length=64, index=True)
    address = Varchar(length=64)
    at = Timestamptz()
    failed = Boolean(default=True)
