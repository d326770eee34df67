"""Database-side guards that back the booking code's conditional updates.

The code keeps 0 <= booked <= capacity with conditional updates; these make the
database refuse any write that would break it all the same. SQLite cannot add a
CHECK constraint to an existing table, so there a trigger does the same job.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T04:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "capacity guard and one active appointment per booking and slot"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="booking", description=DESCRIPTION)

    async def guards():
        engine = engine_finder()
        if engine.engine_type == "sqlite":
            await engine.run_ddl(
                "CREATE TRIGGER slot_capacity_guard BEFORE UPDATE OF booked, capacity ON slot "
                "WHEN NEW.booked < 0 OR NEW.booked > NEW.capacity "
                "BEGIN SELECT RAISE(ABORT, 'slot capacity'); END"
            )
        else:
            await engine.run_ddl(
                "ALTER TABLE slot ADD CONSTRAINT slot_capacity_guard "
                "CHECK (booked >= 0 AND booked <= capacity)"
            )
        await engine.run_ddl(
            "CREATE UNIQUE INDEX appointment_active_slot ON appointment (booking, slot) "
            "WHERE status = 'active'"
        )

    manager.add_raw(guards)
    return manager
