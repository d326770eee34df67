"""A record's recent changes on its edit page, from the audit log (:mod:`wcr.audit`):
when, who (the staff account's name where we know it), what, and how it ended."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wcr.accounts.public import Staff, team
from wcr.audit import public as audit
from wcr.i18n import Language

from .messages import N_

RECENT = 10
REFUSED = frozenset({401, 403})
NOT_FOUND = 404
BAD_REQUEST = 400


# The admin pages' own actions in words; anyone else's (an agency's script) by its
# operation's name.
ACTIONS = {
    "adminCreateSite": N_("Site created"),
    "adminUpdateSite": N_("Site changed"),
    "adminCreateAgency": N_("Agency created"),
    "adminUpdateAgency": N_("Agency changed"),
    "adminMintAgencyKey": N_("Key made"),
    "adminRevokeAgencyKey": N_("Key revoked"),
    "adminMintAgencyFeed": N_("Feed address made"),
    "adminRevokeAgencyFeed": N_("Feed stopped"),
    "adminCreateService": N_("Service created"),
    "adminUpdateService": N_("Service changed"),
    "adminCreateCounter": N_("Counter added"),
    "adminUpdateCounter": N_("Counter changed"),
    "adminCreatePackage": N_("Package created"),
    "adminUpdatePackage": N_("Package changed"),
    "adminCreateStaff": N_("Account created"),
    "adminResetStaffPassword": N_("New password set"),
    "adminDisableStaff": N_("Account disabled"),
    "adminEnableStaff": N_("Account enabled"),
}


def _result(lang: Language, status: int | None) -> str:
    if status is None:
        return ""
    if status < BAD_REQUEST:
        return lang.gettext("done")
    if status in REFUSED:
        return lang.gettext("refused")
    if status == NOT_FOUND:
        return lang.gettext("not found")
    return lang.gettext("not accepted (%(status)s)") % {"status": status}


@dataclass(frozen=True)
class Change:
    at: str  # in the reader's language
    who: str
    action: str
    result: str


def _who(kind: str, actor_id: str, names: dict[str, str]) -> str:
    if kind == "staff" and actor_id in names:
        return names[actor_id]
    return f"{kind}:{actor_id}" if actor_id else kind


async def changes(
    actor: Staff, lang: Language, tz: Any, target_kind: str, target_id: str | int
) -> list[Change]:
    """The latest changes of one record, newest first."""
    found = await audit.entries(target_kind=target_kind, target_id=str(target_id), limit=RECENT)
    names = await team.usernames(actor)
    return [
        Change(
            at=f"{lang.short_day(entry.at.astimezone(tz).date())} {lang.time(entry.at, tz)}",
            who=_who(entry.actor.kind, entry.actor.id, names),
            action=lang.gettext(ACTIONS[entry.action]) if entry.action in ACTIONS else entry.action,
            result=_result(lang, entry.status),
        )
        for entry in found
    ]
