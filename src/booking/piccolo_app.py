from piccolo.conf.apps import AppConfig

from wcr.features import migrations_folder

from .tables import (
    AgencyFeed,
    Appointment,
    Booking,
    ClosedDay,
    Company,
    ContactLock,
    PackageService,
    Slot,
    VisitPackage,
)

APP_CONFIG = AppConfig(
    app_name="booking",
    migrations_folder_path=migrations_folder("booking"),
    table_classes=[
        Slot,
        Company,
        ContactLock,
        Booking,
        Appointment,
        VisitPackage,
        PackageService,
        ClosedDay,
        AgencyFeed,
    ],
    migration_dependencies=["wcr.catalogue.piccolo_app"],
)
