from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T16:56:15:322856"
VERSION = "1.38.0"
DESCRIPTION = "staff_user and staff_session move to the accounts app"


async def forwards():
    # fake: the tables stay in the database; only the queue app's snapshot lets go of
    # them (the accounts app's first migration takes them over, also fake).
    manager = MigrationManager(
        migration_id=ID, app_name="queue", description=DESCRIPTION, fake=True
    )

    manager.drop_table(
        class_name="StaffSession", tablename="staff_session", schema=None
    )

    manager.drop_table(
        class_name="StaffUser", tablename="staff_user", schema=None
    )

    return manager
