"""Public, read-only lists of sites, agencies and services."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter

from wcr.config import SUPPORTED_LANGUAGES

from . import service
from .schemas import AgencyView, ServiceView, SiteView

Language = Annotated[
    str,
    QueryParameter(
        name="lang",
        description="language of the names: " + ", ".join(SUPPORTED_LANGUAGES),
        max_length=16,
    ),
]


class CatalogueController(Controller):
    path = "/api/v1"
    tags = ["catalogue"]

    @get("/sites", operation_id="listSites")
    async def sites(self) -> list[SiteView]:
        return [
            SiteView(
                slug=site.slug,
                name=site.name,
                timezone=site.timezone,
                address=site.address,
                opening_hours=site.opening_hours,
            )
            for site in await service.list_sites()
        ]

    @get("/agencies", operation_id="listAgencies")
    async def agencies(self) -> list[AgencyView]:
        return [AgencyView(slug=a.slug, name=a.name) for a in await service.list_agencies()]

    @get("/services", operation_id="listServices")
    async def services(self, lang: Language = "en") -> list[ServiceView]:
        return [
            ServiceView(
                slug=offered.slug,
                name=offered.name(lang),
                agency=offered.agency,
                duration_minutes=offered.duration_minutes,
                names=offered.names,
            )
            for offered in await service.list_services()
        ]
