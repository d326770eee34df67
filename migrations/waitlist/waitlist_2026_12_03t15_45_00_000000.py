from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T15:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "waitlist_entry: the local day-times an entry accepts (earliest, latest)"


def _time_column() -> dict:
    # "HH:MM" in the site's zone, NULL when the visitor gave none: compared as text.
    return {
        "length": 5,
        "default": None,
        "null": True,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="waitlist", description=DESCRIPTION
    )

    for name in ("earliest", "latest"):
        manager.add_column(
            table_class_name="WaitlistEntry",
            tablename="waitlist_entry",
            column_name=name,
            db_column_name=name,
            column_class_name="Varchar",
            column_class=Varchar,
            params=_time_column(),
            schema=None,
        )

    return manager
