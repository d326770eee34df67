from piccolo.conf.apps import AppConfig

from wcr.features import migrations_folder

from .tables import (
    Counter,
    CounterService,
    QueueSite,
    SiteQueue,
    Ticket,
    TicketSequence,
    TicketStep,
)

APP_CONFIG = AppConfig(
    app_name="queue",
    migrations_folder_path=migrations_folder("queue"),
    table_classes=[
        SiteQueue,
        Counter,
        CounterService,
        TicketSequence,
        Ticket,
        TicketStep,
        QueueSite,
    ],
    migration_dependencies=["wcr.booking.piccolo_app"],
)
