"""An agency's bookings as an iCalendar subscription (Outlook, Thunderbird, Google
Calendar subscribe to a URL and fetch it again every so often).

Calendar clients cannot send a header, so the feed's secret rides in the URL's path:
``/api/v1/agency/feed/{token}.ics``. The token (256 random bits) is minted by
``wcr agency-feed AGENCY``, shown once, and only its SHA-256 is stored; a new one
revokes the old, ``--revoke`` revokes without a new one. The access log never shows
it (:mod:`wcr.redaction`). The feed holds what a clerk needs to receive people, the
name and reference, the service and the visitor's language, and no contact details.
Events are in UTC with stable UIDs (the booking's reference and the slot), so a
client's refresh updates its entries; cancelled bookings drop out.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from babel import Locale
from icalendar import Calendar, Event
from icalendar.enums import STATUS
from piccolo.engine.base import Engine

from wcr.catalogue import public as catalogue
from wcr.clock import now
from wcr.database import write_transaction
from wcr.errors import NotFound
from wcr.i18n import Language
from wcr.timezones import today, zone
from wcr.tokens import digest

from . import exports
from . import repository as repo
from .agency_records import FeedAgency
from .availability import DEFAULT_ZONE

FEED_TOKEN_PREFIX = "wcr_af_"  # noqa: S105 - a prefix, not a secret
PRODID = "-//WCR Welcome Centres//Agency bookings//EN"
UID_DOMAIN = "agency.wcr-welcome"
DAYS_BACK = 31
DAYS_AHEAD = 334  # with DAYS_BACK, the longest range a listing allows (366 days)
REFRESH = timedelta(hours=1)


def feed_path(token: str) -> str:
    return f"/api/v1/agency/feed/{token}.ics"


async def mint(engine: Engine[Any], agency_slug: str) -> tuple[str, int]:
    """A new feed token for the agency (the old ones stop working); (token, revoked)."""
    agency = await catalogue.agency_by_slug(agency_slug, field=None)
    token = FEED_TOKEN_PREFIX + secrets.token_urlsafe(32)
    async with write_transaction(engine):
        revoked = await repo.save_feed_token(agency.id, digest(token), now())
    return token, revoked


async def revoke(engine: Engine[Any], agency_slug: str) -> int:
    agency = await catalogue.agency_by_slug(agency_slug, field=None)
    async with write_transaction(engine):
        return await repo.revoke_feed_tokens(agency.id, now())


async def live_since(agency_slug: str) -> datetime | None:
    """When the agency's working feed URL was minted (None: it has none)."""
    agency = await catalogue.agency_by_slug(agency_slug, field=None)
    return await repo.live_feed_since(agency.id)


async def agency_of(token: str) -> FeedAgency:
    """The agency whose live feed token this is; any other answers like an unknown URL."""
    if not token.startswith(FEED_TOKEN_PREFIX) or len(token) > 100:  # noqa: PLR2004
        raise NotFound("no such feed")
    agency = await repo.agency_of_feed(digest(token))
    if agency is None:
        raise NotFound("no such feed")
    return agency


def language_name(code: str, lang: Language) -> str:
    try:
        return str(Locale.parse(code).get_display_name(lang.code) or code)
    except (ValueError, TypeError):
        return code


async def feed(agency: FeedAgency, language: str) -> bytes:
    lang = Language(language)
    first = today(zone(DEFAULT_ZONE)) - timedelta(days=DAYS_BACK)
    _, _, rows = await exports.agency_bookings(
        agency.id, first, first + timedelta(days=DAYS_BACK + DAYS_AHEAD)
    )
    stamp = now().astimezone(UTC).replace(microsecond=0)
    # TRANSLATORS: in an agency's calendar feed, before a booking reference.
    reference_label = lang.gettext("Reference")
    service_label = lang.gettext("Service")
    language_label = lang.gettext("Language of the visitor")
    # TRANSLATORS: the calendar feed's name is "<agency>: Bookings".
    bookings_label = lang.gettext("Bookings")
    events = []
    for booking, slot in rows:
        service = slot.service_name(language)
        spoken = language_name(booking.language, lang)
        description = "\n".join(
            (
                f"{reference_label}: {booking.reference}",
                f"{service_label}: {service}",
                f"{language_label}: {spoken}",
            )
        )
        events.append(
            Event.new(
                uid=f"{booking.reference}-{slot.id}@{UID_DOMAIN}",
                stamp=stamp,
                summary=f"{booking.name} · {service} ({booking.reference})",
                start=slot.starts_at.astimezone(UTC),
                end=slot.ends_at.astimezone(UTC),
                location=f"{slot.site_name}, {slot.address}",
                description=description,
                status=STATUS.CONFIRMED,
            )
        )
    name = f"{agency.name}: {bookings_label}"
    calendar = Calendar.new(prodid=PRODID, method="PUBLISH", subcomponents=events)
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", DEFAULT_ZONE)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH)
    return bytes(calendar.to_ical())
