"""Indexes that keep the hot reads of slots and appointments flat as the years pile up.

With one index per column, the planner answered a line's or an agency's week by
ANDing the week's slots (``slot (starts_at)``) with every slot the service or agency
ever had (``slot (service)``, ``slot (agency)``): a bitmap that grows with the history
(bench/growth.py). ``(site, service, starts_at)`` serves availability and the
one-stop search, ``(agency, starts_at)`` the agency's week, each as one range. The
agency's bookings of the week join its slots to their active appointments; with only
``appointment (slot)`` the planner hashed the whole appointment table instead, a
sequential scan; ``(slot, status, booking)`` answers each slot from the index alone.
tests/test_query_plans.py asserts the plans.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T21:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "slot and appointment indexes for the week's reads"

INDEXES = [
    "CREATE INDEX slot_line_week ON slot (site, service, starts_at)",
    "CREATE INDEX slot_agency_week ON slot (agency, starts_at)",
    "CREATE INDEX appointment_slot_status ON appointment (slot, status, booking)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="booking", description=DESCRIPTION)

    async def indexes():
        engine = engine_finder()
        for statement in INDEXES:
            await engine.run_ddl(statement)

    manager.add_raw(indexes)
    return manager
