from pathlib import Path

from piccolo.conf.apps import AppConfig

from .tables import Agency, AgencyKey, OrderRule, Service, Site

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations" / "catalogue"

APP_CONFIG = AppConfig(
    app_name="catalogue",
    migrations_folder_path=str(MIGRATIONS),
    table_classes=[Site, Agency, Service, AgencyKey, OrderRule],
)
