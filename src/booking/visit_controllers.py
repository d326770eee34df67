"""HTTP endpoints of one-stop visits: packages and the itinerary search."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter

from wcr.i18n import localised

from . import visits
from .controllers import AdviceLanguage, FromDate, Slug, ToDate
from .itinerary import DEFAULT_PER_DAY, minutes
from .schemas import OptionAppointment, PackageView, VisitOption, VisitOptions


class VisitController(Controller):
    path = "/api/v1"
    tags = ["one-stop visits"]

    @get("/packages", operation_id="listPackages")
    async def packages(
        self,
        site: Slug = None,
        lang: Annotated[str, QueryParameter(max_length=16)] = "en",
    ) -> list[PackageView]:
        """One-stop packages, e.g. the Welcome Office Bochum's Wednesday visit."""
        return [
            PackageView(
                slug=p.slug,
                name=localised(p.names, lang, p.slug),
                site=p.site,
                services=p.services,
                names=p.names,
                weekdays=list(p.weekdays),
                opens=p.opens.strftime("%H:%M") if p.opens else None,
                closes=p.closes.strftime("%H:%M") if p.closes else None,
            )
            for p in await visits.packages(site)
        ]

    @get("/visits/options", operation_id="visitOptions")
    async def options(
        self,
        *,
        site: Slug = None,
        services: Annotated[
            str | None,
            QueryParameter(max_length=400, description="2 to 5 service slugs, comma-separated"),
        ] = None,
        package: Slug = None,
        from_: FromDate = None,
        to: ToDate = None,
        limit: Annotated[int, QueryParameter(ge=1, le=visits.MAX_OPTIONS)] = 5,
        per_day: Annotated[
            int,
            QueryParameter(
                ge=1,
                le=visits.MAX_OPTIONS,
                description="at most this many options a day (a few spread over the days, "
                "or a whole day's grid)",
            ),
        ] = DEFAULT_PER_DAY,
        advice_language: AdviceLanguage = None,
    ) -> VisitOptions:
        """Itineraries, best first: least waiting, then earliest day, then earliest start.
        A package's itineraries lie on its weekdays and in its hours (a range without
        one of its days is 422 on ``from``); with ``advice_language`` every adviser
        speaks that language.

        Book one with ``POST /api/v1/bookings``, its ``slot_ids`` (and the ``package``).
        """
        request = await visits.resolve(site, services, package, advice_language)
        found, facts = await visits.options(request, from_, to, limit, per_day=per_day)
        return VisitOptions(
            options=[
                VisitOption(
                    start=facts[o.slots[0].id].start_local,
                    end=facts[o.slots[-1].id].end_local,
                    idle_minutes=minutes(o.idle),
                    slot_ids=[s.id for s in o.slots],
                    appointments=[
                        OptionAppointment(
                            slot_id=s.id,
                            service=s.service,
                            agency=facts[s.id].agency,
                            start=facts[s.id].start_local,
                            end=facts[s.id].end_local,
                            languages=list(facts[s.id].languages),
                        )
                        for s in o.slots
                    ],
                )
                for o in found
            ]
        )
