"""The operator command line, ``wcr``."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import click

from .config import Settings

PICCOLO_CONF = "wcr.piccolo_conf"


@dataclass(frozen=True)
class Audit:
    """The audit entry a command leaves once its work succeeded (as system "cli"): ids
    and slugs only, never a key, token or password."""

    action: str
    target_kind: str
    target_id: str
    details: dict[str, str | int | None] = field(default_factory=dict)
    # The target's id from the work's result (a new counter's id), instead of target_id.
    target_of_result: Callable[[Any], str] | None = None


def _run(work: Callable[..., Awaitable[Any]], *args: Any, audit: Audit | None = None) -> Any:
    """Run ``work`` against the configured database, with tables bound to its engine;
    with ``audit``, its entry is written after the work succeeded."""
    from . import features, server_secret  # noqa: PLC0415 - keeps `wcr --help` fast
    from .audit.public import SYSTEM_CLI, acting_as, record  # noqa: PLC0415
    from .database import bind_tables, connection_pool, make_engine, prepare  # noqa: PLC0415

    async def main() -> Any:
        settings = Settings.from_env()
        server_secret.use(settings)
        engine = make_engine(settings.database_url)
        bind_tables(engine, features.table_classes())
        features.install_subscribers()
        await prepare(engine)
        # A pool: without one, Piccolo opens a PostgreSQL connection for every query,
        # which made `wcr worker` five times slower (bench/outbox_drain.py).
        async with connection_pool(engine, settings):
            with acting_as(SYSTEM_CLI):
                result = await work(engine, *args)
                if audit is not None:
                    await record(
                        SYSTEM_CLI,
                        audit.action,
                        audit.target_kind,
                        audit.target_of_result(result)
                        if audit.target_of_result
                        else audit.target_id,
                        details=audit.details,
                    )
            return result

    return asyncio.run(main())


@click.group(help="Operate the welcome centres' appointment service.")
def main() -> None:
    os.environ.setdefault("PICCOLO_CONF", PICCOLO_CONF)


@main.command(help="Apply all database migrations.")
def migrate() -> None:
    from piccolo.apps.migrations.commands.forwards import run_forwards  # noqa: PLC0415

    from .database import prepare  # noqa: PLC0415
    from .piccolo_conf import DB  # noqa: PLC0415

    async def forwards() -> bool:
        await prepare(DB)
        result = await run_forwards(app_name="all")
        return bool(result.success)

    if not asyncio.run(forwards()):
        sys.exit("migrations failed")


@main.command("seed-demo", help="Add the demo sites, agencies, services and slots (idempotent).")
def seed_demo() -> None:
    from .demo import seed  # noqa: PLC0415

    counts = _run(seed, audit=Audit("seed-demo", "demo", "seed"))
    click.echo(", ".join(f"{key}: {value}" for key, value in counts.items()))


@main.command("agency-key", help="Create an API key for an agency; the key is the last line.")
@click.argument("agency_slug")
def agency_key(agency_slug: str) -> None:
    from .catalogue.public import create_agency_key  # noqa: PLC0415

    async def create(_: Any) -> str:
        return await create_agency_key(agency_slug)

    key = _run_checked(create, Audit("agency-key", "agency", agency_slug))
    click.echo(f"API key for {agency_slug} (shown once; store it safely):")
    click.echo(key)


@main.command("agency-site", help="Let an agency publish slots at a site it serves.")
@click.argument("agency_slug")
@click.argument("site_slug")
def agency_site(agency_slug: str, site_slug: str) -> None:
    from .catalogue.public import serve_site  # noqa: PLC0415

    async def serve(_: Any) -> bool:
        return await serve_site(agency_slug, site_slug)

    added = _run_checked(serve, Audit("agency-site", "agency", agency_slug, {"site": site_slug}))
    click.echo(f"{agency_slug} serves {site_slug}" + ("" if added else " (already)"))


@main.command(
    "agency-feed",
    help="Mint a calendar feed of an agency's bookings (the old one stops working); "
    "the feed's URL is the last line. --revoke ends the feed without a new one.",
)
@click.argument("agency_slug")
@click.option("--revoke", is_flag=True, help="revoke the agency's feed; mint none")
def agency_feed(agency_slug: str, revoke: bool) -> None:
    from .booking import feeds  # noqa: PLC0415

    if revoke:

        async def end(engine: Any) -> int:
            return await feeds.revoke(engine, agency_slug)

        revoked_feeds = _run_checked(end, Audit("agency-feed-revoke", "agency", agency_slug))
        click.echo(f"feeds of {agency_slug} revoked: {revoked_feeds}")
        return

    async def mint(engine: Any) -> tuple[str, int]:
        return await feeds.mint(engine, agency_slug)

    token, revoked = _run_checked(mint, Audit("agency-feed", "agency", agency_slug))
    if revoked:
        click.echo(f"the earlier feed URL of {agency_slug} no longer works")
    click.echo(f"Calendar feed of {agency_slug} (shown once; subscribe to it in the calendar):")
    click.echo(Settings.from_env().public_url.rstrip("/") + feeds.feed_path(token))


@main.command(
    "company-key",
    help="A key for a firm that books for its employees (it counts against the "
    "per-company limit); a new key replaces the old one; the key is the last line.",
)
@click.argument("name")
def company_key(name: str) -> None:
    from .booking.public import mint_company_key  # noqa: PLC0415

    async def mint(engine: Any) -> str:
        return await mint_company_key(engine, name)

    key = _run_checked(mint, Audit("company-key", "company", name))
    click.echo(f"Company key for {name} (shown once; give it to the firm):")
    click.echo(key)


@main.command("staff-add", help="Create a staff account (password read from standard input).")
@click.argument("username")
@click.option("--site", help="site slug (required but for admin)")
@click.option(
    "--role", type=click.Choice(["frontdesk", "site_admin", "admin"]), default="frontdesk"
)
@click.option("--password-stdin", is_flag=True, required=True, help="read the password")
def staff_add(username: str, site: str | None, role: str, password_stdin: bool) -> None:  # noqa: ARG001
    from .accounts.public import create_staff  # noqa: PLC0415

    password = sys.stdin.readline().rstrip("\n")

    async def create(_: Any) -> None:
        await create_staff(username, password, role, site)

    # The account by its username: staff accounts are not visitors' data, never purged.
    _run_checked(create, Audit("staff-add", "staff", username, {"role": role, "site": site}))
    click.echo(f"created {role} account {username}" + (f" at {site}" if site else ""))


@main.command("counter-add", help="Add a counter to a site, serving services in that order.")
@click.argument("site")
@click.argument("name")
@click.option("--services", required=True, help="service slugs, comma-separated, preferred first")
def counter_add(site: str, name: str, services: str) -> None:
    from .queue.setup import add_counter  # noqa: PLC0415

    async def add(engine: Any) -> int:
        slugs = [s.strip() for s in services.split(",") if s.strip()]
        return await add_counter(engine, site, name, slugs)

    audit = Audit("counter-add", "counter", "", {"site": site}, target_of_result=str)
    click.echo(f"counter {_run_checked(add, audit)} added")


@main.command(
    "site-remote-queue",
    help="Let visitors join the site's walk-in lines from their phones (on) or not (off).",
)
@click.argument("site")
@click.argument("switch", type=click.Choice(["on", "off"]))
def site_remote_queue(site: str, switch: str) -> None:
    from .queue.remote import allow  # noqa: PLC0415

    async def set_it(engine: Any) -> None:
        await allow(engine, site, allowed=switch == "on")

    _run_checked(set_it, Audit("site-remote-queue", "site", site, {"switch": switch}))
    click.echo(f"remote check-in at {site}: {switch}")


@main.command("package-add", help="Add a one-stop package of a site (2-5 services, in order).")
@click.argument("slug")
@click.option("--site", required=True, help="site slug")
@click.option("--services", required=True, help="service slugs, comma-separated")
@click.option("--name-de", required=True)
@click.option("--name-en", required=True)
@click.option(
    "--weekdays", default=None, help="days it is offered on: wed, or mon,wed (default: every day)"
)
@click.option("--hours", default=None, help="local hours it is offered in, e.g. 08:00-16:00")
def package_add(  # noqa: PLR0917 - click passes each option by position
    slug: str,
    site: str,
    services: str,
    name_de: str,
    name_en: str,
    weekdays: str | None,
    hours: str | None,
) -> None:
    from .booking.visits import create_package, parse_schedule  # noqa: PLC0415

    async def create(engine: Any) -> bool:
        names = {"de": name_de, "en": name_en}
        slugs = [s.strip() for s in services.split(",")]
        schedule = parse_schedule(weekdays, hours)
        return await create_package(engine, slug, site, names, slugs, schedule=schedule)

    created = _run_checked(create, Audit("package-add", "package", slug, {"site": site}))
    click.echo("created" if created else f"package {slug} exists already")


@main.command("order-rule", help="Require service BEFORE to come before AFTER in a visit.")
@click.argument("before")
@click.argument("after")
def order_rule(before: str, after: str) -> None:
    from .catalogue.public import add_order_rule  # noqa: PLC0415

    async def add(engine: Any) -> bool:
        return await add_order_rule(engine, before, after)

    added = _run_checked(add, Audit("order-rule", "order_rule", f"{before}>{after}"))
    click.echo("added" if added else "known already")


def _run_checked(work: Callable[..., Awaitable[Any]], audit: Audit | None = None) -> Any:
    """Like _run, but a domain error ends the command with its message."""
    from .errors import DomainError  # noqa: PLC0415

    try:
        return _run(work, audit=audit)
    except DomainError as error:
        sys.exit(error.detail)


@main.command(
    "rotate-secret",
    help="Make a new server secret (links in messages, ticket tokens); the one before "
    "stays accepted until the next rotation, older ones stop working.",
)
def rotate_secret() -> None:
    from . import server_secret  # noqa: PLC0415

    settings = Settings.from_env()
    if settings.secret_key:
        # The environment is the operator's to change: say what to set it to.
        current = settings.secret_key.split(",")[0].strip()
        click.echo("WCR_SECRET_KEY is set: set it to this value (new,current) and restart:")
        click.echo(f"{server_secret.new_secret()},{current}")
        return
    kept = server_secret.rotate(settings)
    earlier = "; the one before it is still accepted" if len(kept) > 1 else ""
    click.echo(f"new secret in {settings.secret_file}{earlier}")


@main.command(help="Run the notification dispatcher alone (several may run on PostgreSQL).")
@click.option("--once", is_flag=True, help="send what is due now, then stop")
def worker(once: bool) -> None:
    import signal  # noqa: PLC0415

    from . import background  # noqa: PLC0415
    from .app import configure_logging  # noqa: PLC0415
    from .notifications.dispatcher import Dispatcher  # noqa: PLC0415

    configure_logging()
    settings = Settings.from_env()

    async def work(engine: Any) -> None:
        if once:
            dispatcher = Dispatcher.from_settings(engine, settings)
            try:
                while await dispatcher.run_once():
                    pass
            finally:
                await dispatcher.close()
            return
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await background.run(engine, settings, stop)

    _run(work)


@main.command(help="Serve the app (what `make run` starts).")
@click.option("--reload", is_flag=True, help="restart on code changes")
@click.option("--workers", type=click.IntRange(min=1), help="processes (default one)")
@click.option(
    "--limit-concurrency",
    type=click.IntRange(min=0),
    default=1000,
    show_default=True,
    help="open connections and requests at once per process, beyond them 503; 0 = no cap",
)
def serve(reload: bool, workers: int | None, limit_concurrency: int) -> None:
    import uvicorn  # noqa: PLC0415

    from .server import several_processes_problem, uvicorn_options  # noqa: PLC0415

    settings = Settings.from_env()
    if problem := several_processes_problem(settings, workers):
        raise click.UsageError(problem)
    # uvicorn with a deadline for request heads and a cap on connections (wcr.server).
    uvicorn.run(
        "wcr.app:app_from_env",
        **uvicorn_options(
            settings, limit_concurrency=limit_concurrency, workers=workers, reload=reload
        ),
    )


# --- data protection (wcr.privacy) ---------------------------------------------------


@main.command(
    help="Erase the personal data of visits older than WCR_RETENTION_DAYS (the worker "
    "does it daily); prints how many rows per table. --dry-run only counts."
)
@click.option("--dry-run", is_flag=True, help="count what would be erased; change nothing")
def purge(dry_run: bool) -> None:
    from .privacy.public import purge as run_purge  # noqa: PLC0415

    settings = Settings.from_env()

    async def work(engine: Any) -> Any:
        return await run_purge(engine, settings, dry_run=dry_run)

    done = _run_checked(work)
    verb = "would erase" if dry_run else "erased"
    click.echo(
        f"{verb} personal data of visits before {done.cutoff.date().isoformat()} "
        f"(WCR_RETENTION_DAYS={done.retention_days}):"
    )
    for table, count in done.counts.items():
        click.echo(f"{table}: {count}")


@main.command(
    "person-export",
    help="Print everything held about an e-mail address or phone number, as JSON.",
)
@click.argument("contact")
def person_export(contact: str) -> None:
    import json  # noqa: PLC0415

    from .privacy.public import export_person  # noqa: PLC0415

    async def work(engine: Any) -> Any:
        return await export_person(engine, contact)

    click.echo(json.dumps(_run_checked(work), ensure_ascii=False, indent=2))


@main.command(
    "person-erase",
    help="Erase an e-mail address or phone number: its bookings ahead are cancelled "
    "(places freed, no message), messages not yet sent dropped, then every name and "
    "contact of it erased.",
)
@click.argument("contact")
def person_erase(contact: str) -> None:
    from .privacy.public import erase_person  # noqa: PLC0415

    settings = Settings.from_env()

    async def work(engine: Any) -> Any:
        return await erase_person(engine, settings, contact)

    erased = _run_checked(work)
    if erased.cancelled:
        click.echo(f"cancelled: {', '.join(erased.cancelled)}")
    if erased.left_waitlist:
        click.echo(f"left the waitlist (nobody told): {', '.join(erased.left_waitlist)}")
    for table, count in erased.counts.items():
        click.echo(f"{table}: {count}")
    if erased.other_contacts:
        # Erasing follows only the contact asked for: a booking may carry a relative's.
        click.echo(
            "the erased bookings also held, not followed (erase each that is this "
            f"person's too): {', '.join(erased.other_contacts)}"
        )
