from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T20:58:52:045402"
VERSION = "1.38.0"
DESCRIPTION = "Ticket tokens are derived under the server secret, not stored"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="queue", description=DESCRIPTION
    )

    manager.drop_column(
        table_class_name="Ticket",
        tablename="ticket",
        column_name="public_token",
        db_column_name="public_token",
        schema=None,
    )

    return manager
