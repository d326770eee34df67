from piccolo.conf.apps import AppConfig

from wcr.features import migrations_folder

from .tables import StaffLoginAttempt, StaffSession, StaffUser

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=migrations_folder("accounts"),
    table_classes=[StaffUser, StaffSession, StaffLoginAttempt],
    # The tables were made by the queue app's first migration (see tables.py).
    migration_dependencies=["wcr.catalogue.piccolo_app", "wcr.queue.piccolo_app"],
)
