"""The query parameters of the log's JSON and its page: the same filters, the same
limits (the columns' lengths), so bad input is refused alike (400 naming it)."""

from __future__ import annotations

from typing import Annotated

from litestar.params import QueryParameter

from wcr.database import MAX_ID

from .journal import MAX_ACTION, MAX_TARGET_ID, MAX_TARGET_KIND
from .reading import Query
from .records import ActorKind

MAX_PAGE = 200
TargetKind = Annotated[
    str | None,
    QueryParameter(max_length=MAX_TARGET_KIND, description="booking, slot, ticket, site, …"),
]
TargetId = Annotated[
    str | None,
    QueryParameter(max_length=MAX_TARGET_ID, description="a reference, an id or a slug"),
]
ActorKindQuery = Annotated[ActorKind | None, QueryParameter(description="who acted")]
Action = Annotated[
    str | None, QueryParameter(max_length=MAX_ACTION, description="an operation id or command")
]
SiteQuery = Annotated[
    str | None, QueryParameter(max_length=64, description="a site's slug (admins)")
]
Before = Annotated[
    int | None,
    QueryParameter(ge=1, le=MAX_ID, description="entries older than this id (paging)"),
]
Limit = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE, description="at most this many")]


def query(
    *,
    target_kind: str | None,
    target_id: str | None,
    actor_kind: ActorKind | None,
    action: str | None,
    site: str | None,
    before: int | None,
    limit: int,
) -> Query:
    """The filters, blanks (an empty form field) as no filter."""
    return Query(
        target_kind=target_kind or None,
        target_id=target_id.strip() or None if target_id else None,
        actor_kind=actor_kind,
        action=action or None,
        site=site or None,
        before=before,
        limit=limit,
    )
