"""stats_day.marks: the day's marks when its counting began, so a row counted before a
change is stale however late it is stored (wcr.stats.days)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-07T14:54:46:975382"
VERSION = "1.38.0"
DESCRIPTION = "stats_day.marks: the marks a cached day was counted against"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="stats", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="StatsDay",
        tablename="stats_day",
        column_name="marks",
        db_column_name="marks",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
