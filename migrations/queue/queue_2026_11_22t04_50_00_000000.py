"""Uniqueness the front desk relies on under concurrency.

Ticket numbers come from an upsert on ticket_sequence, which needs its unique index;
the other indexes make a duplicate ticket, queue letter or work-profile entry fail
in the database rather than depend on a check in code. SQLite cannot add table
constraints later, so these are unique indexes on both engines.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T04:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique ticket numbers, queues, sequences and one ticket per booking"

INDEXES = [
    "CREATE UNIQUE INDEX ticket_sequence_key ON ticket_sequence (site, letter, day)",
    "CREATE UNIQUE INDEX ticket_code_key ON ticket (site, day, code)",
    "CREATE UNIQUE INDEX ticket_booking_key ON ticket (booking) WHERE booking IS NOT NULL",
    "CREATE UNIQUE INDEX site_queue_service_key ON site_queue (site, service)",
    "CREATE UNIQUE INDEX site_queue_letter_key ON site_queue (site, letter)",
    "CREATE UNIQUE INDEX counter_service_key ON counter_service (counter, service)",
    "CREATE UNIQUE INDEX counter_name_key ON counter (site, name)",
    "CREATE INDEX ticket_waiting ON ticket (site, status, service)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="queue", description=DESCRIPTION)

    async def indexes():
        engine = engine_finder()
        for statement in INDEXES:
            await engine.run_ddl(statement)

    manager.add_raw(indexes)
    return manager
