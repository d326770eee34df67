"""The visitor's waitlist pages: joining from the times step (a plain form, it works
without JavaScript), "you are on the waitlist", and the entry's own page, whose token
rides in the URL fragment: its script (waitlist.js) asks the API with it, books the
held place and leaves the list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import PathParameter, QueryParameter
from litestar.response import Template
from piccolo.engine.base import Engine

from wcr.booking import public as booking
from wcr.catalogue import public as catalogue
from wcr.challenge import public as challenge
from wcr.config import Settings
from wcr.errors import Conflict, InvalidInput, NotFound
from wcr.i18n import Language, localised_in
from wcr.timezones import today
from wcr.web import public as web

from . import joining
from .entries import DEFAULT_RANGE, MAX_RANGE
from .links import entry_url

LangPath = Annotated[str, PathParameter(max_length=8)]
SitePath = Annotated[str, PathParameter(max_length=64)]
FIELDS = ("service", "package", "from", "to", "earliest", "latest", "name", "email", "phone")
Slugs = Annotated[list[str] | None, QueryParameter(max_length=5)]
Slug = Annotated[str | None, QueryParameter(max_length=64)]


@dataclass(frozen=True)
class Wish:
    """What the form waits for: one ``service``, or a one-stop visit of ``services``
    (2-5) or of a ``package``; as the form's hidden fields carry it."""

    service: str = ""
    services: tuple[str, ...] = ()
    package: str = ""

    @property
    def one_stop(self) -> bool:
        return bool(self.services or self.package)

    def query(self) -> list[tuple[str, str]]:
        if self.package:
            return [("package", self.package)]
        if self.services:
            return [("services", s) for s in self.services]
        return [("service", self.service)]


@dataclass(frozen=True)
class Named:
    """What a page names: the package's name (if any) and the services', each with
    the language it is in where that is not the page's (for ``lang``)."""

    package: str | None
    package_lang: str | None
    services: list[tuple[str, str | None]]
    weekdays: tuple[int, ...] = ()


async def named(lang: Language, site: catalogue.Site, wish: Wish) -> Named:
    """The names in the page's language; 404 for an unknown service, 422 (by its
    field) for a one-stop wish the one-stop search would not take."""

    def other(code: str) -> str | None:
        return code if code != lang.code else None

    if not wish.one_stop:
        content = (await catalogue.service_by_slug(wish.service, field=None)).content(lang.code)
        return Named(None, None, [(content.name, other(content.name_lang))])
    visit = await booking.resolve_visit(site.slug, ",".join(wish.services) or None, wish.package)
    contents = [s.content(lang.code) for s in visit.services]
    services = [(c.name, other(c.name_lang)) for c in contents]
    if visit.package is None:
        return Named(None, None, services)
    name, code = localised_in(visit.package.names, lang.code, visit.package.slug)
    return Named(name, other(code), services, visit.package.weekdays)


def form_defaults(first: date) -> dict[str, str]:
    """The join form's days as it first shows them: from today, for a month."""
    return {"from": first.isoformat(), "to": (first + DEFAULT_RANGE).isoformat()}


def join_form(
    lang: Language,
    site: catalogue.Site,
    wish: Wish,
    names: Named,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """What the join form (``_waitlist_form.html``) needs, here and on the times step."""
    now_day = today(site.tz)
    return {
        "action": f"/{lang.code}/sites/{site.slug}/waitlist",
        "service": wish.service if not wish.one_stop else "",
        "services": list(wish.services) if not wish.package else [],
        "package": wish.package,
        "hint": booking.package_days_hint(lang, names.weekdays),
        "typed": form_defaults(now_day) | (values or {}),
        "errors": errors or {},
        "min": now_day.isoformat(),
        "max": (now_day + MAX_RANGE).isoformat(),
    }


def day_errors(lang: Language, error: InvalidInput, names: Named) -> dict[str, str]:
    texts = {
        "from": lang.gettext("Please give a first day from today on."),
        "to": lang.gettext(
            "Please give a last day after the first day, at most %(days)d days later."
        )
        % {"days": MAX_RANGE.days},
        "earliest": lang.gettext("Please give a time, for example 08:00."),
        "latest": lang.gettext("Please give a time after the first time, for example 12:00."),
    }
    shown = {e["field"]: texts[e["field"]] for e in error.errors if e["field"] in texts}
    if names.weekdays and any(
        e["field"] == "from" and e["message"].startswith("the package") for e in error.errors
    ):
        # Days with none of the package's weekdays (the backend's 422 on ``from``).
        shown["from"] = " ".join(
            [
                booking.package_days_hint(lang, names.weekdays),
                lang.gettext("Please choose days that include one of them."),
            ]
        )
    return shown


class WaitlistPages(Controller):
    include_in_schema = False

    @get("/{lang:str}/sites/{site:str}/waitlist", operation_id="waitlistJoinPage")
    async def join_page(
        self,
        request: Request[Any, Any, Any],
        lang: LangPath,
        site: SitePath,
        service: Slug = None,
        services: Slugs = None,
        package: Slug = None,
    ) -> Template:
        """The join form on a page of its own ("none of these times suits me"), for a
        ``service``, or a one-stop visit of ``services`` or a ``package``."""
        wish = Wish(service or "", tuple(services or ()), package or "")
        if not (wish.service or wish.one_stop):
            raise NotFound("no service to wait for")
        return await self._join_page(request, web.language(lang), site, wish)

    async def _join_page(
        self,
        request: Request[Any, Any, Any],
        lang: Language,
        site: str,
        wish: Wish,
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        names: Named | None = None,
    ) -> Template:
        site_row = await catalogue.site_by_slug(site, field=None)
        names = names or await named(lang, site_row, wish)
        times = wish.query() if wish.one_stop else [("services", wish.service)]
        return web.page(
            "waitlist_join.html",
            lang,
            request,
            site=site_row,
            names=names,
            join=join_form(lang, site_row, wish, names, values, errors),
            errors=errors or {},
            challenge=challenge.enabled(request.app.state.settings),
            times_url=f"/{lang.code}/sites/{site}/times?{urlencode(times)}",
            # Also after a POST: the other language's form, for the same wish.
            switch_url=lambda code: f"/{code}/sites/{site}/waitlist?{urlencode(wish.query())}",
        )

    @post("/{lang:str}/sites/{site:str}/waitlist", operation_id="waitlistJoinForm", status_code=200)
    async def join(
        self,
        request: Request[Any, Any, Any],
        lang: LangPath,
        site: SitePath,
        engine: NamedDependency[Engine[Any]],
        settings: NamedDependency[Settings],
    ) -> Template:
        """Join through the form, as ``POST /api/v1/waitlist`` does; a mistake comes
        back on the form with what was typed and the error by its field."""
        language_ = web.language(lang)
        form = await request.form()
        values = {k: str(form.get(k, "")).strip()[:300] for k in FIELDS}
        slugs = tuple(str(s).strip()[:64] for s in form.getall("services", [])[:6])
        wish = Wish(values["service"], slugs, values["package"][:64])
        site_row = await catalogue.site_by_slug(site, field=None)
        # The names first: an unknown service is 404 (a one-stop 422 by its field).
        names = await named(language_, site_row, wish)
        data = joining.JoinInput(
            site=site_row.slug,
            service=wish.service or None,  # with services or a package: 422
            services=wish.services or None,
            package=wish.package or None,
            name=values["name"],
            email=values["email"] or None,
            phone=values["phone"] or None,
            language=language_.code,
            from_=values["from"] or None,
            to=values["to"] or None,
            earliest=values["earliest"] or None,
            latest=values["latest"] or None,
            altcha=str(form.get(challenge.FIELD) or "") or None,
        )
        errors: dict[str, str] = {}
        try:
            joined = await joining.join(engine, settings, data)
        except InvalidInput as error:
            errors = booking.contact_errors(language_, error) | day_errors(language_, error, names)
            if any(e["field"] == challenge.FIELD for e in error.errors):
                errors[challenge.FIELD] = language_.gettext(
                    "The automatic check against misuse did not finish. Please try again."
                )
            if not errors:
                raise
        except Conflict:
            field = "email" if values["email"] else "phone"
            errors = {
                field: language_.gettext("You are already on the waitlist for these services.")
                if wish.one_stop
                else language_.gettext("You are already on the waitlist for this service.")
            }
        if errors:
            return await self._join_page(
                request, language_, site, wish, values=values, errors=errors, names=names
            )
        return joined_page(request, language_, joined, settings, names)

    @get("/{lang:str}/waitlist/{reference:str}", operation_id="waitlistPage")
    async def entry_page(
        self,
        request: Request[Any, Any, Any],
        lang: LangPath,
        reference: Annotated[str, PathParameter(max_length=32)],
    ) -> Template:
        """The token is in the fragment; the page asks the API with it."""
        language_ = web.language(lang)
        return web.page(
            "waitlist.html",
            language_,
            request,
            reference=reference.upper(),
            page_data=await page_data(language_, reference.upper()),
        )


def reach_text(lang: Language, joined: joining.Joining) -> str:
    reach = joined.reach
    if reach.email and reach.sms:
        return lang.gettext("When a place becomes free, we send you an e-mail and an SMS.")
    if reach.email:
        return lang.gettext("When a place becomes free, we send you an e-mail.")
    if reach.sms:
        return lang.gettext("When a place becomes free, we send you an SMS.")
    return lang.gettext(
        "We cannot send you a message. Please look at your waitlist page now and then."
    )


def _clock(lang: Language, hhmm: str) -> str:
    """A local day-time "HH:MM" the locale's way (24 hours where it uses them)."""
    utc = ZoneInfo("UTC")
    return lang.time(datetime.combine(date(2000, 1, 1), time.fromisoformat(hhmm), utc), utc)


def times_texts(lang: Language) -> dict[str, str]:
    """An entry's day-times in words; "%(start)s" and "%(end)s" are the times."""
    return {
        "both": lang.gettext("from %(start)s to %(end)s"),
        "start": lang.gettext("from %(start)s"),
        "end": lang.gettext("until %(end)s"),
    }


def times_text(lang: Language, earliest: str | None, latest: str | None) -> str:
    """ "from 08:00 to 12:00" ("" when the entry takes any time of day)."""
    texts = times_texts(lang)
    start = _clock(lang, earliest) if earliest else ""
    end = _clock(lang, latest) if latest else ""
    if earliest and latest:
        return texts["both"] % {"start": start, "end": end}
    if earliest:
        return texts["start"] % {"start": start}
    if latest:
        return texts["end"] % {"end": end}
    return ""


def joined_page(
    request: Request[Any, Any, Any],
    lang: Language,
    joined: joining.Joining,
    settings: Settings,
    names: Named,
) -> Template:
    link = entry_url("", lang.code, joined.reference, joined.token)
    return web.page(
        "waitlist_joined.html",
        lang,
        request,
        reference=joined.reference,
        site=joined.site,
        names=names,
        days=lang.day_span(joined.first, joined.last),
        times=times_text(lang, joined.earliest, joined.latest),
        reach=reach_text(lang, joined),
        notices=[text for _, _, text in joined.reach.notices(lang)],
        hold=lang.ngettext(
            "We hold the place for you for %(minutes)d minute.",
            "We hold the place for you for %(minutes)d minutes.",
            settings.waitlist_hold_minutes,
        )
        % {"minutes": settings.waitlist_hold_minutes},
        entry_url=link,
        # The other language's waitlist page (the token in the fragment, as above).
        switch_url=lambda code: entry_url("", code, joined.reference, joined.token),
    )


async def page_data(lang: Language, reference: str) -> dict[str, Any]:
    """What waitlist.js needs besides the entry (which only the API gives, with the
    token): the services' and packages' names and what to bring in the page's
    language, the sites' names, addresses and zones, and how this locale writes days
    and times."""
    site_rows = await catalogue.list_sites()
    sites = {s.slug: {"name": s.name, "address": s.address, "zone": s.timezone} for s in site_rows}
    packages = {}
    for site in site_rows:
        for package in await booking.packages.packages_of(site):
            name, code = localised_in(package.names, lang.code, package.slug)
            packages[package.slug] = {
                "name": name,
                "name_lang": None if code == lang.code else code,
            }
    return {
        "reference": reference,
        "lang": lang.code,
        "services": await catalogue.services_for_scripts(lang.code),
        "sites": sites,
        "packages": packages,
        # Between two held appointments ("%(minutes)d" is the number).
        "wait": lang.gettext("%(minutes)d min wait"),
        # The entry's day-times ("%(start)s", "%(end)s": times the locale's way).
        "times": times_texts(lang),
        **lang.script_formats(),
    }
