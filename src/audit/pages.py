"""``/{lang}/admin/audit``: the log as a page for admins and site admins, rendered on
the server (a table, a filter form, paging by ``before``), no script.

The browser's staff session (the desk's login cookie) opens it; without one the page
says where to log in (401), for the front desk it says whom it is for (403)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from litestar import Controller, Request, get
from litestar.params import PathParameter
from litestar.response import Template

from wcr.accounts.public import Role, Staff, staff_of_request, team
from wcr.catalogue import public as catalogue
from wcr.config import SUPPORTED_LANGUAGES
from wcr.errors import DomainError
from wcr.i18n import Language
from wcr.timezones import zone
from wcr.web import public as web

from . import reading
from .params import Action, ActorKindQuery, Before, Limit, SiteQuery, TargetId, TargetKind, query
from .records import ActorKind, AuditEntry

LangPath = Annotated[str, PathParameter(max_length=8)]
# The zone of a page that spans sites: all of today's sites are in it.
DEFAULT_ZONE = "Europe/Berlin"
PAGE_SIZE = 50
OK_BELOW = 400
REFUSED = frozenset({401, 403, 404})


def actor_kinds(lang: Language) -> dict[str, str]:
    _ = lang.gettext
    return {
        ActorKind.STAFF: _("Staff"),
        ActorKind.AGENCY: _("Agency"),
        ActorKind.VISITOR: _("Visitor"),
        ActorKind.SYSTEM: _("System"),
        ActorKind.ANONYMOUS: _("Unknown"),
    }


@dataclass(frozen=True)
class Row:
    at: str
    at_iso: str
    actor_kind: str
    actor_id: str
    actor_name: str  # a staff account's username, where the reader may see it
    action: str
    target: str
    site: str
    address: str
    outcome: str
    refused: bool


def outcome(lang: Language, status: int | None) -> tuple[str, bool]:
    _ = lang.gettext
    if status is None or status < OK_BELOW:
        return (_("Done") if status is None else _("Done (%(status)s)") % {"status": status}), False
    if status in REFUSED:
        return _("Refused (%(status)s)") % {"status": status}, True
    return _("Failed (%(status)s)") % {"status": status}, False


def row(
    lang: Language,
    entry: AuditEntry,
    tz: ZoneInfo,
    sites: dict[int, catalogue.Site],
    names: dict[str, str],
) -> Row:
    site = sites.get(entry.site_id) if entry.site_id is not None else None
    shown, refused = outcome(lang, entry.status)
    return Row(
        # Day and time to the second, in the locale's short form: a log is scanned.
        at=format_datetime(entry.at, "medium", tzinfo=tz, locale=lang.code),
        at_iso=entry.at.isoformat(),
        actor_kind=actor_kinds(lang)[entry.actor.kind],
        actor_id=entry.actor.id,
        actor_name=names.get(entry.actor.id, "") if entry.actor.kind == ActorKind.STAFF else "",
        action=entry.action,
        target=f"{entry.target_kind} {entry.target_id}".strip(),
        site=site.slug if site else "",
        address=entry.address or "",
        outcome=shown,
        refused=refused,
    )


class AuditPages(Controller):
    include_in_schema = False

    @get("/{lang:str}/admin/audit", operation_id="auditPage")
    async def audit(
        self,
        request: Request[Any, Any, Any],
        lang: LangPath,
        target_kind: TargetKind = None,
        target_id: TargetId = None,
        actor_kind: ActorKindQuery = None,
        action: Action = None,
        site: SiteQuery = None,
        before: Before = None,
        limit: Limit = PAGE_SIZE,
    ) -> Template:
        language = web.language(lang)
        member = await staff_of_request(request)
        if member is None:
            return self._page(request, language, status_code=401, problem="login")
        if member.role not in {Role.ADMIN, Role.SITE_ADMIN}:
            return self._page(request, language, status_code=403, problem="role")
        filters = query(
            target_kind=target_kind,
            target_id=target_id,
            actor_kind=actor_kind,
            action=action,
            site=site,
            before=before,
            limit=limit,
        )
        try:
            page = await reading.read(member, filters)
        except DomainError as error:
            status = error.status
            return self._page(request, language, status_code=status, problem=error.detail)
        sites = {place.id: place for place in await catalogue.list_sites()}
        names = await team.usernames(member)
        tz = _zone(member, filters, sites)
        older = None
        if page.next_before is not None:
            kept = {k: v for k, v in request.query_params.items() if v and k != "before"}
            older = "?" + urlencode({**kept, "before": page.next_before})
        return self._page(
            request,
            language,
            rows=[row(language, entry, tz, sites, names) for entry in page.entries],
            filters=filters,
            zone=tz.key,
            older=older,
            newest=request.url.path if before else None,
            sites=[] if not member.is_admin else sorted(sites.values(), key=lambda s: s.slug),
            own_site=None if member.is_admin else member.site,
            kinds=actor_kinds(language),
        )

    def _page(
        self,
        request: Request[Any, Any, Any],
        lang: Language,
        *,
        status_code: int = 200,
        **context: Any,
    ) -> Template:
        page = web.page(
            "audit_log.html",
            lang,
            request,
            supported_languages=list(SUPPORTED_LANGUAGES),
            **context,
        )
        page.status_code = status_code
        return page


def _zone(member: Staff, filters: reading.Query, sites: dict[int, catalogue.Site]) -> ZoneInfo:
    """The zone of the viewer's site, or of the site asked for, else the default."""
    if member.site_id is not None and member.site_id in sites:
        return sites[member.site_id].tz
    for place in sites.values():
        if place.slug == filters.site:
            return place.tz
    return zone(DEFAULT_ZONE)
