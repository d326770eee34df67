from pathlib import Path

from piccolo.conf.apps import AppConfig

from .tables import (
    Counter,
    CounterService,
    SiteQueue,
    StaffSession,
    StaffUser,
    Ticket,
    TicketSequence,
    TicketStep,
)

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations" / "queue"

APP_CONFIG = AppConfig(
    app_name="queue",
    migrations_folder_path=str(MIGRATIONS),
    table_classes=[
        StaffUser,
        StaffSession,
        SiteQueue,
        Counter,
        CounterService,
        TicketSequence,
        Ticket,
        TicketStep,
    ],
    migration_dependencies=["wcr.booking.piccolo_app"],
)
