"""The waitlist under a burst: 10,000 waiting entries, 1,000 places freeing at once.

A throw-away PostgreSQL database is migrated by the real `wcr migrate`; one site and
service, 1,000 one-place slots over the coming days, each booked, and 10,000 entries
waiting for any of those days are written in process. Then all 1,000 bookings are
cancelled concurrently (``--concurrency`` at a time, through booking's own use case),
and for each the time from the start of the cancellation to the commit of the
transaction that freed the place and held it for the next entry (the offer is made
inside that transaction: the hold and, once the messages exist, their outbox rows
commit together). Reported: p50/p99 of that time and offers per second.

Verified: 1,000 holds, one per slot, given to the 1,000 earliest-joined entries, and
every slot's ``booked`` is exactly 1 (the hold), with no active appointment.

    .venv/bin/python -m bench.waitlist --help
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bench import harness
from bench.harness import positive

DATABASE_PREFIX = "wcr_bench_waitlist"


@dataclass(frozen=True)
class Options:
    entries: int
    places: int
    concurrency: int
    admin_url: str


async def measure(url: str, options: Options) -> tuple[dict[str, Any], bool]:
    from wcr import database, features  # noqa: PLC0415 - after `wcr migrate`
    from wcr.booking import bookings  # noqa: PLC0415
    from wcr.booking.public import clean_contact  # noqa: PLC0415
    from wcr.booking.tables import Appointment, Booking, Slot  # noqa: PLC0415
    from wcr.catalogue.tables import Agency, Service, Site  # noqa: PLC0415
    from wcr.config import Settings  # noqa: PLC0415
    from wcr.waitlist.tables import WaitlistEntry, WaitlistHold  # noqa: PLC0415

    engine = database.make_engine(url)
    database.bind_tables(engine, features.table_classes())
    features.install_subscribers()
    settings = Settings(database_url=url, pool_size=options.concurrency + 2)
    async with database.connection_pool(engine, settings):
        site = (
            await Site.insert(Site(slug="bench", name="Bench", address="x")).returning(Site.id)
        )[0]["id"]
        agency = (await Agency.insert(Agency(slug="bench", name="Bench")).returning(Agency.id))[0][
            "id"
        ]
        service = (
            await Service.insert(
                Service(slug="bench", agency=agency, duration_minutes=20, names='{"en": "Bench"}')
            ).returning(Service.id)
        )[0]["id"]
        start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
        slots = await Slot.insert(
            *(
                Slot(
                    site=site,
                    agency=agency,
                    service=service,
                    starts_at=start + timedelta(minutes=20 * n),
                    ends_at=start + timedelta(minutes=20 * n + 20),
                    capacity=1,
                    booked=0,
                    created_at=datetime.now(UTC),
                )
                for n in range(options.places)
            )
        ).returning(Slot.id)
        slot_ids = [row["id"] for row in slots]
        references = []
        for n, slot_id in enumerate(slot_ids):
            contact = clean_contact(f"Booker {n}", f"booker{n}@example.org", None, "en")
            reference, _, _ = await bookings.book(engine, [slot_id], contact)
            references.append(reference)
        first_day = start.date() - timedelta(days=1)
        last_day = (start + timedelta(minutes=20 * options.places)).date() + timedelta(days=1)
        now = datetime.now(UTC)
        for chunk in range(0, options.entries, 1000):
            await WaitlistEntry.insert(
                *(
                    WaitlistEntry(
                        reference=f"W{n:07d}",
                        token_hash="x",  # noqa: S106 - no token: nobody opens these
                        site=site,
                        service=service,
                        first_day=first_day,
                        last_day=last_day,
                        name=f"Waiting {n}",
                        email=f"waiting{n}@example.org",
                        language="en",
                        status="waiting",
                        offers=0,
                        hold_minutes=30,
                        max_offers=3,
                        email_service=f"waiting{n}@example.org:{service}",
                        created_at=now,
                    )
                    for n in range(chunk, min(chunk + 1000, options.entries))
                )
            )
        ids = {
            row["reference"]: row["id"]
            for row in await Booking.select(Booking.id, Booking.reference)
        }
        gate = asyncio.Semaphore(options.concurrency)
        durations: list[float] = []

        async def cancel(reference: str) -> None:
            async with gate:
                began = time.perf_counter()
                await bookings.cancel_booking(engine, ids[reference])
                durations.append(time.perf_counter() - began)

        began = time.perf_counter()
        await asyncio.gather(*(cancel(r) for r in references))
        wall = time.perf_counter() - began

        holds = await WaitlistHold.select(WaitlistHold.slot, WaitlistHold.entry.reference)
        expected = {f"W{n:07d}" for n in range(min(options.places, options.entries))}
        booked = await Slot.select(Slot.booked).where(Slot.id.is_in(slot_ids))
        active = await Appointment.count().where(Appointment.status == "active")
        checks = {
            "one hold per freed place": len(holds) == len(slot_ids)
            and {h["slot"] for h in holds} == set(slot_ids),
            "the earliest-joined entries": {h["entry.reference"] for h in holds} == expected,
            "each place held, none booked": all(row["booked"] == 1 for row in booked)
            and active == 0,
        }
        verified = all(checks.values())
    latency = harness.Latency.of(durations, digits=1)
    return {
        "options": {k: v for k, v in asdict(options).items() if k != "admin_url"},
        "free_to_offer_committed": asdict(latency),
        "offers_per_s": round(len(holds) / wall, 1),
        "wall_s": round(wall, 2),
        "checks": checks,
        "verified": verified,
    }, verified


def run(options: Options) -> bool:
    with harness.ThrowawayDatabase(options.admin_url, DATABASE_PREFIX) as url:
        harness.migrate(harness.wcr_env(url))
        summary, verified = asyncio.run(measure(url, options))
    print(json.dumps(summary, indent=2))
    return verified


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=positive, default=10_000)
    parser.add_argument("--places", type=positive, default=1_000)
    parser.add_argument("--concurrency", type=positive, default=20)
    args = parser.parse_args(argv)
    options = Options(args.entries, args.places, args.concurrency, harness.admin_url())
    return harness.run_bench(lambda: run(options))


if __name__ == "__main__":
    raise SystemExit(main())
