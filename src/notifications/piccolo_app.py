from pathlib import Path

from piccolo.conf.apps import AppConfig

from .tables import Message, MessageAttempt

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations" / "notifications"

APP_CONFIG = AppConfig(
    app_name="notifications",
    migrations_folder_path=str(MIGRATIONS),
    table_classes=[Message, MessageAttempt],
    migration_dependencies=["wcr.booking.piccolo_app"],
)
