from piccolo.conf.apps import AppConfig

from wcr.features import migrations_folder

from .tables import Agency, AgencyKey, AgencySite, OrderRule, Service, ServiceSite, Site

APP_CONFIG = AppConfig(
    app_name="catalogue",
    migrations_folder_path=migrations_folder("catalogue"),
    table_classes=[Site, Agency, Service, AgencyKey, OrderRule, AgencySite, ServiceSite],
)
