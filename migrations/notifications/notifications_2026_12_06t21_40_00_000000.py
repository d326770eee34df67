"""The outbox claim finds the due messages without reading the sent ones.

The claim (``repository.claim``) takes pending messages that are due, or sending ones
whose lease ran out. ``message (due_at)`` alone fits neither half by status, so the
planner read every message, sent ones included, a sequential scan that grows with the
outbox (tests/test_query_plans.py). ``(status, due_at)`` serves both halves: one range
of the pending messages, and the few sending ones.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T21:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "message (status, due_at) for the outbox claim"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="notifications", description=DESCRIPTION
    )

    async def due_by_status():
        await engine_finder().run_ddl(
            "CREATE INDEX message_status_due ON message (status, due_at)"
        )

    manager.add_raw(due_by_status)
    return manager
