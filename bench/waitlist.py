"""The waitlist under a burst: 10,000 waiting entries, 1,000 places freeing at once.

A throw-away PostgreSQL database is migrated by the real `wcr migrate`; one site and
service, 1,000 one-place slots over the coming days, each booked, and 10,000 entries
waiting for any of those days are written in process. Then all 1,000 bookings are
cancelled concurrently (``--concurrency`` at a time, through booking's own use case),
and for each the time from the start of the cancellation to the commit of the
transaction that freed the place and held it for the next entry (the offer is made
inside that transaction: the hold and its outbox rows commit together). Meanwhile one
real `wcr worker` sends the offers to an aiosmtpd server in a process of its own (the
peers of bench/outbox_drain.py); for each offer, the time from the start of the
cancellation to its e-mail's ``sent_at`` (the SMTP server accepted it). Reported:
p50/p99 of both times, offers held and offer e-mails sent per second.

Verified: 1,000 holds, one per slot, given to the 1,000 earliest-joined entries, every
slot's ``booked`` is exactly 1 (the hold), with no active appointment, and one offer
e-mail sent per hold, each counted once by the SMTP server.

    .venv/bin/python -m bench.waitlist --help
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bench import harness
from bench.harness import BenchError, positive
from bench.outbox_drain import Peer, running_peers, worker_env

DATABASE_PREFIX = "wcr_bench_waitlist"
# How long the worker may take to send every offer after the burst.
SEND_TIMEOUT = 600.0


@dataclass(frozen=True)
class Options:
    entries: int
    places: int
    concurrency: int
    admin_url: str


async def sent_offers() -> list[tuple[int, datetime]]:
    """(slot, sent_at) of every offer e-mail sent so far."""
    from wcr.notifications.tables import Message  # noqa: PLC0415

    rows = await Message.raw(
        "SELECT h.slot, m.sent_at FROM message m JOIN waitlist_hold h "
        "ON h.entry = m.waitlist_entry WHERE m.kind = 'waitlist_offer' AND m.status = 'sent'"
    )
    return [(row["slot"], row["sent_at"]) for row in rows]


async def wait_sent(expected: int) -> list[tuple[int, datetime]]:
    deadline = time.monotonic() + SEND_TIMEOUT
    while True:
        sent = await sent_offers()
        if len(sent) >= expected or time.monotonic() > deadline:
            return sent
        await asyncio.sleep(0.2)


async def cancel_all(
    engine: Any, booking_ids: list[int], slot_ids: list[int], concurrency: int
) -> tuple[list[float], dict[int, datetime], float]:
    """Cancel the bookings, ``concurrency`` at a time: each one's time to commit, when
    each slot's cancellation began, and the wall time of the burst."""
    from wcr.booking import bookings  # noqa: PLC0415

    gate = asyncio.Semaphore(concurrency)
    durations: list[float] = []
    freed_at: dict[int, datetime] = {}

    async def cancel(booking_id: int, slot_id: int) -> None:
        async with gate:
            freed_at[slot_id] = datetime.now(UTC)
            began = time.perf_counter()
            await bookings.cancel_booking(engine, booking_id)
            durations.append(time.perf_counter() - began)

    began = time.perf_counter()
    await asyncio.gather(*(cancel(b, s) for b, s in zip(booking_ids, slot_ids, strict=True)))
    return durations, freed_at, time.perf_counter() - began


async def measure(url: str, options: Options, smtp: Peer) -> tuple[dict[str, Any], bool]:
    from wcr import database, features  # noqa: PLC0415 - after `wcr migrate`
    from wcr.booking import bookings  # noqa: PLC0415
    from wcr.booking.public import clean_contact  # noqa: PLC0415
    from wcr.booking.tables import Appointment, Booking, Slot  # noqa: PLC0415
    from wcr.catalogue.tables import Agency, Service, Site  # noqa: PLC0415
    from wcr.config import Settings  # noqa: PLC0415
    from wcr.notifications.tables import Message  # noqa: PLC0415
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
        # The bookings' confirmations and reminders are the set-up's, not the burst's
        # (the cancellations' own messages are, and go out beside the offers).
        await Message.update({Message.status: "dropped"}).where(Message.status == "pending")
        smtp.ask("reset")
        burst = datetime.now(UTC)
        freed = await cancel_all(
            engine, [ids[r] for r in references], slot_ids, options.concurrency
        )
        durations, freed_at, wall = freed
        sent = await wait_sent(len(slot_ids))

        holds = await WaitlistHold.select(WaitlistHold.slot, WaitlistHold.entry.reference)
        expected = {f"W{n:07d}" for n in range(min(options.places, options.entries))}
        booked = await Slot.select(Slot.booked).where(Slot.id.is_in(slot_ids))
        active = await Appointment.count().where(Appointment.status == "active")
        mails = smtp.ask("stats")
        offer_mails = sum(1 for key in mails["keys"] if key.startswith("<waitlist."))
        checks = {
            "one hold per freed place": len(holds) == len(slot_ids)
            and {h["slot"] for h in holds} == set(slot_ids),
            "the earliest-joined entries": {h["entry.reference"] for h in holds} == expected,
            "each place held, none booked": all(row["booked"] == 1 for row in booked)
            and active == 0,
            "one offer e-mail sent per hold": sorted(s for s, _ in sent) == sorted(slot_ids),
            "each offer e-mail received once": offer_mails == len(slot_ids)
            and mails["duplicates"] == 0,
        }
        verified = all(checks.values())
    latency = harness.Latency.of(durations, digits=1)
    to_mail = [(at - freed_at[slot]).total_seconds() for slot, at in sent]
    last_sent = max((at for _, at in sent), default=burst)
    return {
        "options": {k: v for k, v in asdict(options).items() if k != "admin_url"},
        "free_to_offer_committed": asdict(latency),
        "free_to_offer_mail_sent": asdict(harness.Latency.of(to_mail, digits=1)),
        "offers_per_s": round(len(holds) / wall, 1),
        "offer_mails_per_s": round(len(sent) / max((last_sent - burst).total_seconds(), 1e-9), 1),
        "wall_s": round(wall, 2),
        "checks": checks,
        "verified": verified,
    }, verified


def run(options: Options) -> bool:
    with (
        harness.ThrowawayDatabase(options.admin_url, DATABASE_PREFIX) as url,
        running_peers() as peers,
        tempfile.TemporaryFile() as log,
    ):
        harness.migrate(harness.wcr_env(url))
        # The real worker, as a centre runs it: the dispatcher and the waitlist's sweep.
        worker = subprocess.Popen(
            [str(harness.BIN / "wcr"), "worker"],
            env=worker_env(url, peers, batch=50),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            summary, verified = asyncio.run(measure(url, options, peers[0]))
        finally:
            harness.stop_process_group(worker)
        if worker.returncode not in (0, -15) and not verified:
            raise BenchError(f"wcr worker failed:\n{harness.log_tail(log)}")
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
