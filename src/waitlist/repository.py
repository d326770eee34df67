"""Every query of the waitlist.

The rules that must hold under concurrency are single statements: an entry is
picked with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite's ``BEGIN IMMEDIATE``
serialises writers anyway), a hold is claimed or expired by a conditional
``UPDATE … WHERE status = 'held' … RETURNING`` (all slots of a one-stop hold at once),
and "one open entry per contact and service (or set of services)" is a unique index.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from wcr.timezones import as_utc

from .records import EntryRecord, EntryStatus, HoldFact, HoldRecord, HoldStatus, NewEntry
from .tables import WaitlistEntry, WaitlistHold

ENTRY_COLUMNS = (
    "id, reference, token_hash, site, service, first_day, last_day, name, email, phone, "
    "language, status, offers, hold_minutes, max_offers, booking_reference, created_at, "
    "services, package, earliest, latest"
)


def _postgres() -> bool:
    return bool(WaitlistEntry._meta.db.engine_type == "postgres")  # noqa: SLF001


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def services_text(service_ids: tuple[int, ...]) -> str | None:
    """ ",3,7,": the ids ascending, comma-wrapped so that ``LIKE '%,7,%'`` finds 7."""
    return f",{','.join(str(i) for i in sorted(service_ids))}," if service_ids else None


def _services(text: str | None) -> tuple[int, ...]:
    return tuple(int(part) for part in (text or "").split(",") if part)


def _entry(row: dict[str, Any]) -> EntryRecord:
    return EntryRecord(
        id=row["id"],
        reference=row["reference"],
        token_hash=row["token_hash"],
        site_id=row["site"],
        service_id=row["service"],
        first_day=_day(row["first_day"]),
        last_day=_day(row["last_day"]),
        name=row["name"],
        email=row["email"],
        phone=row["phone"],
        language=row["language"],
        status=EntryStatus(row["status"]),
        offers=row["offers"],
        hold_minutes=row["hold_minutes"],
        max_offers=row["max_offers"],
        booking_reference=row["booking_reference"],
        created_at=as_utc(row["created_at"]),
        services=_services(row["services"]),
        package_id=row["package"],
        earliest=row["earliest"],
        latest=row["latest"],
    )


def _hold(row: dict[str, Any]) -> HoldRecord:
    return HoldRecord(
        id=row["id"],
        entry_id=row["entry"],
        slot_id=row["slot"],
        status=HoldStatus(row["status"]),
        expires_at=as_utc(row["expires_at"]),
    )


async def insert_entry(entry: NewEntry) -> int:
    rows = await WaitlistEntry.insert(
        WaitlistEntry(
            reference=entry.reference,
            token_hash=entry.token_hash,
            site=entry.site_id,
            service=entry.service_id,
            first_day=entry.first_day,
            last_day=entry.last_day,
            name=entry.name,
            email=entry.email,
            phone=entry.phone,
            language=entry.language,
            status=EntryStatus.WAITING,
            offers=0,
            hold_minutes=entry.hold_minutes,
            max_offers=entry.max_offers,
            email_service=entry.email_service,
            phone_service=entry.phone_service,
            created_at=entry.at,
            services=services_text(entry.services),
            package=entry.package_id,
            earliest=entry.earliest,
            latest=entry.latest,
        )
    ).returning(WaitlistEntry.id)
    return int(rows[0]["id"])


async def entry_by_reference(reference: str) -> EntryRecord | None:
    rows = await WaitlistEntry.raw(
        f"SELECT {ENTRY_COLUMNS} FROM waitlist_entry WHERE reference = {{}}",  # noqa: S608
        reference,
    )
    return _entry(rows[0]) if rows else None


async def entries_by_id(ids: list[int]) -> list[EntryRecord]:
    if not ids:
        return []
    marks = ", ".join("{}" for _ in ids)
    rows = await WaitlistEntry.raw(
        f"SELECT {ENTRY_COLUMNS} FROM waitlist_entry WHERE id IN ({marks}) ORDER BY id",  # noqa: S608
        *ids,
    )
    return [_entry(row) for row in rows]


# An entry's day-times accept a place from local "HH:MM" {} to {} (NULL: any).
_TIMES = "(e.earliest IS NULL OR e.earliest <= {}) AND (e.latest IS NULL OR e.latest >= {})"


async def next_waiting(
    site_id: int,
    service_id: int,
    day: date,
    times: tuple[str, str],
    slot_id: int,
    *,
    after: int = 0,
) -> EntryRecord | None:
    """The earliest-joined waiting entry after id ``after`` that waits for the service
    (alone, or in a one-stop set), accepts ``day`` and the place's local ``times``
    (start, end as "HH:MM") and was never offered this slot before (a hold that passed
    on must not come back to the same entry)."""
    skip_locked = " FOR UPDATE SKIP LOCKED" if _postgres() else ""
    rows = await WaitlistEntry.raw(
        f"SELECT {ENTRY_COLUMNS} FROM waitlist_entry e "  # noqa: S608 - fixed fragments
        "WHERE e.site = {} AND e.status = {} AND (e.service = {} OR e.services LIKE {}) "
        f"AND e.first_day <= {{}} AND e.last_day >= {{}} AND {_TIMES} AND e.id > {{}} "
        "AND NOT EXISTS (SELECT 1 FROM waitlist_hold h WHERE h.entry = e.id AND h.slot = {}) "
        f"ORDER BY e.id LIMIT 1{skip_locked}",
        site_id,
        EntryStatus.WAITING.value,
        service_id,
        f"%,{int(service_id)},%",
        day,
        day,
        *times,
        after,
        slot_id,
    )
    return _entry(rows[0]) if rows else None


async def anyone_waiting(site_id: int, service_id: int, day: date, times: tuple[str, str]) -> bool:
    """A look without a lock (the partial indexes answer it): most freed places have
    nobody waiting, and then the offer costs this one query."""
    rows = await WaitlistEntry.raw(
        "SELECT 1 AS found FROM waitlist_entry e WHERE e.site = {} AND e.status = {} "  # noqa: S608 - fixed fragments
        "AND (e.service = {} OR e.services LIKE {}) AND e.first_day <= {} "
        f"AND e.last_day >= {{}} AND {_TIMES} LIMIT 1",
        site_id,
        EntryStatus.WAITING.value,
        service_id,
        f"%,{int(service_id)},%",
        day,
        day,
        *times,
    )
    return bool(rows)


async def mark_offered(entry_id: int) -> bool:
    rows = await WaitlistEntry.raw(
        "UPDATE waitlist_entry SET status = {}, offers = offers + 1 "
        "WHERE id = {} AND status = {} RETURNING id",
        EntryStatus.OFFERED.value,
        entry_id,
        EntryStatus.WAITING.value,
    )
    return bool(rows)


async def insert_hold(entry_id: int, slot_id: int, expires_at: datetime, at: datetime) -> int:
    rows = await WaitlistHold.insert(
        WaitlistHold(
            entry=entry_id,
            slot=slot_id,
            status=HoldStatus.HELD,
            expires_at=expires_at,
            created_at=at,
        )
    ).returning(WaitlistHold.id)
    return int(rows[0]["id"])


async def holds_of(entry_id: int, status: HoldStatus | None = None) -> list[HoldRecord]:
    condition, args = ("", []) if status is None else (" AND status = {}", [status.value])
    rows = await WaitlistHold.raw(
        "SELECT id, entry, slot, status, expires_at FROM waitlist_hold "  # noqa: S608
        f"WHERE entry = {{}}{condition} ORDER BY id",
        entry_id,
        *args,
    )
    return [_hold(row) for row in rows]


async def claim_holds(entry_id: int, at: datetime) -> list[int]:
    """The slots of the entry's live hold, now claimed; empty when there is none
    (claimed already, expired, declined): the one statement that lets a hold be
    claimed once."""
    rows = await WaitlistHold.raw(
        "UPDATE waitlist_hold SET status = {} "
        "WHERE entry = {} AND status = {} AND expires_at > {} RETURNING slot",
        HoldStatus.CLAIMED.value,
        entry_id,
        HoldStatus.HELD.value,
        at,
    )
    return sorted(row["slot"] for row in rows)


async def end_holds(entry_id: int, status: HoldStatus) -> list[int]:
    rows = await WaitlistHold.raw(
        "UPDATE waitlist_hold SET status = {} WHERE entry = {} AND status = {} RETURNING slot",
        status.value,
        entry_id,
        HoldStatus.HELD.value,
    )
    return sorted(row["slot"] for row in rows)


async def withdraw_holds(slot_ids: tuple[int, ...]) -> list[tuple[int, int]]:
    """(entry id, slot id) of every live hold of the entries holding a place in
    ``slot_ids``, now marked withdrawn: a one-stop hold's other slots end with it."""
    marks = ", ".join("{}" for _ in slot_ids)
    rows = await WaitlistHold.raw(
        "UPDATE waitlist_hold SET status = {} WHERE status = {} AND entry IN ("  # noqa: S608
        f"SELECT entry FROM waitlist_hold WHERE status = {{}} AND slot IN ({marks})) "
        "RETURNING entry, slot",
        HoldStatus.WITHDRAWN.value,
        HoldStatus.HELD.value,
        HoldStatus.HELD.value,
        *slot_ids,
    )
    return sorted((row["entry"], row["slot"]) for row in rows)


async def reopen_unoffered(entry_ids: list[int]) -> None:
    """Entries whose offer fell away through no doing of theirs wait again in their
    place in line; the offer does not count towards their ``max_offers``."""
    if not entry_ids:
        return
    marks = ", ".join("{}" for _ in entry_ids)
    await WaitlistEntry.raw(
        "UPDATE waitlist_entry SET status = {}, offers = offers - 1 "  # noqa: S608
        f"WHERE id IN ({marks}) AND status = {{}}",
        EntryStatus.WAITING.value,
        *entry_ids,
        EntryStatus.OFFERED.value,
    )


async def expire_holds(at: datetime, limit: int = 500) -> list[tuple[int, int]]:
    """(entry id, slot id) of the holds that ran out, now marked expired: every slot
    of an entry's hold at once (a one-stop hold has several), for up to ``limit``
    entries."""
    rows = await WaitlistHold.raw(
        "UPDATE waitlist_hold SET status = {} WHERE entry IN ("  # noqa: S608 - an int only
        "SELECT DISTINCT entry FROM waitlist_hold WHERE status = {} AND expires_at <= {} "
        f"ORDER BY entry LIMIT {int(limit)}) AND status = {{}} RETURNING entry, slot",
        HoldStatus.EXPIRED.value,
        HoldStatus.HELD.value,
        at,
        HoldStatus.HELD.value,
    )
    return sorted((row["entry"], row["slot"]) for row in rows)


async def reopen_entries(entry_ids: list[int], at: datetime) -> list[int]:
    """Offered entries whose hold ended wait again, or lapse after their last offer;
    returns the ids of those that lapsed."""
    if not entry_ids:
        return []
    marks = ", ".join("{}" for _ in entry_ids)
    lapsed = await WaitlistEntry.raw(
        "UPDATE waitlist_entry SET status = {}, ended_at = {}, email_service = NULL, "  # noqa: S608
        f"phone_service = NULL WHERE id IN ({marks}) AND status = {{}} "
        "AND offers >= max_offers RETURNING id",
        EntryStatus.LAPSED.value,
        at,
        *entry_ids,
        EntryStatus.OFFERED.value,
    )
    await WaitlistEntry.raw(
        f"UPDATE waitlist_entry SET status = {{}} WHERE id IN ({marks}) AND status = {{}}",  # noqa: S608
        EntryStatus.WAITING.value,
        *entry_ids,
        EntryStatus.OFFERED.value,
    )
    return sorted(row["id"] for row in lapsed)


async def end_entry(
    entry_id: int, status: EntryStatus, at: datetime, booking_reference: str | None = None
) -> bool:
    """Close an open entry (booked, left, lapsed); False when it was closed already."""
    rows = await WaitlistEntry.raw(
        "UPDATE waitlist_entry SET status = {}, ended_at = {}, booking_reference = {}, "
        "email_service = NULL, phone_service = NULL "
        "WHERE id = {} AND status IN ({}, {}) RETURNING id",
        status.value,
        at,
        booking_reference,
        entry_id,
        EntryStatus.WAITING.value,
        EntryStatus.OFFERED.value,
    )
    return bool(rows)


async def lapse_past(before: date, at: datetime, limit: int = 500) -> list[int]:
    """Waiting entries whose last acceptable day is before ``before``, now lapsed."""
    rows = await WaitlistEntry.raw(
        "UPDATE waitlist_entry SET status = {}, ended_at = {}, email_service = NULL, "  # noqa: S608 - an int only
        "phone_service = NULL WHERE id IN (SELECT id FROM waitlist_entry "
        f"WHERE status = {{}} AND last_day < {{}} ORDER BY id LIMIT {int(limit)}) "
        "AND status = {} RETURNING id",
        EntryStatus.LAPSED.value,
        at,
        EntryStatus.WAITING.value,
        before,
        EntryStatus.WAITING.value,
    )
    return sorted(row["id"] for row in rows)


async def waiting_counts(site_id: int | None, service_ids: list[int]) -> dict[int, int]:
    """Open entries per service (a one-stop entry in each of its services)."""
    return await waiting_per_service(site_id, service_ids, None, None)


# --- data protection (wcr.privacy) and counts (wcr.stats, the staff pages) -----------

# An entry still holding something that names its visitor.
_PERSONAL = (
    "(name <> '' OR email IS NOT NULL OR phone IS NOT NULL "
    "OR email_service IS NOT NULL OR phone_service IS NOT NULL)"
)


async def entries_of_contact(
    *, key: str, email: str | None, phone: str | None, domains: list[str]
) -> list[EntryRecord]:
    """The entries of one e-mail address or phone number: open ones by the hashed key
    of their one-entry-per-service rule (``<key>:<service>``, the mailbox booking counts
    by), every one by the stored address (case-blind) or E.164 number, and the candidates
    for the same mailbox spelt otherwise: addresses at one of ``domains`` (the caller
    compares their mailboxes)."""
    conditions = ["email_service LIKE {}", "phone_service LIKE {}"]
    args: list[Any] = [f"{key}:%", f"{key}:%"]
    if email:
        conditions.append("LOWER(email) = LOWER({})")
        args.append(email)
    if phone:
        conditions.append("phone = {}")
        args.append(phone)
    for domain in domains:
        conditions.append("LOWER(email) LIKE {}")
        args.append(f"%@{domain.casefold()}")
    rows = await WaitlistEntry.raw(
        f"SELECT {ENTRY_COLUMNS} FROM waitlist_entry WHERE {' OR '.join(conditions)} "  # noqa: S608 - fixed fragments only
        "ORDER BY id",
        *args,
    )
    return [_entry(row) for row in rows]


async def entries_done_before(cutoff: datetime, after_id: int, limit: int) -> list[int]:
    """Up to ``limit`` ids above ``after_id`` of entries that still name their visitor
    and ended (booked, left, lapsed) before ``cutoff``, or whose last day was before it."""
    rows = await WaitlistEntry.raw(
        f"SELECT id FROM waitlist_entry WHERE id > {{}} AND {_PERSONAL} "  # noqa: S608 - fixed fragments only
        "AND ((ended_at IS NOT NULL AND ended_at < {}) OR last_day < {}) "
        f"ORDER BY id LIMIT {int(limit)}",
        after_id,
        cutoff,
        cutoff.date(),
    )
    return [row["id"] for row in rows]


async def erase_entries(entry_ids: list[int]) -> int:
    """Name, address, number and contact keys of these entries erased (status, offers,
    site, service, days and times stay); how many had some."""
    if not entry_ids:
        return 0
    marks = ", ".join("{}" for _ in entry_ids)
    rows = await WaitlistEntry.raw(
        "UPDATE waitlist_entry SET name = '', email = NULL, phone = NULL, "  # noqa: S608 - fixed fragments only
        f"email_service = NULL, phone_service = NULL WHERE id IN ({marks}) AND {_PERSONAL} "
        "RETURNING id",
        *entry_ids,
    )
    return len(rows)


async def hold_facts(site_id: int, start: datetime, end: datetime) -> list[HoldFact]:
    """Every offer of the site's places starting in [start, end), by the place's service
    (a one-stop entry's holds are of several)."""
    rows = await WaitlistHold.raw(
        "SELECT s.service, s.starts_at, h.status FROM waitlist_hold h "
        "JOIN slot s ON s.id = h.slot "
        "WHERE s.site = {} AND s.starts_at >= {} AND s.starts_at < {}",
        site_id,
        start,
        end,
    )
    return [
        HoldFact(
            service_id=row["service"],
            starts_at=as_utc(row["starts_at"]),
            status=HoldStatus(row["status"]),
        )
        for row in rows
    ]


async def waiting_per_service(
    site_id: int | None, service_ids: list[int], first: date | None, last: date | None
) -> dict[int, int]:
    """Open entries per service (of one site, or all), a one-stop entry in each of its
    services; with ``first`` and ``last``, only those accepting a day of that range."""
    if not service_ids:
        return {}
    conditions = ["status IN ({}, {})"]
    args: list[Any] = [EntryStatus.WAITING.value, EntryStatus.OFFERED.value]
    if site_id is not None:
        conditions.append("site = {}")
        args.append(site_id)
    if first is not None and last is not None:
        conditions.append("first_day <= {} AND last_day >= {}")
        args += [last, first]
    rows = await WaitlistEntry.raw(
        f"SELECT service, services FROM waitlist_entry WHERE {' AND '.join(conditions)}",  # noqa: S608 - fixed fragments only
        *args,
    )
    wanted = set(service_ids)
    counted: dict[int, int] = {}
    for row in rows:
        for service_id in _services(row["services"]) or (row["service"],):
            if service_id in wanted:
                counted[service_id] = counted.get(service_id, 0) + 1
    return counted
