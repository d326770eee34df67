"""Piccolo's own configuration, used by migrations (``wcr migrate``, ``piccolo ...``)."""

from piccolo.conf.apps import AppRegistry

from wcr.config import Settings
from wcr.database import make_engine
from wcr.features import piccolo_app_modules

DB = make_engine(Settings.from_env().database_url)

APP_REGISTRY = AppRegistry(apps=piccolo_app_modules())
