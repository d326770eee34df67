"""Joining a walk-in line from one's own phone (remote check-in), on the day.

Allowed only where the site allows it (``wcr site-remote-queue SITE on``; off by
default) and only while the site is open (its opening hours of today, in its zone).
Two ways in, one endpoint (``POST /api/v1/sites/{site}/remote-tickets``):

- **a walk-in from afar**: services, name, a phone number or an e-mail address, the
  language, and the solution of an ALTCHA challenge (``altcha``), as a public booking
  needs. One contact holds at most one active remote ticket per site and day: the
  digests of its phone and mailbox (:func:`wcr.booking.public.mailbox`) are kept on the
  ticket under partial unique indexes, so of two joins at once one gets 409
  ``remote_ticket_exists``; leaving the queue (or being served) frees it.
- **a booked visitor's check-in**: ``{"reference"}`` with the booking's manage token
  (or the link token of its messages) as ``Authorization: Bearer``: the desk's
  check-in rule (time window, the walk-in line when late), one ticket per booking.
  No challenge: the token is the proof.

Either answers 201 with the visitor's view of the ticket and its ``ticket_url``.
``GET`` on the same path (:func:`status`) tells the pages whether joining is possible
now, and the walk-in lines to join, with no personal data.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from piccolo.engine.base import Engine

from wcr.booking import public as booking
from wcr.catalogue import public as catalogue
from wcr.challenge import public as challenge
from wcr.clock import now
from wcr.config import Settings
from wcr.database import write_transaction
from wcr.errors import InvalidInput
from wcr.i18n import localised_in
from wcr.tokens import digest

from . import repository as repo
from . import tickets
from .problems import Code, conflict, forbidden
from .records import Step, Ticket, TicketKind
from .schemas import RemoteQueueService, RemoteQueueStatus, RemoteTicketRequest


def is_open(site: catalogue.Site, at: datetime) -> bool:
    """Whether ``at`` falls into one of the site's opening intervals of that local day."""
    local = at.astimezone(site.tz)
    for start, end in site.opening_hours.get(str(local.isoweekday()), []):
        if time.fromisoformat(start) <= local.time().replace(tzinfo=None) < time.fromisoformat(end):
            return True
    return False


async def allows(site: catalogue.Site) -> bool:
    return await repo.remote_queue(site.id)


async def lines(site: catalogue.Site, language: str) -> list[tuple[str, str, str]]:
    """The site's walk-in lines, by queue letter: (slug, name in ``language`` or its
    fallback, the language of that name)."""
    letters = await repo.letters(site.id)
    services = await catalogue.services_by_id(list(letters)) if letters else {}
    found = []
    for service_id, _letter in sorted(letters.items(), key=lambda item: item[1]):
        service = services.get(service_id)
        if service is not None:
            name, name_lang = localised_in(service.names, language, service.slug)
            found.append((service.slug, name, name_lang))
    return found


async def status(site: catalogue.Site, language: str) -> RemoteQueueStatus:
    """Whether a visitor may join now (allowed, open) and the lines to join."""
    moment = now()
    return RemoteQueueStatus(
        allowed=await allows(site),
        open=is_open(site, moment),
        today=moment.astimezone(site.tz).date().isoformat(),
        services=[RemoteQueueService(slug, name) for slug, name, _ in await lines(site, language)],
    )


async def allow(engine: Engine[Any], site_slug: str, *, allowed: bool) -> None:
    """Switch remote check-in of a site on or off (``wcr site-remote-queue``)."""
    site = await catalogue.site_by_slug(site_slug)
    async with write_transaction(engine):
        await repo.set_remote_queue(site.id, allowed=allowed)


async def join(
    engine: Engine[Any],
    settings: Settings,
    site: catalogue.Site,
    data: RemoteTicketRequest,
    token: str | None,
) -> Ticket:
    if not await allows(site):
        raise forbidden(Code.REMOTE_QUEUE_OFF, f"{site.name} takes no remote check-ins")
    if not is_open(site, now()):
        raise conflict(Code.SITE_CLOSED, f"{site.name} is closed now: join when it is open")
    if data.reference is not None:
        booked = await booking.authorised_booking(tickets.reference_from(data.reference), token)
        ticket, _late = await tickets.check_in_booked(engine, site, booked, settings.notify_ahead)
        return ticket
    slugs = [data.service] if data.service else []
    slugs += list(data.services or [])
    ids = await tickets.service_ids(site.id, slugs)
    name = booking.clean_name(data.name or "")
    phone = booking.clean_phone(data.phone)
    email = booking.clean_email(data.email)
    language = tickets.clean_language(data.language)
    if phone is None and email is None:
        raise InvalidInput(
            "phone or email: give one, so that a ticket is one person's",
            errors=[
                {"field": "phone", "message": "give a phone number or an e-mail address"},
                {"field": "email", "message": "give a phone number or an e-mail address"},
            ],
            extra={"code": Code.INVALID_INPUT},
        )
    await challenge.verify(engine, settings, data.altcha)
    return await tickets.issue(
        engine,
        site,
        [Step(i, None) for i in ids],
        kind=TicketKind.WALKIN,
        due_at=now(),
        name=name,
        phone=phone,
        language=language,
        remote=True,
        phone_key=digest(f"phone:{phone}") if phone else None,
        email_key=digest(f"email:{booking.mailbox(email)}") if email else None,
        notify_ahead=settings.notify_ahead,
    )
