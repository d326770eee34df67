"""Reading the log as a staff member may: an admin every entry (or one site's), a site
admin only its own site's."""

from __future__ import annotations

from dataclasses import dataclass

from wcr.accounts.public import Staff
from wcr.catalogue import public as catalogue
from wcr.errors import Forbidden

from .journal import entries
from .records import ActorKind, AuditEntry


@dataclass(frozen=True)
class Query:
    target_kind: str | None = None
    target_id: str | None = None
    actor_kind: ActorKind | None = None
    action: str | None = None
    site: str | None = None  # slug
    before: int | None = None
    limit: int = 50


@dataclass(frozen=True)
class Page:
    entries: list[AuditEntry]
    next_before: int | None  # the ``before`` of the next (older) page, None at the end


async def read(member: Staff, query: Query) -> Page:
    site_id: int | None = None
    if query.site:
        site_id = (await catalogue.site_by_slug(query.site)).id
    if not member.is_admin:
        if site_id is not None and site_id != member.site_id:
            raise Forbidden(f"your account reads the log of {member.site} only")
        site_id = member.site_id
        if site_id is None:  # a site admin without a site reads nothing
            raise Forbidden("your account belongs to no site")
    found = await entries(
        target_kind=query.target_kind,
        target_id=query.target_id,
        actor_kind=query.actor_kind,
        action=query.action,
        site_id=site_id,
        before_id=query.before,
        limit=query.limit + 1,
    )
    more = len(found) > query.limit
    shown = found[: query.limit]
    return Page(shown, shown[-1].id if more and shown else None)
