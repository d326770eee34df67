"""Public, read-only lists of sites, agencies and services."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter

from wcr.config import SUPPORTED_LANGUAGES
from wcr.errors import InvalidInput

from . import service
from .schemas import AgencyView, ServiceView, SiteView, TextLanguages

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
    async def services(
        self,
        lang: Language = "en",
        site: Annotated[
            str | None,
            QueryParameter(max_length=64, description="only the services this site offers"),
        ] = None,
    ) -> list[ServiceView]:
        """Services with their name, description and what to bring in ``lang`` (a text
        missing in it comes in English or German: ``text_languages`` says which), and
        the sites that offer each."""
        if lang not in SUPPORTED_LANGUAGES:
            raise InvalidInput.field("lang", "one of " + ", ".join(SUPPORTED_LANGUAGES))
        site_row = await service.site_by_slug(site) if site else None
        sites = await service.sites_of_services()
        views = []
        for offered in await service.list_services(site_row):
            content = offered.content(lang)
            views.append(
                ServiceView(
                    slug=offered.slug,
                    name=content.name,
                    agency=offered.agency,
                    duration_minutes=offered.duration_minutes,
                    names=offered.names,
                    description=content.description,
                    bring=list(content.bring),
                    sites=sites.get(offered.id, []),
                    text_languages=TextLanguages(
                        name=content.name_lang,
                        description=content.description_lang,
                        bring=content.bring_lang,
                    ),
                )
            )
        return views
