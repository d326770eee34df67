from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-02T20:58:51:643030"
VERSION = "1.38.0"
DESCRIPTION = "No manage link at rest: messages make it when they are sent"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="notifications", description=DESCRIPTION
    )

    manager.drop_column(
        table_class_name="Message",
        tablename="message",
        column_name="link",
        db_column_name="link",
        schema=None,
    )

    return manager
