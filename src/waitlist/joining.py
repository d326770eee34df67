"""Joining from the outside: what the API and the join form both send, checked the
same way, then :func:`entries.join`. One function, so the page and the API cannot
drift apart (which fields, which days, when the challenge is spent)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from piccolo.engine.base import Engine

from wcr.booking import public as booking
from wcr.catalogue import public as catalogue
from wcr.challenge import public as challenge
from wcr.clock import now
from wcr.config import Settings
from wcr.errors import InvalidInput
from wcr.reach import Reach, check_contact
from wcr.timezones import zone

from . import entries


@dataclass(frozen=True, kw_only=True)
class JoinInput:
    """A request to join, as typed (the API's JSON or the page's form)."""

    site: str
    service: str | None
    name: str
    email: str | None
    phone: str | None
    language: str | None
    from_: str | None
    to: str | None
    altcha: str | None
    # A one-stop visit instead of ``service``: 2-5 service slugs, or a package.
    services: tuple[str, ...] | None = None
    package: str | None = None
    # Local day-times ("HH:MM", either may be absent) the places must lie within.
    earliest: str | None = None
    latest: str | None = None


@dataclass(frozen=True, kw_only=True)
class Joining:
    reference: str
    token: str
    site: catalogue.Site
    service: catalogue.Service
    first: date
    last: date
    earliest: str | None
    latest: str | None
    contact: booking.Contact
    reach: Reach


async def join(engine: Engine[Any], settings: Settings, data: JoinInput) -> Joining:
    """Check everything, then join: 422 naming every field that is wrong (contact and
    days and times together), the challenge checked (and spent) only when the rest is right,
    409 when the contact already waits for the service."""
    site = await catalogue.site_by_slug(data.site)
    wanted = await entries.wanted(site, data.service, data.services, data.package)
    service = wanted.service
    errors: list[dict[str, str]] = []
    try:
        contact = booking.clean_contact(data.name, data.email, data.phone, data.language)
        reach = check_contact(contact.email, contact.phone, settings)
    except InvalidInput as error:
        errors += error.errors
    try:
        today = now().astimezone(zone(site.timezone)).date()
        first, last = entries.day_range(
            entries.parse_day(data.from_, "from"), entries.parse_day(data.to, "to"), today
        )
        wanted.check_days(first, last)
    except InvalidInput as error:
        errors += error.errors
    earliest = latest = None
    try:
        earliest = entries.parse_time(data.earliest, "earliest")
    except InvalidInput as error:
        errors += error.errors
    try:
        latest = entries.parse_time(data.latest, "latest")
        earliest, latest = entries.time_range(earliest, latest)
    except InvalidInput as error:
        errors += error.errors
    if errors:
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        raise InvalidInput(detail, errors=errors)
    await challenge.verify(engine, settings, data.altcha)
    reference, token = await entries.join(
        engine,
        site_id=site.id,
        service_id=service.id,
        first=first,
        last=last,
        contact=contact,
        hold_minutes=settings.waitlist_hold_minutes,
        max_offers=settings.waitlist_max_offers,
        services=wanted.services,
        package_id=wanted.package.id if wanted.package else None,
        earliest=earliest,
        latest=latest,
    )
    return Joining(
        reference=reference,
        token=token,
        site=site,
        service=service,
        first=first,
        last=last,
        earliest=earliest,
        latest=latest,
        contact=contact,
        reach=reach,
    )
