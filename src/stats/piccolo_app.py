from piccolo.conf.apps import AppConfig

from wcr.features import migrations_folder

from .tables import StatsDay, StatsMark, StatsServiceDay

APP_CONFIG = AppConfig(
    app_name="stats",
    migrations_folder_path=migrations_folder("stats"),
    table_classes=[StatsDay, StatsServiceDay, StatsMark],
    # The triggers watch the tables of these.
    migration_dependencies=[
        "wcr.booking.piccolo_app",
        "wcr.queue.piccolo_app",
        "wcr.waitlist.piccolo_app",
    ],
)
