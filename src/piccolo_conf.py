"""Piccolo's own configuration, used by migrations (``wcr migrate``, ``piccolo ...``)."""

from piccolo.conf.apps import AppRegistry

from wcr.config import Settings
from wcr.database import make_engine

DB = make_engine(Settings.from_env().database_url)

APP_REGISTRY = AppRegistry(
    apps=[
        "wcr.catalogue.piccolo_app",
        "wcr.booking.piccolo_app",
        "wcr.queue.piccolo_app",
        "wcr.notifications.piccolo_app",
    ],
)
