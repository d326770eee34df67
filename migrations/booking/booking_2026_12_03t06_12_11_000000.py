"""One closed-day row per agency, site and day (Piccolo runs raw steps before it creates
tables, so the index comes in a migration of its own)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T06:12:11:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique closed_day per agency, site and day"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="booking", description=DESCRIPTION)

    async def one_row_per_day():
        # A table-level UNIQUE fails on SQLite (STACK-NOTES): a unique index does it.
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX closed_day_once ON closed_day (agency, site, day)"
        )

    manager.add_raw(one_row_per_day)
    return manager
