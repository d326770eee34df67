from piccolo.conf.apps import AppConfig

from wcr.features import migrations_folder

from .tables import SpentChallenge

APP_CONFIG = AppConfig(
    app_name="challenge",
    migrations_folder_path=migrations_folder("challenge"),
    table_classes=[SpentChallenge],
)
