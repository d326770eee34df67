"""The waitlist in the partner agencies' portal: how many wait for the agency's own
services, so its clerks see where more places are wanted (issue 14). Behind booking's
agency key, as the rest of the agency API."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter

from wcr.booking import public as booking
from wcr.catalogue import public as catalogue
from wcr.clock import now
from wcr.errors import InvalidInput
from wcr.timezones import zone
from wcr.web import public as web

from .counts import waiting
from .schemas import AgencyWaitlistCount

AgencyDep = NamedDependency[catalogue.Agency]
FromDate = Annotated[
    date | None, QueryParameter(name="from", description="first local day (YYYY-MM-DD)")
]
ToDate = Annotated[
    date | None, QueryParameter(name="to", description="last local day (YYYY-MM-DD)")
]
Lang = Annotated[
    str | None,
    QueryParameter(max_length=8, description="language of the names (de, en, ar, fr, tr, uk)"),
]
MAX_DAYS = 92
SHOWN_IN = zone("Europe/Berlin")


def days(first: date | None, last: date | None) -> tuple[date, date]:
    """The days asked for: from today for a week by default, at most :data:`MAX_DAYS`."""
    first = first or now().astimezone(SHOWN_IN).date()
    last = last or first + timedelta(days=6)
    if last < first:
        raise InvalidInput.field("to", "must not be before from")
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput.field("to", f"at most {MAX_DAYS} days at once")
    return first, last


class AgencyWaitlistController(Controller):
    path = "/api/v1/agency"
    tags = ["agency"]
    dependencies = {"agency": Provide(booking.current_agency)}

    @get("/waitlist", operation_id="agencyWaitlist")
    async def counts(
        self,
        request: Request[Any, Any, Any],
        agency: AgencyDep,
        from_: FromDate = None,
        to: ToDate = None,
        lang: Lang = None,
    ) -> list[AgencyWaitlistCount]:
        """How many wait for each of the agency's services at each site it serves: all
        on the list, and those who accept a day from `from` to `to` (this week by
        default). Only services and sites with somebody waiting are listed."""
        first, last = days(from_, to)
        code = web.chosen_language(request, lang)
        services = [s for s in await catalogue.list_services() if s.agency_id == agency.id]
        ids = [s.id for s in services]
        found = []
        for site in await catalogue.sites_served(agency):
            everyone = await waiting(site.id, ids)
            these_days = await waiting(site.id, ids, first, last)
            found += [
                AgencyWaitlistCount(
                    site=site.slug,
                    service=service.slug,
                    service_name=service.name(code),
                    waiting=everyone[service.id],
                    waiting_these_days=these_days.get(service.id, 0),
                )
                for service in services
                if everyone.get(service.id)
            ]
        return found
