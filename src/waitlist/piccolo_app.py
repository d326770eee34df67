from piccolo.conf.apps import AppConfig

from wcr.features import migrations_folder

from .tables import WaitlistEntry, WaitlistHold

APP_CONFIG = AppConfig(
    app_name="waitlist",
    migrations_folder_path=migrations_folder("waitlist"),
    table_classes=[WaitlistEntry, WaitlistHold],
)
