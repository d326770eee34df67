"""``GET /api/v1/audit``: the log for admins (every site) and site admins (theirs)."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency

from wcr.accounts.public import PROVIDERS, Staff

from . import reading
from .guards import reader
from .params import Action, ActorKindQuery, Before, Limit, SiteQuery, TargetId, TargetKind, query
from .records import AuditEntry
from .schemas import AuditEntryView, AuditPage


def entry_view(entry: AuditEntry) -> AuditEntryView:
    return AuditEntryView(
        id=entry.id,
        at=entry.at.isoformat(),
        actor_kind=entry.actor.kind,
        actor_id=entry.actor.id,
        action=entry.action,
        target_kind=entry.target_kind,
        target_id=entry.target_id,
        site_id=entry.site_id,
        address=entry.address,
        status=entry.status,
        details=entry.details,
    )


class AuditController(Controller):
    path = "/api/v1/audit"
    tags = ["audit"]
    guards = [reader]
    dependencies = {"current": PROVIDERS["current"]}

    @get("/", operation_id="auditLog")
    async def log(
        self,
        current: NamedDependency[Staff],
        target_kind: TargetKind = None,
        target_id: TargetId = None,
        actor_kind: ActorKindQuery = None,
        action: Action = None,
        site: SiteQuery = None,
        before: Before = None,
        limit: Limit = 100,
    ) -> AuditPage:
        """Who did what to which booking, slot, ticket or setting, newest first: staff
        (by account id), agencies (by id), visitors (by booking reference), the system
        (`cli`, `purge`); refused attempts too. Admins read every site's entries (or one
        `site`'s), a site admin only its own site's; `before` pages back."""
        filters = query(
            target_kind=target_kind,
            target_id=target_id,
            actor_kind=actor_kind,
            action=action,
            site=site,
            before=before,
            limit=limit,
        )
        page = await reading.read(current, filters)
        return AuditPage(
            entries=[entry_view(entry) for entry in page.entries], next_before=page.next_before
        )
