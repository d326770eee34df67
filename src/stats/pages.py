"""The statistics page, ``/{lang}/admin/stats?site=&from=&to=``, for admins and site
admins signed in with the staff session cookie: the figures of the range as tiles,
charts (uPlot, drawn by stats.js from the page's data block) and tables with the same
numbers, and the ESF summary of the range's last year. Without a session it sends the
browser to the admin's sign-in page, which comes back here with the same range; the
front desk is told it has no access. Everything is rendered on the server; the script
only draws the charts."""

from __future__ import annotations

from datetime import date
from http import HTTPStatus
from typing import Annotated, Any
from urllib.parse import urlencode

from babel.dates import format_interval
from litestar import Controller, Request, get
from litestar.params import PathParameter, QueryParameter
from litestar.response import Redirect, Template

from wcr.accounts.public import Staff, staff_of_request
from wcr.config import SUPPORTED_LANGUAGES
from wcr.errors import Forbidden, InvalidInput
from wcr.i18n import Language
from wcr.web import public as web

from . import figures, scope, views
from .figures import LANGUAGES

# A range longer than this shows its rows per service and day only as the CSV file: a
# year of four services is 1,460 rows, a 600 kB page nobody reads row by row, and most
# of the year's page's time (bench/stats.py).
DETAIL_DAYS = 62

LangPath = Annotated[str, PathParameter(max_length=8)]
SiteQuery = Annotated[str | None, QueryParameter(max_length=64)]
FromQuery = Annotated[str | None, QueryParameter(name="from", max_length=32)]
ToQuery = Annotated[str | None, QueryParameter(name="to", max_length=32)]


def _date(text: str | None, field: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"{field}: a date like 2026-10-31",
            errors=[{"field": field, "message": "a date like 2026-10-31"}],
            extra={"code": "date_format"},
        ) from None


def _words(lang: Language) -> dict[str, str]:
    """The charts' labels."""
    _ = lang.gettext
    return {
        "booked": _("Booked (not cancelled)"),
        "walk_ins": _("Walk-ins"),
        "served": _("Services given"),
        "no_shows": _("No-shows"),
        "wait_median": _("Median wait (minutes)"),
        "wait_p90": _("90% waited at most (minutes)"),
        "visitors": _("Visitors"),
        "day": _("Day"),
        "language": _("Language"),
    }


class StatsPages(Controller):
    include_in_schema = False

    @get("/{lang:str}/admin/stats", operation_id="statsPage")
    async def stats(
        self,
        request: Request[Any, Any, Any],
        lang: LangPath,
        site: SiteQuery = None,
        from_: FromQuery = None,
        to: ToQuery = None,
    ) -> Template | Redirect:
        language = web.language(lang)
        asked = {"site": site or "", "from": from_ or "", "to": to or ""}
        staff = await staff_of_request(request)
        if staff is None:
            # The one sign-in page of the back office, and back here afterwards.
            here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return Redirect(
                f"/{language.code}/admin/login?{urlencode({'next': here})}", status_code=303
            )
        try:
            sites = await scope.sites_in_view(staff, site or None)
            tz = scope.zone_of(sites)
            first, last = scope.day_range(_date(from_, "from"), _date(to, "to"), tz)
        except Forbidden as denied:
            return _page(
                request,
                language,
                HTTPStatus.FORBIDDEN,
                state="denied",
                asked=asked,
                reason=denied.detail,
            )
        except InvalidInput as error:
            options = await _site_options(staff)
            return _page(
                request,
                language,
                HTTPStatus.UNPROCESSABLE_ENTITY,
                state="invalid",
                asked=asked,
                sites=options,
                problem=_problem(language, error),
            )
        report = await figures.report(sites, first, last, months=True)
        numbers = views.Numbers.of(language)
        words = _words(language)
        rows_in_csv = bool(report.rows) and (last - first).days >= DETAIL_DAYS
        return _page(
            request,
            language,
            HTTPStatus.OK,
            state="figures",
            asked={"site": site or "", "from": first.isoformat(), "to": last.isoformat()},
            sites=await _site_options(staff),
            place=sites[0].name if len(sites) == 1 else language.gettext("All sites"),
            year=last.year,
            range_label=_range_label(language, first, last),
            total=views.day_row(language, numbers, report.total),
            days=[views.day_row(language, numbers, d) for d in report.days],
            services=views.service_rows(language, numbers, report),
            rows=[]
            if rows_in_csv
            else [views.service_day_row(language, numbers, r) for r in report.rows],
            rows_in_csv=rows_in_csv,
            row_count=numbers.count(len(report.rows)),
            months=[views.month_row(language, numbers, m) for m in report.months],
            several_sites=len(sites) > 1,
            chart=views.chart_data(language, report, words),
            language_names=[views.language_name(code, language) for code in LANGUAGES],
            language_codes=list(LANGUAGES),
        )


def _problem(lang: Language, error: InvalidInput) -> dict[str, str]:
    """The field at fault and what to do, in the page's language."""
    _ = lang.gettext
    field = error.errors[0]["field"] if error.errors else ""
    texts = {
        "date_format": _("Enter the day as a date, for example 2026-10-31."),
        "date_out_of_range": _("Choose a day between the years 2000 and 2100."),
        "range_reversed": _("The last day must not be before the first day."),
        "range_too_long": _("Choose at most 366 days at once."),
    }
    code = str(error.extra.get("code", ""))
    if field == "site":
        return {"field": field, "message": _("There is no site of that name.")}
    return {"field": field, "message": texts.get(code, _("Check this field."))}


async def _site_options(staff: Staff) -> list[tuple[str, str]]:
    """(slug, name) of the sites the account may choose; "" for all of an admin's."""
    try:
        sites = await scope.sites_in_view(staff, None)
    except Forbidden:
        return []
    return [(s.slug, s.name) for s in sites]


def _range_label(lang: Language, first: date, last: date) -> str:
    return format_interval(first, last, "yMMMd", locale=lang.code)


def _page(
    request: Request[Any, Any, Any], lang: Language, status: HTTPStatus, **context: Any
) -> Template:
    template = web.page(
        "stats.html",
        lang,
        request,
        supported_languages=list(SUPPORTED_LANGUAGES),
        **context,
    )
    template.status_code = status
    # Figures of people's visits: not kept by any cache on the way.
    template.headers["Cache-Control"] = "private, no-store"
    return template
