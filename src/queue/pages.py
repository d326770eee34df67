"""The queue's pages: the front-desk console, the call display, a visitor's ticket.
They are thin: the data comes from the JSON API and its event stream."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import PathParameter
from litestar.response import Template

from wcr.catalogue import public as catalogue
from wcr.database import MAX_ID


class QueuePages(Controller):
    include_in_schema = False

    @get("/desk", operation_id="deskPage")
    async def desk(self) -> Template:
        sites = await catalogue.list_sites()
        return Template("desk.html", context={"sites": sites})

    @get("/display/{site:str}", operation_id="displayPage")
    async def display(self, site: Annotated[str, PathParameter(max_length=64)]) -> Template:
        row = await catalogue.site_by_slug(site, field=None)
        return Template("display.html", context={"site": row})

    @get("/ticket/{ticket_id:int}", operation_id="ticketPage")
    async def ticket(self, ticket_id: Annotated[int, PathParameter(ge=1, le=MAX_ID)]) -> Template:
        # The token stays in the URL fragment; the page's script reads it.
        return Template("ticket.html", context={"ticket_id": ticket_id})
