"""The waitlist API: join, look, claim, leave."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import Body, PathParameter
from piccolo.engine.base import Engine

from wcr.auth import bearer_token
from wcr.booking import public as booking
from wcr.catalogue import public as catalogue
from wcr.challenge import public as challenge
from wcr.clock import now
from wcr.config import Settings
from wcr.errors import InvalidInput
from wcr.reach import check_contact
from wcr.timezones import zone

from . import claims, entries
from . import repository as repo
from .records import EntryStatus, HoldStatus
from .schemas import Claimed, EntryView, Joined, JoinRequest, OfferView

EngineDep = NamedDependency[Engine[Any]]
SettingsDep = NamedDependency[Settings]
Reference = Annotated[str, PathParameter(max_length=32, description="waitlist reference")]
TOKEN_HELP = "the entry's token, as `Authorization: Bearer TOKEN`"  # noqa: S105 - help text, no secret


def leave_url(settings: Settings, language: str, reference: str, token: str) -> str:
    # The token in the fragment: it never reaches a server log or a Referer header.
    return f"{settings.public_url}/{language}/waitlist/{reference}#t={token}"


class WaitlistController(Controller):
    path = "/api/v1/waitlist"
    tags = ["waitlist"]

    @post("", operation_id="joinWaitlist", status_code=201)
    async def join(
        self, data: Annotated[JoinRequest, Body()], engine: EngineDep, settings: SettingsDep
    ) -> Joined:
        """Wait for a place of `service` at `site` on a day from `from` to `to` (a
        month from today by default). When one frees, it is held for the entry and
        the visitor gets a message with a link that books it. One open entry per
        contact and service (409); with the challenge on, `altcha` as for booking."""
        if data.service is None:
            raise InvalidInput.field("service", "give the service to wait for")
        site = await catalogue.site_by_slug(data.site)
        service = await catalogue.service_by_slug(data.service)
        contact = booking.clean_contact(data.name, data.email, data.phone, data.language)
        check_contact(contact.email, contact.phone, settings)
        today = now().astimezone(zone(site.timezone)).date()
        first, last = entries.day_range(
            entries.parse_day(data.from_, "from"), entries.parse_day(data.to, "to"), today
        )
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
        )
        return Joined(
            reference=reference,
            token=token,
            status=EntryStatus.WAITING,
            leave_url=leave_url(settings, contact.language, reference, token),
        )

    @get("/{reference:str}", operation_id="waitlistEntry", description=TOKEN_HELP)
    async def view(self, request: Request[Any, Any, Any], reference: Reference) -> EntryView:
        """The entry, with the place held for it (if any) until when."""
        entry = await entries.authorised(reference, bearer_token(request, required=False))
        held = await repo.holds_of(entry.id, HoldStatus.HELD)
        site = await catalogue.site_by_id(entry.site_id)
        services = await catalogue.services_by_id([entry.service_id])
        return EntryView(
            reference=entry.reference,
            status=entry.status,
            site=site.slug if site else "",
            service=services[entry.service_id].slug if entry.service_id in services else "",
            first_day=entry.first_day.isoformat(),
            last_day=entry.last_day.isoformat(),
            offers=entry.offers,
            offer=OfferView(
                slot_ids=[h.slot_id for h in held],
                expires_at=min(h.expires_at for h in held).isoformat(),
            )
            if held
            else None,
            booking_reference=entry.booking_reference,
        )

    @post(
        "/{reference:str}/claim",
        operation_id="claimWaitlistOffer",
        status_code=201,
        description=TOKEN_HELP,
    )
    async def claim(
        self,
        request: Request[Any, Any, Any],
        reference: Reference,
        engine: EngineDep,
        settings: SettingsDep,
    ) -> Claimed:
        """Book the place held for the entry; once (409 after, or when it ran out)."""
        entry = await entries.authorised(reference, bearer_token(request, required=False))
        booking_reference, token = await claims.claim(
            engine, entry, booking.Notice.from_settings(settings)
        )
        return Claimed(reference=booking_reference, manage_token=token, status="confirmed")

    @delete(
        "/{reference:str}", operation_id="leaveWaitlist", status_code=204, description=TOKEN_HELP
    )
    async def leave(
        self, request: Request[Any, Any, Any], reference: Reference, engine: EngineDep
    ) -> Response[None]:
        """Leave the list; a place held for the entry passes on to the next one."""
        entry = await entries.authorised(reference, bearer_token(request, required=False))
        await entries.leave(engine, entry)
        return Response(None, status_code=204)
