from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T14:16:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "waitlist_entry: a partial index of the waiting entries per site in joining order"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="waitlist", description=DESCRIPTION)

    async def waiting_site_index():
        # The offer's pick when one-stop entries wait too (a single service, or a set
        # that holds it: ``services LIKE '%,7,%'``) walks this index in joining order;
        # offered and ended entries are left out of it. The same DDL on both engines.
        # (Raw steps run before added columns: this is a migration of its own.)
        engine = engine_finder()
        await engine.run_ddl(
            "CREATE INDEX waitlist_entry_waiting_site ON waitlist_entry (site, id) "
            "WHERE status = 'waiting'"
        )

    manager.add_raw(waiting_site_index)
    return manager
