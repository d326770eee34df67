from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T12:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "waitlist_entry: a partial index of the waiting entries in joining order"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="waitlist", description=DESCRIPTION)

    async def waiting_index():
        # The offer's pick (service, site, the earliest id still waiting) reads this
        # index alone; offered and ended entries are left out of it. The same DDL on
        # SQLite and PostgreSQL.
        engine = engine_finder()
        await engine.run_ddl(
            "CREATE INDEX waitlist_entry_waiting ON waitlist_entry (service, site, id) "
            "WHERE status = 'waiting'"
        )
        await engine.run_ddl("CREATE INDEX waitlist_hold_entry_slot ON waitlist_hold (entry, slot)")

    manager.add_raw(waiting_index)
    return manager
