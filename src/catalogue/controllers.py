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
                slug=row["slug"],
                name=row["name"],
                timezone=row["timezone"],
                address=row["address"],
                opening_hours=row["opening_hours"],
            )
            for row in await service.list_sites()
        ]

    @get("/agencies", operation_id="listAgencies")
    async def agencies(self) -> list[AgencyView]:
        return [AgencyView(slug=r["slug"], name=r["name"]) for r in await service.list_agencies()]

    @get("/services", operation_id="listServices")
    async def services(self, lang: Language = "en") -> list[ServiceView]:
        return [
            ServiceView(
                slug=row["slug"],
                name=service.localised(row["names"], lang, row["slug"]),
                agency=row["agency_slug"],
                duration_minutes=row["duration_minutes"],
                names=row["names"],
            )
            for row in await service.list_services()
        ]
