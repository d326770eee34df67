"""The statistics as CSV for admins (all sites) and site admins (their own)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from wcr.accounts.public import PROVIDERS, Staff, guards

from . import exports, figures, scope

StaffDep = NamedDependency[Staff]
SiteQuery = Annotated[
    str | None,
    QueryParameter(max_length=64, description="a site's slug; none: every site the account sees"),
]
FromDate = Annotated[
    date | None,
    QueryParameter(name="from", description="first local day (YYYY-MM-DD); default: the 1st"),
]
ToDate = Annotated[
    date | None,
    QueryParameter(name="to", description="last local day (YYYY-MM-DD); default: today"),
]
YearQuery = Annotated[
    int | None,
    QueryParameter(ge=scope.EARLIEST.year, le=scope.LATEST.year, description="default: this year"),
]


def _csv(body: str, name: str) -> Response[str]:
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _label(sites: list[str]) -> str:
    return sites[0] if len(sites) == 1 else "all-sites"


class StatsController(Controller):
    path = "/api/v1/stats"
    tags = ["statistics"]
    guards = [guards.staff]
    dependencies = {"current": PROVIDERS["current"]}

    @get(
        "/daily.csv",
        operation_id="statsDailyCsv",
        media_type="text/csv",
        description="One row per site, agency, service and local day with anything to "
        "count (at most 366 days): bookings made for the day, cancelled, no-shows, "
        "walk-ins, services given, one-stop services, median and 90th-percentile waits "
        "and transaction times in minutes, and the visitors' languages.",
    )
    async def daily(
        self, current: StaffDep, site: SiteQuery = None, from_: FromDate = None, to: ToDate = None
    ) -> Response[str]:
        sites = await scope.sites_in_view(current, site)
        first, last = scope.day_range(from_, to, scope.zone_of(sites))
        found = await figures.report(sites, first, last)
        name = f"stats-{_label([s.slug for s in sites])}-{first}-{last}.csv"
        return _csv(exports.daily_csv(found.rows), name)

    @get(
        "/monthly.csv",
        operation_id="statsMonthlyCsv",
        media_type="text/csv",
        description="The ESF summary of a year: per site and month the people advised "
        "(bookings attended and walk-ins served), by language, one-stop visits (given two "
        "or more services) and no-shows.",
    )
    async def monthly(
        self, current: StaffDep, site: SiteQuery = None, year: YearQuery = None
    ) -> Response[str]:
        sites = await scope.sites_in_view(current, site)
        chosen = scope.year_of(year, scope.zone_of(sites))
        rows = await figures.monthly(sites, chosen)
        name = f"stats-{_label([s.slug for s in sites])}-{chosen}-monthly.csv"
        return _csv(exports.monthly_csv(rows), name)
