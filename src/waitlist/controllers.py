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
from wcr.config import Settings
from wcr.i18n import localised

from . import claims, entries, joining
from . import repository as repo
from .links import entry_url
from .records import EntryRecord, EntryStatus, HoldRecord, HoldStatus
from .schemas import Claimed, EntryView, HeldPlace, Joined, JoinRequest, OfferView

EngineDep = NamedDependency[Engine[Any]]
SettingsDep = NamedDependency[Settings]
Reference = Annotated[str, PathParameter(max_length=32, description="waitlist reference")]
TOKEN_HELP = "the entry's token, as `Authorization: Bearer TOKEN`"  # noqa: S105 - help text, no secret


class WaitlistController(Controller):
    path = "/api/v1/waitlist"
    tags = ["waitlist"]

    @post("", operation_id="joinWaitlist", status_code=201)
    async def join(
        self, data: Annotated[JoinRequest, Body()], engine: EngineDep, settings: SettingsDep
    ) -> Joined:
        """Wait for a place of `service` at `site` on a day from `from` to `to` (a
        month from today by default), or for a one-stop visit: `services` (2 to 5
        slugs) or a `package` (its services, weekdays and hours), exactly one of the
        three. When a place frees, it is held for the entry (for a one-stop entry, with
        the other places of a whole visit it completes) and the visitor gets a message
        with a link that books it. One open entry per contact and service, or set of
        services (409); with the challenge on, `altcha` as for booking. Optional
        `earliest` and `latest` ("HH:MM", the site's local time) limit the places to
        those starting at or after and ending at or before them."""
        joined = await joining.join(
            engine,
            settings,
            joining.JoinInput(
                site=data.site,
                service=data.service,
                name=data.name,
                email=data.email,
                phone=data.phone,
                language=data.language,
                from_=data.from_,
                to=data.to,
                altcha=data.altcha,
                services=tuple(data.services) if data.services is not None else None,
                package=data.package,
                earliest=data.earliest,
                latest=data.latest,
            ),
        )
        reference, token, contact = joined.reference, joined.token, joined.contact
        return Joined(
            reference=reference,
            token=token,
            status=EntryStatus.WAITING,
            leave_url=entry_url(settings.public_url, contact.language, reference, token),
        )

    @get("/{reference:str}", operation_id="waitlistEntry", description=TOKEN_HELP)
    async def view(
        self, request: Request[Any, Any, Any], reference: Reference, settings: SettingsDep
    ) -> EntryView:
        """The entry, with the place held for it (if any) until when, and when and
        where that place is; once booked, the booking's manage link."""
        entry = await entries.authorised(reference, bearer_token(request, required=False))
        return await entry_view(entry, settings.public_url)

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


async def entry_view(entry: EntryRecord, public_url: str) -> EntryView:
    every_hold = await repo.holds_of(entry.id)
    held = [h for h in every_hold if h.status == HoldStatus.HELD]
    site = await catalogue.site_by_id(entry.site_id)
    services = await catalogue.services_by_id(list(entry.service_ids))
    service = services.get(entry.service_id)
    packages = await booking.packages.packages_of(site) if entry.package_id else []
    package = next((p for p in packages if p.id == entry.package_id), None)
    return EntryView(
        reference=entry.reference,
        status=entry.status,
        site=site.slug,
        service=service.slug if service else "",
        first_day=entry.first_day.isoformat(),
        last_day=entry.last_day.isoformat(),
        offers=entry.offers,
        earliest=entry.earliest,
        latest=entry.latest,
        offer=await offer_view(held, entry.language) if held else None,
        booking_reference=entry.booking_reference,
        services=[services[i].slug for i in entry.services if i in services],
        package=package.slug if package else None,
        package_name=localised(package.names, entry.language, package.slug) if package else None,
        site_name=site.name,
        service_name=service.name(entry.language) if service else None,
        timezone=site.timezone,
        language=entry.language,
        manage_url=await manage_url(entry.booking_reference, public_url),
        offer_withdrawn=entry.status == EntryStatus.WAITING
        and bool(every_hold)
        and every_hold[-1].status == HoldStatus.WITHDRAWN,
    )


async def offer_view(held: list[HoldRecord], language: str) -> OfferView:
    slot_ids = [h.slot_id for h in held]
    facts = sorted((await booking.slots_by_id(set(slot_ids))).values(), key=lambda f: f.starts_at)
    first = facts[0] if facts else None
    agencies = {a.slug: a.name for a in await catalogue.list_agencies()} if facts else {}
    return OfferView(
        slot_ids=slot_ids,
        expires_at=min(h.expires_at for h in held).isoformat(),
        starts_at=first.start_local if first else None,
        ends_at=facts[-1].end_local if facts else None,
        site=first.site if first else None,
        site_name=first.site_name if first else None,
        address=first.address if first else None,
        appointments=[
            HeldPlace(
                slot_id=f.id,
                starts_at=f.start_local,
                ends_at=f.end_local,
                service=f.service,
                service_name=f.service_name(language),
                agency_name=agencies.get(f.agency),
            )
            for f in facts
        ],
    )


async def manage_url(booking_reference: str | None, public_url: str) -> str | None:
    """The booked visit's manage link: whoever holds the entry's token claimed it."""
    if booking_reference is None:
        return None
    made = await booking.booking_by_reference(booking_reference)
    return booking.message_link(made, public_url) if made else None
