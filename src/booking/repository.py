"""Every query of the booking feature.

The capacity rules live here, as single conditional statements: a place is taken by
``UPDATE … SET booked = booked + 1 WHERE booked < capacity … RETURNING``, which the
database runs atomically, so no Python code ever checks a count and then writes.
Callers that touch several slots do so in ascending id order, so two transactions
never wait for each other in a cycle (no deadlocks on PostgreSQL).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any, Literal

from wcr.clock import now
from wcr.database import json_value
from wcr.timezones import as_utc, zone

from .agency_records import ClosedDayRecord, FeedAgency
from .records import (
    GERMAN,
    AgencyBooking,
    AppointmentStatus,
    AppointmentStep,
    BookingInSlot,
    BookingRecord,
    BookingStatus,
    CompanyRecord,
    Marked,
    NewBooking,
    NewSlot,
    NoPlace,
    PackageInfo,
    SlotFacts,
    SlotTime,
    pack_codes,
    unpack_codes,
)
from .stats_records import AppointmentDay
from .tables import (
    AgencyFeed,
    Appointment,
    Booking,
    ClosedDay,
    Company,
    ContactLock,
    PackageService,
    Slot,
    VisitPackage,
)

# Written out rather than built by Piccolo's query builder: building this three-join
# select cost more CPU than running it (bench/booking_race.py, py-spy).
SLOT_SELECT = (
    "SELECT s.id, s.site AS site_id, si.slug AS site_slug, si.name AS site_name, "
    "si.address AS site_address, si.timezone AS site_timezone, s.agency AS agency_id, "
    "a.slug AS agency_slug, s.service AS service_id, sv.slug AS service_slug, "
    "sv.names AS service_names, s.starts_at, s.ends_at, s.capacity, s.booked, "
    "s.withdrawn_at, sv.descriptions AS service_descriptions, sv.bring AS service_bring, "
    "s.languages FROM slot s JOIN site si ON si.id = s.site "
    "JOIN agency a ON a.id = s.agency JOIN service sv ON sv.id = s.service"
)


def _facts(row: dict[str, Any]) -> SlotFacts:
    return SlotFacts(
        id=row["id"],
        site_id=row["site_id"],
        site=row["site_slug"],
        site_name=row["site_name"],
        address=row["site_address"],
        tz=zone(row["site_timezone"]),
        agency_id=row["agency_id"],
        agency=row["agency_slug"],
        service_id=row["service_id"],
        service=row["service_slug"],
        service_names=json_value(row["service_names"]),
        starts_at=as_utc(row["starts_at"]),
        ends_at=as_utc(row["ends_at"]),
        capacity=row["capacity"],
        booked=row["booked"],
        withdrawn=row["withdrawn_at"] is not None,
        service_descriptions=json_value(row["service_descriptions"]),
        service_bring=json_value(row["service_bring"]),
        languages=unpack_codes(row["languages"]),
    )


def _speaks(column: str, advice_language: str | None) -> tuple[str, list[Any]]:
    """A condition (and its argument) for slots whose adviser speaks the language;
    German, every office's language, needs none."""
    if advice_language is None or advice_language == GERMAN:
        return "", []
    return f" AND {column} LIKE {{}}", [f"%,{advice_language},%"]


async def slots_by_id(ids: Iterable[int]) -> dict[int, SlotFacts]:
    ids = list(ids)
    if not ids:
        return {}
    placeholders = ", ".join("{}" for _ in ids)
    rows = await Slot.raw(f"{SLOT_SELECT} WHERE s.id IN ({placeholders})", *ids)
    return {row["id"]: _facts(row) for row in rows}


async def find_slots(
    *,
    start: datetime,
    end: datetime,
    site_id: int | None = None,
    service_id: int | None = None,
    service_ids: list[int] | None = None,
    agency_id: int | None = None,
    bookable_only: bool = False,
    advice_language: str | None = None,
    limit: int = 5000,
) -> list[SlotFacts]:
    conditions: list[str] = ["s.starts_at >= {}", "s.starts_at < {}"]
    args: list[Any] = [start, end]
    for column, value in (("s.site", site_id), ("s.service", service_id), ("s.agency", agency_id)):
        if value is not None:
            conditions.append(f"{column} = {{}}")
            args.append(value)
    if service_ids is not None:
        conditions.append(f"s.service IN ({', '.join('{}' for _ in service_ids) or 'NULL'})")
        args += service_ids
    if bookable_only:
        conditions.append("s.withdrawn_at IS NULL AND s.booked < s.capacity AND s.starts_at > {}")
        args.append(now())
    speaks, spoken = _speaks("s.languages", advice_language)
    args += spoken
    where = " AND ".join(conditions) + speaks
    rows = await Slot.raw(
        f"{SLOT_SELECT} WHERE {where} ORDER BY s.starts_at, s.id LIMIT {int(limit)}", *args
    )
    return [_facts(row) for row in rows]


async def free_slot_times(
    site_id: int,
    service_ids: list[int],
    start: datetime,
    end: datetime,
    advice_language: str | None = None,
) -> list[SlotTime]:
    """id, service, starts_at, ends_at of the bookable slots: no joins, few columns."""
    placeholders = ", ".join("{}" for _ in service_ids) or "NULL"
    speaks, spoken = _speaks("languages", advice_language)
    rows = await Slot.raw(
        "SELECT id, service, starts_at, ends_at FROM slot "  # noqa: S608 - placeholders only
        f"WHERE site = {{}} AND service IN ({placeholders}) AND starts_at >= {{}} "
        "AND starts_at < {} AND starts_at > {} AND withdrawn_at IS NULL "
        f"AND booked < capacity{speaks} ORDER BY starts_at, id",
        site_id,
        *service_ids,
        start,
        end,
        now(),
        *spoken,
    )
    return [
        SlotTime(
            id=row["id"],
            service_id=row["service"],
            starts_at=as_utc(row["starts_at"]),
            ends_at=as_utc(row["ends_at"]),
        )
        for row in rows
    ]


async def services_at_site(site_id: int) -> list[int]:
    """Ids of the services with slots ahead at a site."""
    rows = await Slot.raw(
        "SELECT DISTINCT service FROM slot WHERE site = {} AND starts_at > {} "
        "AND withdrawn_at IS NULL",
        site_id,
        now(),
    )
    return [row["service"] for row in rows]


async def slot_exists(slot_id: int) -> bool:
    return bool(await Slot.raw("SELECT 1 AS found FROM slot WHERE id = {}", slot_id))


# --- capacity -------------------------------------------------------------------

# A slot that takes somebody at {}: a place free, not withdrawn, not begun. One text for
# the take and for the read before it, so that the read refuses exactly what the take
# would.
_TAKES_SOMEBODY = "booked < capacity AND withdrawn_at IS NULL AND starts_at > {}"
_TAKE = f"UPDATE slot SET booked = booked + 1 WHERE id = {{}} AND {_TAKES_SOMEBODY} "  # noqa: S608


async def take_place(slot_id: int, at: datetime) -> datetime | None:
    """Take one place; the slot's start when it had one free, else None."""
    rows = await Slot.raw(f"{_TAKE}RETURNING starts_at", slot_id, at)
    return as_utc(rows[0]["starts_at"]) if rows else None


async def first_unavailable(ids: list[int], at: datetime) -> tuple[int, NoPlace] | None:
    """The first of ``ids`` (ascending) that takes nobody at ``at``, and why; None when
    each has a place free. A read, without a lock: a place it saw free may be gone
    when the write comes, and the conditional update then decides."""
    placeholders = ", ".join("{}" for _ in ids)
    rows = await Slot.raw(
        f"SELECT id, {_TAKES_SOMEBODY} AS free FROM slot WHERE id IN ({placeholders})",  # noqa: S608
        at,
        *ids,
    )
    free = {row["id"]: bool(row["free"]) for row in rows}
    for slot_id in sorted(ids):
        if slot_id not in free:
            return slot_id, NoPlace.NO_SLOT
        if not free[slot_id]:
            return slot_id, NoPlace.FULL
    return None


# On PostgreSQL the refusal's reason comes with the update: every part of one statement
# sees the same snapshot, so the slot's existence is read as the update found it. A
# booking rush is mostly refusals, and this spares each one a round trip.
_TAKE_OR_WHY = (
    f"WITH taken AS ({_TAKE}RETURNING starts_at) "  # noqa: S608 - fixed fragments
    "SELECT (SELECT starts_at FROM taken) AS starts_at, "
    "EXISTS (SELECT 1 FROM slot WHERE id = {}) AS found"
)


async def take_place_or_why(slot_id: int, at: datetime) -> datetime | NoPlace:
    """:func:`take_place`, or why not: the slot is full (or withdrawn, or begun) or
    there is no such slot. One statement on PostgreSQL; SQLite, whose WITH holds no
    UPDATE, asks for the slot only after a refusal (in process, no round trip)."""
    if Slot._meta.db.engine_type != "postgres":  # noqa: SLF001
        start = await take_place(slot_id, at)
        if start is not None:
            return start
        return NoPlace.FULL if await slot_exists(slot_id) else NoPlace.NO_SLOT
    [row] = await Slot.raw(_TAKE_OR_WHY, slot_id, at, slot_id)
    if row["starts_at"] is not None:
        return as_utc(row["starts_at"])
    return NoPlace.FULL if row["found"] else NoPlace.NO_SLOT


async def free_place(slot_id: int) -> None:
    await Slot.raw("UPDATE slot SET booked = booked - 1 WHERE id = {} AND booked > 0", slot_id)


# Nobody has booked the slot: no live appointment of a standing booking in it. A place
# held for a waitlist entry counts in ``booked`` but is no booking; it ends with the slot.
# The two values are this module's own enum constants.
_NOBODY_BOOKED = (
    "NOT EXISTS (SELECT 1 FROM appointment a JOIN booking b ON b.id = a.booking "  # noqa: S608
    f"WHERE a.slot = slot.id AND a.status = '{AppointmentStatus.ACTIVE.value}' "
    f"AND b.status = '{BookingStatus.CONFIRMED.value}')"
)


async def booked_among(slot_ids: list[int]) -> set[int]:
    """Those of ``slot_ids`` that somebody has booked, read afresh.

    The withdrawals' ``NOBODY_BOOKED`` alone is not enough on PostgreSQL: a booking
    that took its place but had not committed when the UPDATE began makes the UPDATE
    wait for the row and then recheck it, with the subquery still reading the old
    snapshot (read committed). Asked after the UPDATE (and after the waitlist's
    subscribers, which wait for a claim under way), this later statement sees them."""
    if not slot_ids:
        return set()
    marks = ", ".join("{}" for _ in slot_ids)
    rows = await Slot.raw(
        f"SELECT id FROM slot WHERE id IN ({marks}) AND NOT {_NOBODY_BOOKED}",  # noqa: S608
        *slot_ids,
    )
    return {row["id"] for row in rows}


async def restore_slots(slot_ids: list[int]) -> None:
    """Undo the withdrawal of ``slot_ids`` (booked meanwhile), in the same transaction."""
    marks = ", ".join("{}" for _ in slot_ids)
    await Slot.raw(
        f"UPDATE slot SET withdrawn_at = NULL WHERE id IN ({marks})",  # noqa: S608
        *slot_ids,
    )


async def withdraw_slot(slot_id: int, agency_id: int, *, only_if_unbooked: bool) -> bool:
    condition = " AND " + _NOBODY_BOOKED if only_if_unbooked else ""
    # Only fixed SQL fragments are joined; every value is a bound parameter.
    rows = await Slot.raw(
        "UPDATE slot SET withdrawn_at = {} "  # noqa: S608
        "WHERE id = {} AND agency = {} AND withdrawn_at IS NULL" + condition + " RETURNING id",
        now(),
        slot_id,
        agency_id,
    )
    return bool(rows)


async def lock_service(service_id: int) -> None:
    """Serialise slot publication per service on PostgreSQL (SQLite: BEGIN IMMEDIATE does)."""
    if Slot._meta.db.engine_type == "postgres":  # noqa: SLF001
        await Slot.raw("SELECT id FROM service WHERE id = {} FOR UPDATE", service_id)


async def overlapping_slots(
    site_id: int, service_id: int, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    rows = (
        await Slot.select(Slot.starts_at, Slot.ends_at)
        .where(
            Slot.site == site_id,
            Slot.service == service_id,
            Slot.withdrawn_at.is_null(),
            Slot.starts_at < end,
            Slot.ends_at > start,
        )
        .order_by(Slot.starts_at)
    )
    return [(as_utc(r["starts_at"]), as_utc(r["ends_at"])) for r in rows]


async def insert_slots(slots: list[NewSlot], at: datetime) -> list[int]:
    if not slots:
        return []
    rows = [
        Slot(
            site=s.site_id,
            service=s.service_id,
            agency=s.agency_id,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            capacity=s.capacity,
            booked=0,
            created_at=at,
            languages=pack_codes(s.languages),
        )
        for s in slots
    ]
    result = await Slot.insert(*rows).returning(Slot.id)
    return [r["id"] for r in result]


# --- bookings -------------------------------------------------------------------


async def insert_booking(booking: NewBooking) -> int:
    rows = await Booking.raw(
        "INSERT INTO booking (reference, token_hash, name, email, phone, language, status, "
        "version, created_at, updated_at, silent, email_key, phone_key, company, "
        "advice_language, package) "
        "VALUES ({}, {}, {}, {}, {}, {}, {}, 0, {}, {}, {}, {}, {}, {}, {}, {}) "
        "RETURNING id",
        booking.reference,
        booking.token_hash,
        booking.name,
        booking.email,
        booking.phone,
        booking.language,
        BookingStatus.CONFIRMED,
        booking.at,
        booking.at,
        booking.silent,
        booking.email_key,
        booking.phone_key,
        booking.company_id,
        booking.advice_language,
        booking.package_id,
    )
    return int(rows[0]["id"])


async def insert_appointments(
    booking_id: int, slot_ids: list[int], at: datetime, version: int = 0
) -> None:
    values = ", ".join("({}, {}, {}, {}, {}, {})" for _ in slot_ids)
    args: list[Any] = []
    for position, slot_id in enumerate(slot_ids):
        args += [booking_id, slot_id, position, AppointmentStatus.ACTIVE, at, version]
    await Appointment.raw(
        "INSERT INTO appointment (booking, slot, position, status, created_at, version) "  # noqa: S608 - placeholders only
        f"VALUES {values}",
        *args,
    )


def _booking(row: dict[str, Any]) -> BookingRecord:
    return BookingRecord(
        id=row["id"],
        reference=row["reference"],
        token_hash=row["token_hash"],
        name=row["name"],
        email=row["email"],
        phone=row["phone"],
        language=row["language"],
        status=BookingStatus(row["status"]),
        version=row["version"],
        created_at=as_utc(row["created_at"]),
        company_id=row["company"],
        advice_language=row["advice_language"],
        package_id=row["package"],
    )


async def booking_by_id(booking_id: int) -> BookingRecord | None:
    row = await Booking.select().where(Booking.id == booking_id).first()
    return _booking(row) if row else None


async def booking_by_reference(reference: str) -> BookingRecord | None:
    row = await Booking.select().where(Booking.reference == reference).first()
    return _booking(row) if row else None


async def itinerary(
    booking_id: int, status: AppointmentStatus = AppointmentStatus.ACTIVE
) -> list[int]:
    """Slot ids of the booking's appointments in ``status``, in visiting order.

    A cancelled booking's appointments keep the status ``cancelled``, so the booking
    can still be shown as it was; replaced ones (rescheduled away) are ``replaced``.
    """
    rows = (
        await Appointment.select(Appointment.slot)
        .where(Appointment.booking == booking_id, Appointment.status == status)
        .order_by(Appointment.position)
    )
    return [r["slot"] for r in rows]


async def bookings_by_id(ids: Iterable[int]) -> dict[int, BookingRecord]:
    ids = list(ids)
    if not ids:
        return {}
    rows = await Booking.select().where(Booking.id.is_in(ids))
    return {row["id"]: _booking(row) for row in rows}


async def appointment_steps(booking_ids: Iterable[int]) -> dict[int, list[AppointmentStep]]:
    """Every appointment these bookings ever had, by booking, in visiting order."""
    ids = list(booking_ids)
    if not ids:
        return {}
    rows = (
        await Appointment.select(
            Appointment.booking,
            Appointment.position,
            Appointment.slot,
            Appointment.status,
            Appointment.version,
            Appointment.ended_version,
        )
        .where(Appointment.booking.is_in(ids))
        .order_by(Appointment.booking)
        .order_by(Appointment.position)
        .order_by(Appointment.id)
    )
    steps: dict[int, list[AppointmentStep]] = {}
    for r in rows:
        steps.setdefault(r["booking"], []).append(
            AppointmentStep(
                booking_id=r["booking"],
                position=r["position"],
                slot_id=r["slot"],
                status=AppointmentStatus(r["status"]),
                version=r["version"],
                ended_version=r["ended_version"],
            )
        )
    return steps


async def positions(
    booking_id: int, statuses: tuple[AppointmentStatus, ...]
) -> list[tuple[int, int]]:
    """(position, slot id) of the booking's appointments in ``statuses``, in order."""
    rows = (
        await Appointment.select(Appointment.position, Appointment.slot)
        .where(Appointment.booking == booking_id, Appointment.status.is_in(list(statuses)))
        .order_by(Appointment.position)
    )
    return [(r["position"], r["slot"]) for r in rows]


async def mark_booking(
    booking_id: int, *, from_status: BookingStatus, to_status: BookingStatus, at: datetime
) -> Marked | None:
    """Bump the version of a booking still in ``from_status``: its new version and
    contact, or None when another change won."""
    cancelled = ", cancelled_at = {}" if to_status == BookingStatus.CANCELLED else ""
    args: list[Any] = [to_status, at]
    if cancelled:
        args.append(at)
    # Only fixed SQL fragments are joined; every value is a bound parameter.
    rows = await Booking.raw(
        "UPDATE booking SET status = {}, version = version + 1, updated_at = {}"  # noqa: S608
        + cancelled
        + " WHERE id = {} AND status = {} RETURNING version, email, phone, silent",
        *args,
        booking_id,
        from_status,
    )
    if not rows:
        return None
    row = rows[0]
    return Marked(
        version=row["version"], email=row["email"], phone=row["phone"], silent=bool(row["silent"])
    )


async def end_appointments(
    booking_id: int, status: AppointmentStatus, version: int, slot_id: int | None = None
) -> None:
    """End the booking's active appointments (or just the one in ``slot_id``) with the
    booking's change to ``version``."""
    query = Appointment.update(
        {Appointment.status: status, Appointment.ended_version: version}
    ).where(Appointment.booking == booking_id, Appointment.status == AppointmentStatus.ACTIVE)
    if slot_id is not None:
        query = query.where(Appointment.slot == slot_id)
    await query


async def bookings_in_slot(slot_id: int) -> list[BookingInSlot]:
    rows = await Booking.raw(
        "SELECT DISTINCT b.id, b.reference FROM booking b "
        "JOIN appointment a ON a.booking = b.id "
        "WHERE a.slot = {} AND a.status = {} AND b.status = {}",
        slot_id,
        AppointmentStatus.ACTIVE,
        BookingStatus.CONFIRMED,
    )
    return [BookingInSlot(id=row["id"], reference=row["reference"]) for row in rows]


async def agency_bookings(agency_id: int, start: datetime, end: datetime) -> list[AgencyBooking]:
    rows = await Booking.raw(
        "SELECT b.reference, b.status, b.name, b.email, b.phone, b.language, "
        "s.id AS slot_id FROM booking b "
        "JOIN appointment a ON a.booking = b.id "
        "JOIN slot s ON s.id = a.slot "
        "WHERE s.agency = {} AND s.starts_at >= {} AND s.starts_at < {} "
        "AND a.status = {} AND b.status = {} "
        "ORDER BY s.starts_at, b.reference",
        agency_id,
        start,
        end,
        AppointmentStatus.ACTIVE,
        BookingStatus.CONFIRMED,
    )
    return [
        AgencyBooking(
            reference=row["reference"],
            status=BookingStatus(row["status"]),
            name=row["name"],
            email=row["email"],
            phone=row["phone"],
            language=row["language"],
            slot_id=row["slot_id"],
        )
        for row in rows
    ]


# --- one-stop packages ------------------------------------------------------------


async def packages(site: str | None = None) -> list[PackageInfo]:
    query = VisitPackage.select(
        VisitPackage.id,
        VisitPackage.slug,
        VisitPackage.names,
        VisitPackage.site.slug.as_alias("site"),
        VisitPackage.weekdays,
        VisitPackage.opens,
        VisitPackage.closes,
    ).order_by(VisitPackage.slug)
    if site:
        query = query.where(VisitPackage.site.slug == site)
    rows = await query
    members = await PackageService.select(
        PackageService.package, PackageService.service.slug.as_alias("service")
    ).order_by(PackageService.position)
    services: dict[int, list[str]] = {}
    for member in members:
        services.setdefault(member["package"], []).append(member["service"])
    return [
        PackageInfo(
            slug=row["slug"],
            names=json_value(row["names"]),
            site=row["site"],
            services=services.get(row["id"], []),
            id=row["id"],
            weekdays=tuple(int(day) for day in unpack_codes(row["weekdays"])),
            opens=time.fromisoformat(row["opens"]) if row["opens"] else None,
            closes=time.fromisoformat(row["closes"]) if row["closes"] else None,
        )
        for row in rows
    ]


async def package_exists(slug: str) -> bool:
    return bool(await VisitPackage.exists().where(VisitPackage.slug == slug))


def _days(weekdays: tuple[int, ...]) -> str:
    return pack_codes([str(day) for day in sorted(weekdays)])


async def insert_package(
    slug: str,
    site_id: int,
    names: dict[str, str],
    service_ids: list[int],
    schedule: tuple[tuple[int, ...], time | None, time | None] = ((), None, None),
) -> None:
    weekdays, opens, closes = schedule
    created = await VisitPackage.insert(
        VisitPackage(
            slug=slug,
            site=site_id,
            names=json.dumps(names, ensure_ascii=False),
            weekdays=_days(weekdays),
            opens=opens.strftime("%H:%M") if opens else None,
            closes=closes.strftime("%H:%M") if closes else None,
        )
    ).returning(VisitPackage.id)
    await PackageService.insert(
        *(
            PackageService(package=created[0]["id"], service=service_id, position=n)
            for n, service_id in enumerate(service_ids)
        )
    )


async def update_package(
    slug: str,
    names: dict[str, str],
    schedule: tuple[tuple[int, ...], time | None, time | None],
) -> bool:
    """Set a package's names, weekdays and hours; False when there is no such package."""
    weekdays, opens, closes = schedule
    rows = await VisitPackage.raw(
        "UPDATE visit_package SET names = {}, weekdays = {}, opens = {}, closes = {} "
        "WHERE slug = {} RETURNING id",
        json.dumps(names, ensure_ascii=False),
        _days(weekdays),
        opens.strftime("%H:%M") if opens else None,
        closes.strftime("%H:%M") if closes else None,
        slug,
    )
    return bool(rows)


# --- limits ---------------------------------------------------------------------
# A limit is counted under a lock: the contact's lock row (upserted) or the company's
# row (updated). On PostgreSQL the row stays locked until commit, so two bookings of
# one contact are counted one after the other; SQLite's BEGIN IMMEDIATE already
# serialises every writer. Locks are taken before any slot, contacts in key order.

# The columns a limit counts by; only these fixed names are ever joined into SQL.
LimitColumn = Literal["email_key", "phone_key", "company"]


async def lock_contact(key: str, at: datetime) -> None:
    await ContactLock.raw(
        "INSERT INTO contact_lock (key, touched_at) VALUES ({}, {}) "
        "ON CONFLICT (key) DO UPDATE SET touched_at = excluded.touched_at",
        key,
        at,
    )


async def lock_company(company_id: int, at: datetime) -> None:
    await Company.raw("UPDATE company SET last_booked_at = {} WHERE id = {}", at, company_id)


def _holder(column: LimitColumn) -> str:
    # Bookings with a company key count for the company only, never for a contact.
    return "b.company = {}" if column == "company" else f"b.{column} = {{}} AND b.company IS NULL"


async def upcoming_bookings(
    column: LimitColumn, value: str | int, at: datetime, *, exclude: int | None = None
) -> list[str]:
    """References of the confirmed bookings of that contact or company that still
    have an appointment ahead, oldest first."""
    rows = await Booking.raw(
        "SELECT b.reference FROM booking b "  # noqa: S608 - fixed fragments only
        f"WHERE {_holder(column)} AND b.status = {{}} AND b.id <> {{}} AND EXISTS ("
        "SELECT 1 FROM appointment a JOIN slot s ON s.id = a.slot "
        "WHERE a.booking = b.id AND a.status = {} AND s.starts_at > {}) ORDER BY b.id",
        value,
        BookingStatus.CONFIRMED,
        exclude or 0,
        AppointmentStatus.ACTIVE,
        at,
    )
    return [row["reference"] for row in rows]


async def booking_same_day(
    column: LimitColumn,
    value: str | int,
    service_id: int,
    start: datetime,
    end: datetime,
    *,
    name: str | None = None,
    exclude: int | None = None,
) -> str | None:
    """The reference of a confirmed booking of that contact (or, with ``name``, of
    that employee of the company) with an appointment for the service in [start, end)."""
    person = " AND b.name = {}" if name is not None else ""
    rows = await Booking.raw(
        "SELECT b.reference FROM booking b "  # noqa: S608 - fixed fragments only
        "JOIN appointment a ON a.booking = b.id JOIN slot s ON s.id = a.slot "
        f"WHERE {_holder(column)}{person} AND b.status = {{}} AND b.id <> {{}} "
        "AND a.status = {} AND s.service = {} AND s.starts_at >= {} AND s.starts_at < {} "
        "ORDER BY b.id LIMIT 1",
        value,
        *([name] if name is not None else []),
        BookingStatus.CONFIRMED,
        exclude or 0,
        AppointmentStatus.ACTIVE,
        service_id,
        start,
        end,
    )
    return rows[0]["reference"] if rows else None


# --- companies ------------------------------------------------------------------


async def company_by_key_hash(key_hash: str) -> CompanyRecord | None:
    row = await Company.select(Company.id, Company.name).where(Company.key_hash == key_hash).first()
    return CompanyRecord(id=row["id"], name=row["name"]) if row else None


async def save_company_key(name: str, key_hash: str, at: datetime) -> None:
    """Create the company, or give it this key instead of its old one."""
    await Company.raw(
        "INSERT INTO company (name, key_hash, created_at) VALUES ({}, {}, {}) "
        "ON CONFLICT (name) DO UPDATE SET key_hash = excluded.key_hash",
        name,
        key_hash,
        at,
    )


# --- the agency portal: slot edits, closed days, calendar feeds ---------------------
# Each edit is one conditional statement: the database decides, never a read first.


async def set_capacity(slot_id: int, agency_id: int, capacity: int, at: datetime) -> bool:
    """New capacity of the agency's slot ahead, never below the places booked: a
    booking racing this waits for the row and then sees the new capacity."""
    rows = await Slot.raw(
        "UPDATE slot SET capacity = {} WHERE id = {} AND agency = {} "
        "AND withdrawn_at IS NULL AND starts_at > {} AND booked <= {} RETURNING id",
        capacity,
        slot_id,
        agency_id,
        at,
        capacity,
    )
    return bool(rows)


async def move_free_slot(
    slot_id: int, agency_id: int, starts_at: datetime, ends_at: datetime, at: datetime
) -> bool:
    """New times for the agency's slot ahead, only while nobody holds a place in it."""
    rows = await Slot.raw(
        "UPDATE slot SET starts_at = {}, ends_at = {} WHERE id = {} AND agency = {} "
        "AND withdrawn_at IS NULL AND starts_at > {} AND booked = 0 RETURNING id",
        starts_at,
        ends_at,
        slot_id,
        agency_id,
        at,
    )
    return bool(rows)


async def overlapping_other_slot(
    slot_id: int, site_id: int, service_id: int, start: datetime, end: datetime
) -> datetime | None:
    """The start of another live slot of the service at the site within [start, end)."""
    rows = await Slot.raw(
        "SELECT starts_at FROM slot WHERE site = {} AND service = {} AND id <> {} "
        "AND withdrawn_at IS NULL AND starts_at < {} AND ends_at > {} "
        "ORDER BY starts_at LIMIT 1",
        site_id,
        service_id,
        slot_id,
        end,
        start,
    )
    return as_utc(rows[0]["starts_at"]) if rows else None


async def withdraw_free_slots(
    agency_id: int, site_id: int, start: datetime, end: datetime, at: datetime
) -> list[int]:
    """Withdraw the agency's unbooked slots ahead starting in [start, end); their ids."""
    rows = await Slot.raw(
        "UPDATE slot SET withdrawn_at = {} WHERE agency = {} AND site = {} "  # noqa: S608
        "AND starts_at >= {} AND starts_at < {} AND starts_at > {} "
        "AND withdrawn_at IS NULL AND " + _NOBODY_BOOKED + " RETURNING id",
        at,
        agency_id,
        site_id,
        start,
        end,
        at,
    )
    return sorted(row["id"] for row in rows)


def _closed_day(row: dict[str, Any]) -> ClosedDayRecord:
    day = row["day"]
    return ClosedDayRecord(
        id=row["id"],
        agency_id=row["agency"],
        site_id=row["site"],
        site=row["site_slug"],
        day=day if isinstance(day, date) else date.fromisoformat(str(day)),
        reason=row["reason"],
        created_at=as_utc(row["created_at"]),
    )


CLOSED_DAY_SELECT = (
    "SELECT c.id, c.agency, c.site, si.slug AS site_slug, c.day, c.reason, c.created_at "
    "FROM closed_day c JOIN site si ON si.id = c.site"
)


async def save_closed_day(
    agency_id: int, site_id: int, day: date, reason: str, at: datetime
) -> int:
    """Record the closed day (once per agency, site and day; a second time keeps the
    first row and takes the new reason); its id."""
    rows = await ClosedDay.raw(
        "INSERT INTO closed_day (agency, site, day, reason, created_at) "
        "VALUES ({}, {}, {}, {}, {}) ON CONFLICT (agency, site, day) "
        "DO UPDATE SET reason = excluded.reason RETURNING id",
        agency_id,
        site_id,
        day,
        reason,
        at,
    )
    return int(rows[0]["id"])


async def closed_days(agency_id: int, first: date, last: date) -> list[ClosedDayRecord]:
    rows = await ClosedDay.raw(
        f"{CLOSED_DAY_SELECT} WHERE c.agency = {{}} AND c.day >= {{}} AND c.day <= {{}} "
        "ORDER BY c.day, si.name",
        agency_id,
        first,
        last,
    )
    return [_closed_day(row) for row in rows]


async def closed_day_dates(agency_id: int, site_id: int, first: date, last: date) -> set[date]:
    return {c.day for c in await closed_days(agency_id, first, last) if c.site_id == site_id}


async def delete_closed_day(closed_day_id: int, agency_id: int) -> bool:
    rows = await ClosedDay.raw(
        "DELETE FROM closed_day WHERE id = {} AND agency = {} RETURNING id",
        closed_day_id,
        agency_id,
    )
    return bool(rows)


async def save_feed_token(agency_id: int, token_hash: str, at: datetime) -> int:
    """The agency's new feed token; every earlier one is revoked. Returns how many were."""
    revoked = await revoke_feed_tokens(agency_id, at)
    await AgencyFeed.raw(
        "INSERT INTO agency_feed (agency, token_hash, created_at) VALUES ({}, {}, {})",
        agency_id,
        token_hash,
        at,
    )
    return revoked


async def revoke_feed_tokens(agency_id: int, at: datetime) -> int:
    rows = await AgencyFeed.raw(
        "UPDATE agency_feed SET revoked_at = {} WHERE agency = {} AND revoked_at IS NULL "
        "RETURNING id",
        at,
        agency_id,
    )
    return len(rows)


async def agency_of_feed(token_hash: str) -> FeedAgency | None:
    rows = await AgencyFeed.raw(
        "SELECT a.id, a.slug, a.name FROM agency_feed f JOIN agency a ON a.id = f.agency "
        "WHERE f.token_hash = {} AND f.revoked_at IS NULL",
        token_hash,
    )
    if not rows:
        return None
    return FeedAgency(id=rows[0]["id"], slug=rows[0]["slug"], name=rows[0]["name"])


# --- data protection (wcr.privacy): finding and erasing a visitor's data -------------
# A booking's personal data is its name, its contacts and their hashed keys. Erasing
# them keeps the row (status, times, language, package, company, its appointments and
# so the service and site) for the statistics; an erased booking has the name '' and
# no contact. The ids come in batches from the caller, so memory stays flat.

_PERSONAL = (
    "(b.name <> '' OR b.email IS NOT NULL OR b.phone IS NOT NULL "
    "OR b.email_key IS NOT NULL OR b.phone_key IS NOT NULL)"
)
# What the visit is: the appointments held, or held when it was cancelled; a time it
# was rescheduled away from is not.
_VISIT_STATUSES = (AppointmentStatus.ACTIVE, AppointmentStatus.CANCELLED)


def _marks(values: Iterable[Any]) -> str:
    return ", ".join("{}" for _ in values)


async def bookings_visited_before(cutoff: datetime, after_id: int, limit: int) -> list[int]:
    """Up to ``limit`` ids above ``after_id``, ascending, of bookings that still hold
    personal data and whose visit ended before ``cutoff`` (made before it, and no
    appointment of the visit ending later)."""
    rows = await Booking.raw(
        f"SELECT b.id FROM booking b WHERE b.id > {{}} AND b.created_at < {{}} AND {_PERSONAL} "  # noqa: S608 - fixed fragments only
        "AND NOT EXISTS (SELECT 1 FROM appointment a JOIN slot s ON s.id = a.slot "
        "WHERE a.booking = b.id AND a.status IN ({}, {}) AND s.ends_at >= {}) "
        f"ORDER BY b.id LIMIT {int(limit)}",
        after_id,
        cutoff,
        *_VISIT_STATUSES,
        cutoff,
    )
    return [row["id"] for row in rows]


async def bookings_of_contact(*, key: str, email: str | None, phone: str | None) -> list[int]:
    """Ids of the bookings of one e-mail address or phone number: by the hashed key the
    limits count by (``key``, see :mod:`.contact`), and by the stored address or E.164
    number for the bookings that have no key (made with a company key or by staff)."""
    conditions = ["email_key = {}", "phone_key = {}"]
    args: list[Any] = [key, key]
    if email:
        conditions.append("LOWER(email) = LOWER({})")
        args.append(email)
    if phone:
        conditions.append("phone = {}")
        args.append(phone)
    rows = await Booking.raw(
        f"SELECT id FROM booking WHERE {' OR '.join(conditions)} ORDER BY id",  # noqa: S608 - fixed fragments only
        *args,
    )
    return [row["id"] for row in rows]


async def held_appointments(booking_id: int) -> list[tuple[int, int, AppointmentStatus]]:
    """(slot id, position, status) of every appointment the booking ever had, in order."""
    rows = (
        await Appointment.select(Appointment.slot, Appointment.position, Appointment.status)
        .where(Appointment.booking == booking_id)
        .order_by(Appointment.position)
        .order_by(Appointment.id)
    )
    return [(r["slot"], r["position"], AppointmentStatus(r["status"])) for r in rows]


async def confirmed_ahead(booking_ids: list[int], at: datetime) -> list[int]:
    """Those of ``booking_ids`` that are confirmed with an appointment starting after ``at``."""
    if not booking_ids:
        return []
    rows = await Booking.raw(
        f"SELECT b.id FROM booking b WHERE b.id IN ({_marks(booking_ids)}) AND b.status = {{}} "  # noqa: S608 - placeholders only
        "AND EXISTS (SELECT 1 FROM appointment a JOIN slot s ON s.id = a.slot "
        "WHERE a.booking = b.id AND a.status = {} AND s.starts_at > {}) ORDER BY b.id",
        *booking_ids,
        BookingStatus.CONFIRMED,
        AppointmentStatus.ACTIVE,
        at,
    )
    return [row["id"] for row in rows]


async def silence_bookings(booking_ids: list[int]) -> None:
    """Nobody is told of these bookings' changes from now on (``booking.silent``)."""
    if booking_ids:
        await Booking.raw(
            f"UPDATE booking SET silent = {{}} WHERE id IN ({_marks(booking_ids)})",  # noqa: S608 - placeholders only
            True,  # noqa: FBT003 - a bound value
            *booking_ids,
        )


async def contact_keys_of(booking_ids: list[int]) -> set[str]:
    """The hashed contact keys these bookings hold."""
    if not booking_ids:
        return set()
    rows = await Booking.raw(
        f"SELECT email_key, phone_key FROM booking WHERE id IN ({_marks(booking_ids)})",  # noqa: S608 - placeholders only
        *booking_ids,
    )
    return {key for row in rows for key in (row["email_key"], row["phone_key"]) if key}


async def erase_bookings(booking_ids: list[int]) -> int:
    """Name, contacts and contact keys of these bookings erased; how many had some."""
    if not booking_ids:
        return 0
    rows = await Booking.raw(
        "UPDATE booking AS b SET name = '', email = NULL, phone = NULL, email_key = NULL, "  # noqa: S608 - fixed fragments only
        f"phone_key = NULL WHERE b.id IN ({_marks(booking_ids)}) AND {_PERSONAL} RETURNING id",
        *booking_ids,
    )
    return len(rows)


# A contact's lock row (its hashed key) goes with the last booking that holds the key.
_UNUSED_LOCK = (
    "NOT EXISTS (SELECT 1 FROM booking WHERE email_key = contact_lock.key) "
    "AND NOT EXISTS (SELECT 1 FROM booking WHERE phone_key = contact_lock.key)"
)


async def unused_contact_locks(before: datetime, after_id: int, limit: int) -> list[int]:
    """Up to ``limit`` ids above ``after_id`` of lock rows last touched before ``before``
    whose key no booking holds any more."""
    rows = await ContactLock.raw(
        f"SELECT id FROM contact_lock WHERE id > {{}} AND touched_at < {{}} AND {_UNUSED_LOCK} "  # noqa: S608 - fixed fragments only
        f"ORDER BY id LIMIT {int(limit)}",
        after_id,
        before,
    )
    return [row["id"] for row in rows]


async def forget_contact_locks(
    *, ids: list[int] | None = None, keys: Iterable[str] | None = None
) -> int:
    """Delete the lock rows with these ids or keys that no booking holds; how many."""
    column, values = ("id", list(ids or [])) if keys is None else ("key", list(keys))
    if not values:
        return 0
    rows = await ContactLock.raw(
        f"DELETE FROM contact_lock WHERE {column} IN ({_marks(values)}) AND {_UNUSED_LOCK} "  # noqa: S608 - fixed fragments only
        "RETURNING id",
        *values,
    )
    return len(rows)


# --- statistics (wcr.stats): appointments per service and local day ---------------------
# A day is the site's local day of the slot's start. PostgreSQL turns the stored UTC
# time into it with AT TIME ZONE; SQLite knows no zones, so the range is cut into the
# stretches of one UTC offset (the clock changes inside it, found in Python) and each
# time gets its stretch's offset added before date() takes the day.


def _stats_offsets(tz_name: str, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """(from, UTC offset in seconds) of each stretch of [start, end) with one offset."""
    tz, utc = zone(tz_name), zone("UTC")

    def offset(second: int) -> int:
        shift = datetime.fromtimestamp(second, tz).utcoffset()
        return int(shift.total_seconds()) if shift else 0

    first, last = int(start.timestamp()), int(end.timestamp())
    stretches = [(start, offset(first))]
    cursor = first
    while cursor < last:
        step = min(cursor + 86400, last)  # zones change their offset at most once a day
        if offset(step) != stretches[-1][1]:
            low, high = cursor, step  # offsets change on a whole second: find it
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if offset(middle) == stretches[-1][1] else (low, middle)
            stretches.append((datetime.fromtimestamp(high, utc), offset(high)))
        cursor = step
    return stretches


def _stats_local_day(
    column: str, tz_name: str, start: datetime, end: datetime
) -> tuple[str, list[Any]]:
    """SQL for the local day of the UTC time in ``column`` (within [start, end)), and its
    bound values."""
    if Slot._meta.db.engine_type == "postgres":  # noqa: SLF001
        return f"CAST({column} AT TIME ZONE {{}} AS DATE)", [tz_name]
    stretches = _stats_offsets(tz_name, start, end)
    args: list[Any] = []
    cases = ""
    for earlier, (until, _) in enumerate(stretches[1:]):
        cases += f"WHEN {column} < {{}} THEN {{}} "
        args += [until, f"{stretches[earlier][1]:+d} seconds"]
    args.append(f"{stretches[-1][1]:+d} seconds")
    shift = f"CASE {cases}ELSE {{}} END" if cases else "{}"
    return f"date({column}, {shift})", args


async def appointment_days(
    site_id: int, tz_name: str, start: datetime, end: datetime, languages: Iterable[str]
) -> list[AppointmentDay]:
    """The site's appointments starting in [start, end), per service and local day (in
    ``tz_name``): made, cancelled, and the held ones by ``languages``."""
    codes = list(languages)
    day_sql, day_args = _stats_local_day("s.starts_at", tz_name, start, end)
    per_language = "".join(
        f", SUM(CASE WHEN a.status = {{}} AND b.language = {{}} THEN 1 ELSE 0 END) AS lang_{i}"
        for i in range(len(codes))
    )
    rows = await Appointment.raw(
        f"SELECT s.service, {day_sql} AS day, COUNT(*) AS booked, "  # noqa: S608 - fixed fragments only
        f"SUM(CASE WHEN a.status IN ({{}}, {{}}) THEN 1 ELSE 0 END) AS cancelled{per_language} "
        "FROM appointment a JOIN slot s ON s.id = a.slot JOIN booking b ON b.id = a.booking "
        "WHERE s.site = {} AND s.starts_at >= {} AND s.starts_at < {} AND a.status <> {} "
        "GROUP BY 1, 2",
        *day_args,
        AppointmentStatus.CANCELLED,
        AppointmentStatus.DROPPED,
        *(value for code in codes for value in (AppointmentStatus.ACTIVE, code)),
        site_id,
        start,
        end,
        AppointmentStatus.REPLACED,
    )
    return [
        AppointmentDay(
            service_id=row["service"],
            day=row["day"] if isinstance(row["day"], date) else date.fromisoformat(row["day"]),
            booked=int(row["booked"]),
            cancelled=int(row["cancelled"] or 0),
            languages={code: int(row[f"lang_{i}"] or 0) for i, code in enumerate(codes)},
        )
        for row in rows
    ]


# --- what an admin sets and sees (wcr.booking.packages, wcr.booking.feeds) -----------


async def set_package_services(package_id: int, service_ids: list[int]) -> None:
    """The package holds exactly these services, in this order."""
    await PackageService.delete().where(PackageService.package == package_id)
    await PackageService.insert(
        *(
            PackageService(package=package_id, service=service_id, position=n)
            for n, service_id in enumerate(service_ids)
        )
    )


async def live_feed_since(agency_id: int) -> datetime | None:
    """When the agency's live feed token was minted; None when it has none."""
    rows = await AgencyFeed.raw(
        "SELECT MAX(created_at) AS since FROM agency_feed WHERE agency = {} AND revoked_at IS NULL",
        agency_id,
    )
    since = rows[0]["since"] if rows else None
    if since is None:
        return None
    return as_utc(datetime.fromisoformat(since) if isinstance(since, str) else since)


# --- the waitlist's one-stop offers (wcr.booking.held) ---------------------------------


async def take_place_unless_locked(slot_id: int, at: datetime) -> datetime | None:
    """:func:`take_place`, but a slot row that another transaction holds locked counts
    as full on PostgreSQL instead of being waited for (SQLite serialises writers)."""
    if Slot._meta.db.engine_type != "postgres":  # noqa: SLF001
        return await take_place(slot_id, at)
    rows = await Slot.raw(
        "UPDATE slot SET booked = booked + 1 WHERE id = (SELECT id FROM slot "  # noqa: S608
        f"WHERE id = {{}} AND {_TAKES_SOMEBODY} FOR UPDATE SKIP LOCKED) RETURNING starts_at",
        slot_id,
        at,
    )
    return as_utc(rows[0]["starts_at"]) if rows else None
