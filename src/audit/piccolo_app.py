from piccolo.conf.apps import AppConfig

from wcr.features import migrations_folder

from .tables import AuditEntry

APP_CONFIG = AppConfig(
    app_name="audit",
    migrations_folder_path=migrations_folder("audit"),
    table_classes=[AuditEntry],
)
