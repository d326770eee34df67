from piccolo.conf.apps import AppConfig

from wcr.features import migrations_folder

from .tables import Message, MessageAttempt, MessageQuota

APP_CONFIG = AppConfig(
    app_name="notifications",
    migrations_folder_path=migrations_folder("notifications"),
    table_classes=[Message, MessageAttempt, MessageQuota],
    migration_dependencies=["wcr.booking.piccolo_app", "wcr.queue.piccolo_app"],
)
