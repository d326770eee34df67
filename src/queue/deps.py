"""Providers of the front desk's handlers (the staff guards are accounts')."""

from __future__ import annotations

from typing import Annotated

from litestar.di import NamedDependency, Provide
from litestar.params import PathParameter

from wcr.accounts.public import PROVIDERS, Staff
from wcr.catalogue import public as catalogue
from wcr.database import MAX_ID

from . import tickets
from .problems import Code, forbidden
from .records import Ticket

TicketPath = Annotated[int, PathParameter(ge=1, le=MAX_ID)]


async def ticket_in_reach(
    ticket_id: TicketPath, current: NamedDependency[Staff]
) -> tuple[catalogue.Site, Ticket]:
    """The ticket of the path and its site, if the signed-in staff works there."""
    ticket = await tickets.ticket_at(None, ticket_id)
    site = await catalogue.site_by_id(ticket.site_id)
    if not current.may_act_on(site.id):
        raise forbidden(
            Code.OTHER_SITE, f"your account works at {current.site}, not at {site.slug}"
        )
    return site, ticket


# The ticket handlers' providers: who is signed in (accounts'), and the ticket in reach.
TICKET_PROVIDERS = {"current": PROVIDERS["current"], "reach": Provide(ticket_in_reach)}
