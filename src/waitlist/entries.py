"""Joining, viewing and leaving the waitlist, each one write transaction.

An entry waits for one service, or for a one-stop visit: a package (its services,
days and hours) or 2-5 services of the visitor's choice, resolved as booking's
one-stop search resolves them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from piccolo.engine.base import Engine

from wcr import events
from wcr.booking import public as booking
from wcr.catalogue import public as catalogue
from wcr.clock import now
from wcr.database import is_unique_violation, retrying_deadlocks, write_transaction
from wcr.errors import Conflict, InvalidInput, NotFound
from wcr.tokens import digest, matches, new_manage_token, new_reference, normalise_reference

from . import repository as repo
from .events import EndedBecause, EntryEnded, EntryJoined
from .links import opens
from .records import OPEN, EntryRecord, EntryStatus, HoldStatus, NewEntry

# How far ahead a visitor may wait: as far as agencies publish, roughly.
MAX_RANGE = timedelta(days=92)
DEFAULT_RANGE = timedelta(days=30)


def parse_day(raw: str | None, field: str) -> date | None:
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput.field(field, "a day as YYYY-MM-DD") from None


def day_range(first: date | None, last: date | None, today: date) -> tuple[date, date]:
    first = first or today
    last = last or first + DEFAULT_RANGE
    if first < today:
        raise InvalidInput.field("from", "the first day cannot be in the past")
    if last < first:
        raise InvalidInput.field("to", "the last day cannot be before the first")
    if last - first > MAX_RANGE:
        raise InvalidInput.field("to", f"at most {MAX_RANGE.days} days of waiting")
    return first, last


def parse_time(raw: str | None, field: str) -> str | None:
    """A local day-time as "HH:MM" (24 hours; "" is none, as a form sends it)."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    try:
        parsed = datetime.strptime(text, "%H:%M")  # noqa: DTZ007 - a time of day only
    except ValueError:
        raise InvalidInput.field(field, "a time of day as HH:MM, 00:00 to 23:59") from None
    if len(text) != len("HH:MM"):
        raise InvalidInput.field(field, "a time of day as HH:MM, 00:00 to 23:59")
    return parsed.strftime("%H:%M")


def time_range(earliest: str | None, latest: str | None) -> tuple[str | None, str | None]:
    if earliest is not None and latest is not None and latest <= earliest:
        raise InvalidInput.field("latest", "the latest time must be after the earliest")
    return earliest, latest


@dataclass(frozen=True)
class Wanted:
    """What an entry waits for: one service, or a one-stop visit's services (the
    first is ``service``) and maybe the package whose days and hours apply."""

    service: catalogue.Service
    services: tuple[int, ...] = ()
    package: booking.packages.PackageInfo | None = None

    def check_days(self, first: date, last: date) -> None:
        if self.package is not None:
            check_package_days(self.package, first, last)


async def wanted(
    site: catalogue.Site,
    service: str | None,
    services: Sequence[str] | None = None,
    package: str | None = None,
) -> Wanted:
    """``service``, or ``services`` (2-5 slugs), or a ``package``: exactly one (422
    naming the fields given together, or ``service`` when none is); the one-stop ones
    resolved as booking's one-stop search does (an unknown package is 422 on
    ``package``, a service on ``services``, another site's package on ``site``)."""
    given = [
        name
        for name, value in (("service", service), ("services", services), ("package", package))
        if value is not None
    ]
    if len(given) > 1:
        message = "give one of service, services or package"
        raise InvalidInput(
            f"{' and '.join(given)}: {message}",
            errors=[{"field": name, "message": message} for name in given],
        )
    if service is not None:
        return Wanted(await catalogue.service_by_slug(service))
    if services is None and package is None:
        raise InvalidInput.field("service", "give the service to wait for")
    if services is not None and any("," in slug for slug in services):
        raise InvalidInput.field("services", "service slugs, each its own item")
    visit = await booking.resolve_visit(
        site.slug, ",".join(services) if services is not None else None, package
    )
    return Wanted(visit.services[0], tuple(s.id for s in visit.services), visit.package)


def contact_key(key: str | None, service_ids: tuple[int, ...]) -> str | None:
    """The unique key of "one open entry per contact and service": ``<key>:7`` for one
    service, ``<key>:3+7`` for a one-stop set (the ids ascending, packages alike)."""
    return f"{key}:{'+'.join(str(i) for i in sorted(service_ids))}" if key else None


def check_package_days(package: booking.packages.PackageInfo, first: date, last: date) -> None:
    """A package's entry must accept one of its weekdays (422 on ``from``, as the
    one-stop search answers)."""
    if not package.weekdays:
        return
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    if not any(day.isoweekday() in package.weekdays for day in days):
        raise InvalidInput.field(
            "from",
            f"the package {package.slug!r} is offered {booking.describe_schedule(package)} only",
        )


async def join(
    engine: Engine[Any],
    *,
    site_id: int,
    service_id: int,
    first: date,
    last: date,
    contact: booking.Contact,
    hold_minutes: int,
    max_offers: int,
    services: tuple[int, ...] = (),
    package_id: int | None = None,
    earliest: str | None = None,
    latest: str | None = None,
) -> tuple[str, str]:
    """A new waiting entry: (reference, token). 409 when the contact already waits
    for the service, or the set of services (the unique index decides). A one-stop
    entry gives its ``services`` (``service_id`` is the first of them) and maybe the
    package whose days and hours apply; ``earliest`` and ``latest`` the local day-times
    ("HH:MM") its places must lie within, if any."""
    token = new_manage_token()
    reference = new_reference()
    wanted = tuple(sorted(services)) or (service_id,)
    entry = NewEntry(
        reference=reference,
        token_hash=digest(token),
        site_id=site_id,
        service_id=service_id,
        first_day=first,
        last_day=last,
        name=contact.name,
        email=contact.email,
        phone=contact.phone,
        language=contact.language,
        hold_minutes=hold_minutes,
        max_offers=max_offers,
        email_service=contact_key(contact.email_key, wanted),
        phone_service=contact_key(contact.phone_key, wanted),
        at=now(),
        services=tuple(sorted(services)),
        package_id=package_id,
        earliest=earliest,
        latest=latest,
    )
    try:
        async with write_transaction(engine):
            entry_id = await repo.insert_entry(entry)
            # Its message carries the link to the entry's page (to look, or to leave).
            await events.emit(
                EntryJoined(
                    entry_id=entry_id,
                    reference=reference,
                    email=contact.email,
                    phone=contact.phone,
                    language=contact.language,
                    at=entry.at,
                )
            )
    except Exception as error:
        if is_unique_violation(error):
            what = "these services" if services else "this service"
            raise Conflict(f"this contact is already on the waitlist for {what}") from None
        raise
    return reference, token


async def authorised(reference: str, token: str | None) -> EntryRecord:
    entry = await repo.entry_by_reference(normalise_reference(reference))
    # The entry's own token, or the link token its messages carry.
    if entry is None or not token or not (matches(token, entry.token_hash) or opens(entry, token)):
        raise NotFound("no waitlist entry with that reference and token")
    return entry


async def leave(engine: Engine[Any], entry: EntryRecord) -> None:
    """Leave the list; a place held for the entry passes on to the next one."""
    if entry.status not in OPEN:
        raise Conflict(f"the entry is {entry.status}; it is no longer on the list")

    async def leaving() -> None:
        async with write_transaction(engine):
            if not await take_off(entry, now()):
                raise Conflict("the entry is no longer on the list")

    await retrying_deadlocks(leaving)


async def take_off(entry: EntryRecord, at: datetime, *, silent: bool = False) -> bool:
    """The entry leaves the list, in the caller's transaction: a place held for it
    passes on; its visitor is told unless ``silent``. False when it was closed already."""
    if not await repo.end_entry(entry.id, EntryStatus.LEFT, at):
        return False
    released = await repo.end_holds(entry.id, HoldStatus.DECLINED)
    await give_back(released, at)
    await events.emit(EntryEnded.of(entry, EndedBecause.LEFT, at, silent=silent))
    return True


async def give_back(slot_ids: list[int], at: datetime) -> None:
    """Return held places and tell everyone (the waitlist itself offers them on)."""
    for slot_id in sorted(slot_ids):
        await booking.give_back_place(slot_id)
    if slot_ids:
        await events.emit(
            booking.PlaceFreed(
                slot_ids=tuple(sorted(slot_ids)),
                because=booking.FreedBecause.HOLD_ENDED,
                at=at,
            )
        )
