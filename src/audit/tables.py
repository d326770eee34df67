"""The audit log: one row per thing someone did, never changed afterwards.

It names people only by ids and references (staff id, agency id, booking reference),
never by name or contact, so the GDPR purge has nothing to erase here and the trail
outlives it. No foreign keys: an entry must survive the record it is about.
"""

from __future__ import annotations

from piccolo.columns import JSON, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table


class AuditEntry(Table, tablename="audit_entry"):
    id: Serial  # Piccolo adds the primary key itself; this tells the type checker
    at = Timestamptz()
    actor_kind = Varchar(length=16)
    actor_id = Varchar(length=64)
    action = Varchar(length=64)
    target_kind = Varchar(length=32)
    target_id = Varchar(length=128, index=True)
    # The site the target belongs to, when known: a site admin reads only its own.
    site_id = Integer(null=True, default=None, index=True)
    address = Varchar(length=64, null=True, default=None)
    # The HTTP status of the request, None for the CLI and the worker.
    status = Integer(null=True, default=None)
    details = JSON(default="{}")
