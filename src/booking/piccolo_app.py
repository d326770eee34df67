from pathlib import Path

from piccolo.conf.apps import AppConfig

from .tables import Appointment, Booking, PackageService, Slot, VisitPackage

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations" / "booking"

APP_CONFIG = AppConfig(
    app_name="booking",
    migrations_folder_path=str(MIGRATIONS),
    table_classes=[Slot, Booking, Appointment, VisitPackage, PackageService],
    migration_dependencies=["wcr.catalogue.piccolo_app"],
)
