"""The visitor's booking pages: language, site, service(s) or package, time, contact,
confirmation. Plain HTML forms (they work without JavaScript), rendered in the
visitor's language; the booking itself goes through the same services as the API."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from babel.dates import get_day_names
from babel.lists import format_list
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import PathParameter, QueryParameter
from litestar.response import Redirect, Template
from piccolo.engine.base import Engine

from wcr.catalogue import public as catalogue
from wcr.challenge import public as challenge
from wcr.clock import now
from wcr.config import Settings
from wcr.database import MAX_ID
from wcr.errors import Conflict, DomainError, InvalidInput
from wcr.i18n import Language, localised_in
from wcr.reach import NEEDS_SMTPUTF8, Reach, check_contact
from wcr.timezones import today
from wcr.web import public as web

from . import (
    advice,
    bookings,
    companies,
    confirmation,
    date_strip,
    repository,
    time_choices,
    visits,
)
from .availability import EARLIEST, LATEST
from .contact import clean_contact
from .limits import LimitReached, Limits
from .notice import Notice
from .qr import reference_qr
from .records import GERMAN, SlotFacts
from .time_choices import Wanted

LangPath = Annotated[str, PathParameter(max_length=8)]
SitePath = Annotated[str, PathParameter(max_length=64)]
WEEK = date_strip.WEEK
SUGGESTIONS = 3
WAITLIST_DAYS = timedelta(days=30)
CONTACT_FIELDS = ("name", "email", "phone", "company_key")


def shown(content: catalogue.ServiceContent, page: str) -> dict[str, Any]:
    """A service's texts for a template; ``*_lang`` is set where a text is in another
    language than the page's (a fallback), for its ``lang`` attribute (WCAG 3.1.2)."""

    def other(code: str) -> str | None:
        return code if code != page else None

    return {
        "slug": content.slug,
        "name": content.name,
        "name_lang": other(content.name_lang),
        "description": content.description,
        "description_lang": other(content.description_lang),
        "bring": list(content.bring),
        "bring_lang": other(content.bring_lang),
    }


def _clean_advice(code: str | None) -> str | None:
    """A page's advice language: an unknown code is ignored, not an error page."""
    try:
        return advice.clean_code(code, "advice_language")
    except InvalidInput:
        return None


def steps(lang: Language, step: int) -> dict[str, Any]:
    labels = [
        lang.gettext("Place"),
        lang.gettext("Service"),
        lang.gettext("Time"),
        lang.gettext("Details"),
        lang.gettext("Done"),
    ]
    return {"steps": list(enumerate(labels, start=1)), "step": step}


def wanted_of_query(
    services: Annotated[list[str] | None, QueryParameter(max_length=5)] = None,
    package: Annotated[str | None, QueryParameter(max_length=64)] = None,
    advice_language: Annotated[str | None, QueryParameter(max_length=16)] = None,
) -> Wanted:
    """What the times and details steps are asked for, from their query (the one
    parsing of both; a form posts the same fields, see ``_wanted_of``)."""
    return Wanted(
        services=list(services or []),
        package=package,
        advice_language=_clean_advice(advice_language),
    )


class BookingPages(Controller):
    include_in_schema = False
    dependencies = {"wanted": Provide(wanted_of_query, sync_to_thread=False)}

    @get("/", operation_id="rootPage")
    async def root(self, request: Request[Any, Any, Any]) -> Redirect:
        return Redirect(f"/{web.from_header(request.headers.get('accept-language'))}/")

    @get("/{lang:str}/", operation_id="homePage")
    async def home(self, request: Request[Any, Any, Any], lang: LangPath) -> Template:
        language_ = web.language(lang)
        sites = await catalogue.list_sites()
        return web.page("home.html", language_, request, sites=sites, **steps(language_, 1))

    @get("/{lang:str}/sites/{site:str}", operation_id="sitePage")
    async def site(
        self,
        request: Request[Any, Any, Any],
        lang: LangPath,
        site: SitePath,
        services: Annotated[list[str] | None, QueryParameter(max_length=5)] = None,
    ) -> Template:
        """``?services=`` preselects (the "book again" link of a cancelled booking)."""
        chosen = [s[:64] for s in (services or [])[: visits.MAX_SERVICES]]
        return await self._site_page(request, web.language(lang), site, chosen=chosen)

    async def _site_page(
        self,
        request: Request[Any, Any, Any],
        lang: Language,
        site: str,
        error: str = "",
        chosen: list[str] | None = None,
    ) -> Template:
        site_row = await catalogue.site_by_slug(site, field=None)
        every = await catalogue.list_services()
        contents = {s.slug: shown(s.content(lang.code), lang.code) for s in every}
        ahead = set(await repository.services_at_site(site_row.id))
        services = [s for s in every if s.id in ahead]
        packages = []
        for p in await visits.packages(site):
            name, name_lang = localised_in(p.names, lang.code, p.slug)
            packages.append(
                {
                    "slug": p.slug,
                    "name": name,
                    "name_lang": name_lang if name_lang != lang.code else None,
                    "services": [contents[s] for s in p.services if s in contents],
                }
            )
        offered = [contents[s.slug] | {"minutes": s.duration_minutes} for s in services]
        return web.page(
            "site.html",
            lang,
            request,
            site=site_row,
            packages=packages,
            services=offered,
            error=error,
            chosen=chosen or [],
            **steps(lang, 2),
        )

    @get("/{lang:str}/sites/{site:str}/times", operation_id="timesPage")
    async def times(
        self,
        request: Request[Any, Any, Any],
        lang: LangPath,
        site: SitePath,
        wanted: NamedDependency[Wanted],
        from_: Annotated[date | None, QueryParameter(name="from")] = None,
        day: Annotated[date | None, QueryParameter()] = None,
        choice: Annotated[str | None, QueryParameter(max_length=64)] = None,
    ) -> Template:
        """Step 3: the week's days as a strip and the chosen day's free times."""
        language_ = web.language(lang)
        if refused := await self._refuse_wanted(request, language_, site, wanted):
            return refused
        return await self._times_page(
            request, language_, site, wanted, from_, day, picked=choice or ""
        )

    async def _refuse_wanted(
        self, request: Request[Any, Any, Any], lang: Language, site: str, wanted: Wanted
    ) -> Template | None:
        """Back to the choice of service when none (or too many) came along."""
        if not wanted.services and not wanted.package:
            return await self._site_page(
                request, lang, site, error=lang.gettext("Please choose at least one service.")
            )
        if len(wanted.services) > visits.MAX_SERVICES:
            return await self._site_page(
                request,
                lang,
                site,
                chosen=wanted.services,
                error=lang.gettext("Please choose at most five services."),
            )
        return None

    async def _times_page(
        self,
        request: Request[Any, Any, Any],
        lang: Language,
        site: str,
        wanted: Wanted,
        first: date | None,
        day: date | None = None,
        *,
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
        notice: str = "",
        picked: str = "",
        near: datetime | None = None,
    ) -> Template:
        site_row = await catalogue.site_by_slug(site, field=None)
        tz = site_row.tz
        now_day = today(tz)
        latest = LATEST - timedelta(days=30)
        if day is not None and first is None:
            first = day
        first = min(max(first or now_day, now_day, EARLIEST), latest)
        week = date_strip.Week(first, now_day, latest)
        choices, wanted_names = await time_choices.choices(lang, site_row, wanted, first, WEEK)
        counts = Counter(c.day for c in choices)
        if near is not None and choices:
            day = min(choices, key=lambda c: abs(c.start - near)).day
        shown_day = date_strip.chosen_day(week, counts, day)
        of_day = [c for c in choices if c.day == shown_day]
        if near is not None:
            for choice in sorted(of_day, key=lambda c: abs(c.start - near))[:SUGGESTIONS]:
                choice.suggested = True

        def times_url(start: date, on: date | None = None, **more: str) -> str:
            query = [*wanted.query(), ("from", start.isoformat())]
            query += [("day", on.isoformat())] if on else []
            query += list(more.items())
            return f"/{lang.code}/sites/{site}/times?{urlencode(query)}"

        services = await time_choices.wanted_services(wanted)
        spoken = await time_choices.advice_languages(site_row, services, first, WEEK)
        if wanted.advice_language and wanted.advice_language not in spoken:
            spoken = sorted({*spoken, wanted.advice_language})
        # "Advice in …": the languages advisers speak in these days (German: all).
        advice_choices = []
        for code in ["", *spoken]:
            other = Wanted(wanted.services, wanted.package, code or None)
            query = [*other.query(), ("from", first.isoformat()), ("day", shown_day.isoformat())]
            advice_choices.append(
                {
                    "code": code,
                    "name": advice.display_name(code, lang.code),
                    "url": f"/{lang.code}/sites/{site}/times?{urlencode(query)}",
                    "current": code == (wanted.advice_language or ""),
                }
            )
        minutes_ = services[0].duration_minutes if len(services) == 1 else None
        return web.page(
            "times.html",
            lang,
            request,
            site=site_row,
            wanted=wanted_names,
            minutes=minutes_,
            service_slugs=wanted.services,
            package=wanted.package,
            first=first,
            contents=[shown(s.content(lang.code), lang.code) for s in services],
            advice_language=wanted.advice_language,
            advice_choices=advice_choices if spoken else [],
            strip=date_strip.strip(lang, week, counts, shown_day, lambda d: times_url(first, d)),
            week_range=lang.day_span(week.first, week.last),
            day=shown_day,
            day_label=lang.day(shown_day),
            choices=of_day,
            is_visit=wanted.is_visit,
            earlier=times_url(week.earlier) if week.earlier else None,
            later=times_url(week.later) if week.later else None,
            values=values or {},
            errors=errors or {},
            notice=notice,
            picked=picked,
            waitlist=await _waitlist_form(lang, site, wanted, now_day, first),
            challenge=challenge.enabled(request.app.state.settings),
            **steps(lang, 3),
        )

    @get("/{lang:str}/sites/{site:str}/details", operation_id="detailsPage")
    async def details(
        self,
        request: Request[Any, Any, Any],
        lang: LangPath,
        site: SitePath,
        wanted: NamedDependency[Wanted],
        choice: Annotated[str | None, QueryParameter(max_length=64)] = None,
        from_: Annotated[date | None, QueryParameter(name="from")] = None,
        day: Annotated[date | None, QueryParameter()] = None,
    ) -> Template:
        """Step 4: the chosen time (or itinerary) and the contact details."""
        language_ = web.language(lang)
        if refused := await self._refuse_wanted(request, language_, site, wanted):
            return refused
        return await self._details_page(request, language_, site, wanted, choice or "", from_, day)

    @post("/{lang:str}/sites/{site:str}/details", operation_id="detailsPageAgain", status_code=200)
    async def details_again(
        self, request: Request[Any, Any, Any], lang: LangPath, site: SitePath
    ) -> Template:
        """Step 4 after a time was taken meanwhile: what was typed comes along in the
        body (never in a URL), so that nothing is typed twice."""
        language_ = web.language(lang)
        form = await request.form()
        wanted = _wanted_of(form)
        if refused := await self._refuse_wanted(request, language_, site, wanted):
            return refused
        return await self._details_page(
            request,
            language_,
            site,
            wanted,
            str(form.get("choice", "")),
            _form_date(form, "from"),
            _form_date(form, "day"),
            values=_values_of(form),
        )

    async def _details_page(
        self,
        request: Request[Any, Any, Any],
        lang: Language,
        site: str,
        wanted: Wanted,
        choice: str,
        first: date | None,
        day: date | None,
        *,
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
    ) -> Template:
        ids = _choice_ids(choice)
        visit = list((await repository.slots_by_id(ids)).values()) if ids else []
        if not ids or len(visit) != len(ids) or any(s.site != site for s in visit):
            return await self._times_page(
                request,
                lang,
                site,
                wanted,
                first,
                day,
                values=values,
                errors={"choice": lang.gettext("Please choose a time.")},
            )
        start = min(s.starts_at for s in visit)
        if any(s.remaining == 0 or s.withdrawn or s.starts_at <= now() for s in visit):
            return await self._times_page(
                request, lang, site, wanted, first, values=values, near=start, notice=_taken(lang)
            )
        tz = visit[0].tz
        back = [
            *wanted.query(),
            ("from", (first or start.astimezone(tz).date()).isoformat()),
            ("day", start.astimezone(tz).date().isoformat()),
            ("choice", choice),
        ]
        return web.page(
            "details.html",
            lang,
            request,
            site=await catalogue.site_by_slug(site, field=None),
            service_slugs=wanted.services,
            package=wanted.package,
            advice_language=wanted.advice_language,
            advice_name=advice.display_name(wanted.advice_language, lang.code)
            if wanted.advice_language
            else None,
            first=first,
            choice=choice,
            day_label=lang.day(start, tz),
            stops=await time_choices.stops(lang, visit),
            change_url=f"/{lang.code}/sites/{site}/times?{urlencode(back)}",
            values=values or {},
            errors=errors or {},
            challenge=challenge.enabled(request.app.state.settings),
            **steps(lang, 4),
        )

    @post("/{lang:str}/sites/{site:str}/book", operation_id="bookPage", status_code=200)
    async def book(
        self,
        request: Request[Any, Any, Any],
        lang: LangPath,
        site: SitePath,
        engine: NamedDependency[Engine[Any]],
        settings: NamedDependency[Settings],
    ) -> Template:
        language_ = web.language(lang)
        form = await request.form()
        wanted = _wanted_of(form)
        if not wanted.services and not wanted.package:
            # A form sent without its hidden services: back to the choice of service.
            return await self._site_page(
                request,
                language_,
                site,
                error=language_.gettext("Please choose at least one service."),
            )
        values = _values_of(form)
        first = _form_date(form, "from")
        choice = str(form.get("choice", ""))
        ids = _choice_ids(choice)
        if not ids:
            return await self._times_page(
                request,
                language_,
                site,
                wanted,
                first,
                _form_date(form, "day"),
                values=values,
                errors={"choice": language_.gettext("Please choose a time.")},
            )
        errors: dict[str, str] = {}
        try:
            contact = clean_contact(
                values["name"], values["email"] or None, values["phone"] or None, language_.code
            )
            reach = check_contact(contact.email, contact.phone, settings)
        except InvalidInput as error:
            errors |= contact_errors(language_, error)
        try:
            company = await companies.company_for_key(values["company_key"] or None)
        except InvalidInput:
            errors["company_key"] = language_.gettext("Please check the company key.")
        # The solution is checked (and spent) only when the rest of the form is right.
        if errors or (errors := await challenge_errors(engine, settings, language_, form)):
            return await self._details_page(
                request,
                language_,
                site,
                wanted,
                choice,
                first,
                None,
                values=values,
                errors=errors,
            )
        try:
            reference, token, visit = await bookings.book(
                engine,
                bookings.requested_slot_ids(None, ids),
                contact,
                notice=Notice.from_settings(settings),
                limits=Limits.from_settings(settings),
                company=company,
                advice_language=wanted.advice_language,
                package=await visits.package_by_slug(wanted.package) if wanted.package else None,
            )
        except LimitReached as error:
            return await self._times_page(
                request,
                language_,
                site,
                wanted,
                first,
                await _first_day(ids),
                values=values,
                picked=choice,
                notice=limit_notice(language_, error),
            )
        except (Conflict, InvalidInput) as error:
            # Taken meanwhile (or gone): the nearest other times, never a dead end.
            taken = await _first_start(ids)
            return await self._times_page(
                request,
                language_,
                site,
                wanted,
                first,
                values=values,
                near=taken,
                notice=_taken(language_)
                if isinstance(error, Conflict)
                else language_.gettext("That time cannot be booked. Please choose another."),
            )
        return await booked_page(
            request,
            language_,
            reference,
            token,
            visit,
            reach=reach,
            advice_language=wanted.advice_language,
            email=contact.email,
            phone=contact.phone,
        )


async def _waitlist_form(
    lang: Language, site: str, wanted: Wanted, now_day: date, shown: date
) -> dict[str, Any]:
    """The waitlist's join form (wcr.waitlist's _waitlist_form.html, posted to it) for
    one service or a one-stop visit (its services, or its package, as hidden fields):
    the times step shows it where no time is free, else links to it. Its days start
    with the week shown (``shown``): the visitor waits for the days they looked at."""
    single = wanted.services[0] if len(wanted.services) == 1 and not wanted.package else ""
    hint, first = "", max(shown, now_day)
    if wanted.package:
        query = [("package", wanted.package)]
        weekdays = (await visits.package_by_slug(wanted.package)).weekdays
        hint = package_days_hint(lang, weekdays)
        # From the package's next day: a range of none of its days cannot wait.
        while weekdays and first.isoweekday() not in weekdays:
            first += timedelta(days=1)
    else:
        query = [("service", single)] if single else [("services", s) for s in wanted.services]
    return {
        "action": f"/{lang.code}/sites/{site}/waitlist",
        "page": f"/{lang.code}/sites/{site}/waitlist?{urlencode(query)}",
        "service": single,
        "services": [] if single or wanted.package else wanted.services,
        "package": wanted.package or "",
        "hint": hint,
        # From the week shown for a month, as the waitlist takes empty days.
        # Any time of day until the visitor narrows it ("Not before", "Not after").
        "typed": {
            "from": first.isoformat(),
            "to": (first + WAITLIST_DAYS).isoformat(),
            "earliest": "",
            "latest": "",
        },
        "errors": {},
        "min": now_day.isoformat(),
    }


def package_days_hint(lang: Language, weekdays: tuple[int, ...]) -> str:
    """ "Only on Wednesdays" for a package's ISO weekdays ("" for every day)."""
    if not weekdays:
        return ""
    names = get_day_names("wide", locale=lang.code)
    return lang.gettext("This offer is only on these days: %(days)s.") % {
        "days": format_list([names[d - 1] for d in weekdays], locale=lang.code)
    }


def _taken(lang: Language) -> str:
    return lang.gettext(
        "Sorry, someone else has just booked that time. Here are the nearest free times."
    )


def _wanted_of(form: Any) -> Wanted:
    return Wanted(
        services=form.getall("services", [])[: visits.MAX_SERVICES],
        package=form.get("package") or None,
        advice_language=_clean_advice(str(form.get("advice_language") or "") or None),
    )


def _values_of(form: Any) -> dict[str, str]:
    """What the visitor typed, kept for the next page (cut to a sane length)."""
    return {k: str(form.get(k, ""))[:300] for k in CONTACT_FIELDS}


def _form_date(form: Any, name: str) -> date | None:
    try:
        return date.fromisoformat(str(form.get(name, "")))
    except ValueError:
        return None


def _choice_ids(choice: str) -> list[int]:
    """The slot ids of a choice ("12" or "12,15,19"); [] for anything impossible."""
    try:
        ids = [int(part) for part in choice.split(",")[: visits.MAX_SERVICES + 1]]
    except ValueError:
        return []
    if len(ids) > visits.MAX_SERVICES or not all(0 < i <= MAX_ID for i in ids):
        return []
    return ids


async def _first_start(ids: list[int]) -> datetime | None:
    facts = await repository.slots_by_id(ids)
    starts = [f.starts_at for f in facts.values()]
    return min(starts) if starts else None


async def _first_day(ids: list[int]) -> date | None:
    """The site's day of a choice, to show that day's times again."""
    facts = list((await repository.slots_by_id(ids)).values())
    return min(f.starts_at.astimezone(f.tz).date() for f in facts) if facts else None


def limit_notice(lang: Language, error: LimitReached) -> str:
    """Why the booking was refused, and where to change the one the visitor has."""
    if error.reason == "same_service_day":
        return lang.gettext(
            "You already have a booking for this service on that day ({reference}). "
            "To change it, use the link in its confirmation message."
        ).format(reference=error.references[0])
    return lang.gettext(
        "You already have {count} upcoming bookings, the most we allow. "
        "To change or cancel one, use the link in its confirmation message."
    ).format(count=len(error.references))


async def challenge_errors(
    engine: Engine[Any], settings: Settings, lang: Language, form: Any
) -> dict[str, str]:
    """The proof of work the page solved (challenge.js), checked and spent."""
    try:
        await challenge.verify(engine, settings, str(form.get(challenge.FIELD) or "") or None)
    except InvalidInput:
        return {
            challenge.FIELD: lang.gettext(
                "The automatic check against misuse did not finish. Please try again."
            )
        }
    return {}


def contact_errors(lang: Language, error: DomainError) -> dict[str, str]:
    """The field errors of a contact check, in the visitor's language."""
    texts = {
        "name": lang.gettext("Please give your name."),
        "email": lang.gettext("Please give a valid e-mail address."),
        "phone": lang.gettext(
            "Please give a valid mobile number (with the country code if it is not German)."
        ),
    }
    if any(e.get("code") == NEEDS_SMTPUTF8 for e in error.errors):
        texts["email"] = lang.gettext(
            "We cannot send e-mail to an address with letters other than a to z before "
            "the @. Please give another address or a mobile number."
        )
    fields = {e["field"] for e in error.errors}
    if fields == {"email", "phone"}:
        both = lang.gettext("Give an e-mail address or a mobile number.")
        return {"email": both, "phone": both}
    return {name: texts[name] for name in fields if name in texts}


async def booked_page(
    request: Request[Any, Any, Any],
    lang: Language,
    reference: str,
    token: str,
    visit: list[SlotFacts],
    *,
    reach: Reach | None = None,
    advice_language: str | None = None,
    email: str | None = None,
    phone: str | None = None,
) -> Template:
    site = visit[0]
    no_sms = reach.notices(lang) if reach else []
    told = reach is None or reach.told
    settings: Settings = request.app.state.settings
    places = []
    for slug in dict.fromkeys(s.site for s in visit):
        row = await catalogue.site_by_slug(slug, field=None)
        places.append(
            {
                "name": row.name,
                "address": row.address,
                "map": confirmation.map_url(row.address),
                "check_in": confirmation.check_in_text(lang, row),
            }
        )
    return web.page(
        "booked.html",
        lang,
        request,
        reference=reference,
        site={"name": site.site_name, "address": site.address},
        places=places,
        sent_to=confirmation.sent_to(
            lang,
            email if reach is None or reach.email else None,
            phone if reach is None or reach.sms else None,
        )
        if told
        else None,
        reminders=confirmation.reminders_text(lang, settings.reminder_offsets) if told else None,
        day_label=lang.day(site.starts_at, site.tz),
        stops=await time_choices.stops(lang, visit),
        appointments=[
            {
                "service": s.service_name(lang.code),
                "content": shown(s.service_content(lang.code), lang.code),
            }
            for s in visit
        ],
        advice_language=advice.display_name(advice_language or GERMAN, lang.code),
        ics_action=f"/api/v1/bookings/{reference}/calendar.ics",
        token=token,
        qr=reference_qr(reference),
        manage_url=f"/manage/{reference}?lang={lang.code}#t={token}",
        # Nothing will come (only a phone given, and it gets no SMS): say so.
        notices=[text for _, _, text in no_sms],
        told=told,
        **steps(lang, 5),
    )
