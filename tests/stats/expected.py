"""The figures as the test makes them itself: the rows read with plain SQL, the local
days taken with zoneinfo in Python, the counting done here, apart from wcr.stats."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tests.conftest import BERLIN
from wcr.booking.tables import Appointment
from wcr.config import SUPPORTED_LANGUAGES


def instant(value: datetime | str) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def as_day(value: date | str) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


async def sql(query: str, *args: Any) -> list[dict[str, Any]]:
    return list(await Appointment.raw(query, *args))


def minutes(seconds: list[int], fraction: float) -> str:
    if not seconds:
        return ""
    ordered = sorted(seconds)
    value = ordered[math.ceil(fraction * len(ordered)) - 1]
    return str((Decimal(value) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def seconds(later: datetime | str, earlier: datetime | str) -> int:
    return round((instant(later) - instant(earlier)).total_seconds())


Row = dict[str, Any]
Rows = dict[tuple[date, int], Row]


def new_row() -> Row:
    counted = (
        "booked",
        "cancelled",
        "held",
        "arrived",
        "desk",
        "walk_ins",
        "served",
        "one_stop",
        "offered",
        "claimed",
        "lapsed",
    )
    return {"languages": Counter(), "waits": [], "transactions": []} | dict.fromkeys(counted, 0)


async def fetch(site: str) -> tuple[list[Row], list[Row], list[Row]]:
    """The site's appointments, tickets and steps, as stored."""
    appointments = await sql(
        "SELECT a.status, a.booking, s.service, s.starts_at, b.language "
        "FROM appointment a JOIN slot s ON s.id = a.slot JOIN booking b ON b.id = a.booking "
        "JOIN site si ON si.id = s.site WHERE si.slug = {}",
        site,
    )
    tickets = await sql(
        "SELECT t.id, t.day, t.booking, t.service, t.status, t.language FROM ticket t "
        "JOIN site si ON si.id = t.site WHERE si.slug = {}",
        site,
    )
    steps = await sql(
        "SELECT st.ticket, st.service, st.outcome, st.queued_at, st.called_at, st.finished_at "
        "FROM ticket_step st JOIN site si ON si.id = st.site WHERE si.slug = {}",
        site,
    )
    return appointments, tickets, steps


def count_appointments(
    rows: Rows, appointments: list[Row], tickets: list[Row], span: range
) -> None:
    with_ticket = {t["booking"] for t in tickets if t["booking"] is not None}
    for a in appointments:
        day = instant(a["starts_at"]).astimezone(BERLIN).date()
        if day.toordinal() not in span or a["status"] == "replaced":
            continue
        row = rows[(day, a["service"])]
        row["booked"] += 1
        if a["status"] in {"cancelled", "dropped"}:
            row["cancelled"] += 1
        else:
            row["held"] += 1
            row["languages"][a["language"]] += 1
            row["arrived"] += a["booking"] in with_ticket


def count_tickets(rows: Rows, tickets: list[Row], steps: list[Row], span: range) -> None:
    lines: dict[int, set[int]] = defaultdict(set)
    for s in steps:
        lines[s["ticket"]].add(s["service"])
    for t in tickets:
        day = as_day(t["day"])
        if day.toordinal() not in span:
            continue
        if t["status"] == "no_show":
            rows[(day, t["service"])]["desk"] += 1
        if t["booking"] is None:
            for service in lines[t["id"]] | {t["service"]}:
                rows[(day, service)]["walk_ins"] += 1
                rows[(day, service)]["languages"][t["language"]] += 1


async def count_offers(rows: Rows, site: str, span: range) -> None:
    """The waitlist's holds of the site's places, by the place's local day."""
    holds = await sql(
        "SELECT h.status, s.service, s.starts_at FROM waitlist_hold h "
        "JOIN slot s ON s.id = h.slot JOIN site si ON si.id = s.site WHERE si.slug = {}",
        site,
    )
    for h in holds:
        day = instant(h["starts_at"]).astimezone(BERLIN).date()
        if day.toordinal() not in span:
            continue
        row = rows[(day, h["service"])]
        row["offered"] += 1
        row["claimed"] += h["status"] == "claimed"
        row["lapsed"] += h["status"] == "expired"


def count_steps(rows: Rows, tickets: list[Row], steps: list[Row], span: range) -> None:
    days = {t["id"]: as_day(t["day"]) for t in tickets}
    done: dict[int, set[int]] = defaultdict(set)
    for s in steps:
        if s["outcome"] == "done":
            done[s["ticket"]].add(s["service"])
    for s in steps:
        day = days[s["ticket"]]
        if day.toordinal() not in span:
            continue
        row = rows[(day, s["service"])]
        if s["outcome"] != "parked":
            row["waits"].append(seconds(s["called_at"], s["queued_at"]))
        if s["outcome"] == "done":
            row["served"] += 1
            row["one_stop"] += len(done[s["ticket"]]) >= 2
            row["transactions"].append(seconds(s["finished_at"], s["called_at"]))


async def daily(site: str, first: date, last: date, today: date) -> list[dict[str, str]]:
    """The rows daily.csv must have for the site, its local days first…last."""
    appointments, tickets, steps = await fetch(site)
    names = {
        r["id"]: (r["slug"], r["agency"])
        for r in await sql(
            "SELECT sv.id, sv.slug, a.slug AS agency FROM service sv "
            "JOIN agency a ON a.id = sv.agency"
        )
    }
    span = range(first.toordinal(), last.toordinal() + 1)
    rows: Rows = defaultdict(new_row)
    count_appointments(rows, appointments, tickets, span)
    count_tickets(rows, tickets, steps, span)
    count_steps(rows, tickets, steps, span)
    await count_offers(rows, site, span)
    found = []
    for (day, service), row in rows.items():
        absent = max(0, row["held"] - row["arrived"]) if day < today else 0
        slug, agency = names[service]
        found.append(
            {
                "day": day.isoformat(),
                "site": site,
                "agency": agency,
                "service": slug,
                "booked": str(row["booked"]),
                "cancelled": str(row["cancelled"]),
                "no_shows": str(absent + row["desk"]),
                "walk_ins": str(row["walk_ins"]),
                "served": str(row["served"]),
                "one_stop": str(row["one_stop"]),
                "wait_median_min": minutes(row["waits"], 0.5),
                "wait_p90_min": minutes(row["waits"], 0.9),
                "transaction_median_min": minutes(row["transactions"], 0.5),
                "transaction_p90_min": minutes(row["transactions"], 0.9),
            }
            | {f"lang_{code}": str(row["languages"][code]) for code in SUPPORTED_LANGUAGES}
            | {
                "waitlist_offers": str(row["offered"]),
                "waitlist_claimed": str(row["claimed"]),
                "waitlist_lapsed": str(row["lapsed"]),
            }
        )
    return sorted(found, key=lambda r: (r["day"], r["site"], r["agency"], r["service"]))


async def monthly(site: str, year: int, today: date) -> list[dict[str, str]]:
    """The twelve rows monthly.csv must have for the site."""
    _, tickets, steps = await fetch(site)
    done: dict[int, set[int]] = defaultdict(set)
    for s in steps:
        if s["outcome"] == "done":
            done[s["ticket"]].add(s["service"])
    days = await daily(site, date(year, 1, 1), date(year, 12, 31), today)
    found = []
    for month in range(1, 13):
        advised = [
            t
            for t in tickets
            if done[t["id"]] and as_day(t["day"]).year == year and as_day(t["day"]).month == month
        ]
        attended = sum(t["booking"] is not None for t in advised)
        languages = Counter(t["language"] for t in advised)
        found.append(
            {
                "site": site,
                "month": f"{year}-{month:02d}",
                "people_advised": str(len(advised)),
                "bookings_attended": str(attended),
                "walk_ins_served": str(len(advised) - attended),
                "one_stop_visits": str(sum(len(done[t["id"]]) >= 2 for t in advised)),
                "no_shows": str(
                    sum(int(r["no_shows"]) for r in days if int(r["day"][5:7]) == month)
                ),
            }
            | {f"advised_{code}": str(languages[code]) for code in SUPPORTED_LANGUAGES}
            | {
                column: str(sum(int(r[column]) for r in days if int(r["day"][5:7]) == month))
                for column in ("waitlist_offers", "waitlist_claimed", "waitlist_lapsed")
            }
        )
    return found
