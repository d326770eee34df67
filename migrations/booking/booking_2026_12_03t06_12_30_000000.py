"""A service is offered where it has slots: fill service_site from the slots already
published (new slots add their pair when published)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T06:12:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "service_site pairs of the slots published so far"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="booking", description=DESCRIPTION)

    async def offered_where_published():
        await engine_finder().run_ddl(
            "INSERT INTO service_site (service, site) SELECT DISTINCT service, site FROM slot "
            # WHERE true: SQLite reads ON CONFLICT after a bare SELECT as a join clause.
            "WHERE true "
            "ON CONFLICT (service, site) DO NOTHING"
        )

    manager.add_raw(offered_where_published)
    return manager
