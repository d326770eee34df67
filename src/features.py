"""The one list of features: the app factory, the Piccolo registry, the package list of
the wheel (setup.py) and the architecture tests all read :data:`FEATURES`.

A feature is a folder ``src/<name>/`` holding, where it has them:

- ``piccolo_app.py`` with ``APP_CONFIG`` (its tables and ``migrations/<name>/``),
- ``routes.py`` with ``ROUTES`` (controllers, pages, static files),
- ``subscribers.py`` with ``SUBSCRIPTIONS`` (domain events it reacts to, see
  :mod:`wcr.events`),
- ``public.py``: what other features may use of it.

Adding a feature is that folder and one line here. Order matters only for reading:
a feature uses the ones above it.
"""

from __future__ import annotations

import importlib
from functools import cache
from os import PathLike
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from . import events

if TYPE_CHECKING:
    from piccolo.conf.apps import AppConfig
    from piccolo.table import Table

FEATURES: tuple[str, ...] = (
    "web",  # the page shell: base template, shared CSS, language negotiation
    "catalogue",
    "challenge",  # ALTCHA proof of work on public booking and rescheduling
    "booking",
    "waitlist",  # when nothing is free: the next freed place is held and offered
    "accounts",
    "queue",
    "notifications",
    "stats",  # figures per site, agency, service and day; the ESF summary (read-only)
    "audit",  # who did what, when, from where: append-only, no personal data
    "privacy",  # personal data erased after the retention, exported or erased on request
    "admin",  # the back office: sites, agencies, services, counters, packages, staff, keys
)

# Next to src/, where the design card puts them; one folder per Piccolo app.
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def migrations_folder(app_name: str) -> str:
    return str(MIGRATIONS / app_name)


def _has(feature: str, name: str) -> bool:
    return (Path(__file__).parent / feature / f"{name}.py").exists()


def _module(feature: str, name: str) -> ModuleType | None:
    return importlib.import_module(f"wcr.{feature}.{name}") if _has(feature, name) else None


def piccolo_app_modules() -> list[str]:
    """Dotted paths of the features' Piccolo apps, for ``piccolo_conf.APP_REGISTRY``."""
    return [f"wcr.{feature}.piccolo_app" for feature in FEATURES if _has(feature, "piccolo_app")]


def app_configs() -> list[AppConfig]:
    return [
        module.APP_CONFIG
        for feature in FEATURES
        if (module := _module(feature, "piccolo_app")) is not None
    ]


def table_classes() -> list[type[Table]]:
    return [table for config in app_configs() for table in config.table_classes]


def route_handlers() -> list[Any]:
    return [
        handler
        for feature in FEATURES
        if (module := _module(feature, "routes")) is not None
        for handler in module.ROUTES
    ]


def folders(name: str) -> list[Path | PathLike[Any] | str]:
    """Each feature's ``<name>/`` folder where it has one (``templates``, ``static``)."""
    here = Path(__file__).parent
    return [here / feature / name for feature in FEATURES if (here / feature / name).is_dir()]


@cache
def install_subscribers() -> None:
    """Subscribe every feature's handlers to the domain events, once per process."""
    for feature in FEATURES:
        module = _module(feature, "subscribers")
        for event_type, handler in getattr(module, "SUBSCRIPTIONS", ()):
            events.subscribe(event_type, handler)
