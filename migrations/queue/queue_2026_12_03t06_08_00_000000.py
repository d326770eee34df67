"""One active remote ticket per contact, site and day, decided by the database.

A visitor joining a walk-in line from their phone gives a phone number or an e-mail
address; its digest is kept on the ticket (``phone_key``, ``email_key``). While such a
ticket is active (waiting, called or parked), a second one of the same contact at the
same site on the same day fails on these partial unique indexes, however many requests
race. The statuses are written here as the literals of ``wcr.queue.records.TicketStatus``.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T06:08:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one active remote ticket per contact, site and day"

ACTIVE = "status IN ('waiting', 'called', 'parked')"
INDEXES = [
    "CREATE UNIQUE INDEX ticket_remote_phone_key ON ticket (site, day, phone_key) "
    f"WHERE phone_key IS NOT NULL AND {ACTIVE}",
    "CREATE UNIQUE INDEX ticket_remote_email_key ON ticket (site, day, email_key) "
    f"WHERE email_key IS NOT NULL AND {ACTIVE}",
    "CREATE INDEX ticket_site_day ON ticket (site, day)",
    "CREATE INDEX ticket_step_site_called ON ticket_step (site, called_at)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="queue", description=DESCRIPTION)

    async def indexes():
        engine = engine_finder()
        for statement in INDEXES:
            await engine.run_ddl(statement)

    manager.add_raw(indexes)
    return manager
