"""One order rule per pair of services: the admin pages add and remove rules, and the
unique index decides a race between two of them (duplicates kept so far are merged)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T11:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique order_rule pairs"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="catalogue", description=DESCRIPTION)

    async def one_rule_per_pair():
        engine = engine_finder()
        await engine.run_ddl(
            'DELETE FROM order_rule WHERE id NOT IN (SELECT MIN(id) FROM order_rule GROUP BY "before", "after")'
        )
        # A table-level UNIQUE fails on SQLite (STACK-NOTES): a unique index does it.
        await engine.run_ddl('CREATE UNIQUE INDEX order_rule_pair ON order_rule ("before", "after")')

    manager.add_raw(one_rule_per_pair)
    return manager
