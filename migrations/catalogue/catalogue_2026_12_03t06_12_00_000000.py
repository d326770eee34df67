"""One row per service and site (Piccolo runs raw steps before it creates tables, so
the index comes in a migration of its own)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T06:12:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique service_site pairs"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalogue", description=DESCRIPTION)

    async def one_row_per_pair():
        # A table-level UNIQUE fails on SQLite (STACK-NOTES): a unique index does it.
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX service_site_pair ON service_site (service, site)"
        )

    manager.add_raw(one_row_per_pair)
    return manager
