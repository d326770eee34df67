"""Agencies keep publishing where they already did: every (agency, site) pair that has
slots becomes a served site. (Here and not in the catalogue app: on a fresh database
the catalogue's migrations run before the slot table exists.)"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T17:13:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "agencies serve the sites they have slots at"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="booking", description=DESCRIPTION)

    async def served_where_published():
        await engine_finder().run_ddl(
            "INSERT INTO agency_site (agency, site) SELECT DISTINCT agency, site FROM slot"
        )

    manager.add_raw(served_where_published)
    return manager
