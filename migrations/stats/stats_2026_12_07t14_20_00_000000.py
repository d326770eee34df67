"""The database marks a closed day whose counted facts change (wcr.stats.days).

Triggers on the rows the statistics count (ticket, ticket_step, appointment, slot,
booking's language, waitlist_hold) write a mark in ``stats_mark`` for the site's day
the row counts on, in the transaction of the change: whoever writes, the application
in any process, the purge, a script or a console. Only facts of days older than two
days (UTC) are marked; the statistics never trust a cached day that recent (they count
it again), so the busy writes of today and yesterday only pass a comparison.

A ticket's day is the site's local day (``local``); a place's day needs the site's
zone, which SQLite cannot apply, so it is marked by the UTC date of its start
(``utc``), and the statistics drop every local day that date touches. An appointment
also marks the day of its booking's ticket (who came counts on the ticket's day).
A mark that stands is raised (``seq``); marks are never removed, and a cached day
keeps the sum of its marks' ``seq`` from when its counting began
(migrations/stats/…14_54_46: stats_day.marks), so a day changed since is counted again.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-07T14:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "stats_mark triggers: a closed day's counted facts changed"

INDEXES = [
    "CREATE UNIQUE INDEX stats_day_key ON stats_day (site, day)",
    "CREATE UNIQUE INDEX stats_service_day_key ON stats_service_day (site, day, service)",
    "CREATE UNIQUE INDEX stats_mark_key ON stats_mark (site, kind, day)",
]

# What each watched table marks, per row (R is NEW or OLD): the site, the kind, the day,
# the FROM part and the condition; "{h}" is the horizon (UTC today - 2), "{u}(x)" the UTC
# date of a timestamp.
MARKS: dict[str, list[tuple[str, str, str, str, str]]] = {
    "ticket": [("R.site", "local", "R.day", "", "R.day <= {h}")],
    "ticket_step": [("R.site", "local", "t.day", "FROM ticket t", "t.id = R.ticket AND t.day <= {h}")],
    "appointment": [
        ("s.site", "utc", "{u}(s.starts_at)", "FROM slot s", "s.id = R.slot AND {u}(s.starts_at) <= {h}"),
        (
            "t.site",
            "local",
            "t.day",
            "FROM ticket t",
            "t.booking = R.booking AND t.day <= {h} AND EXISTS (SELECT 1 FROM slot s "
            "WHERE s.id = R.slot AND {u}(s.starts_at) <= {h})",
        ),
    ],
    "slot": [("R.site", "utc", "{u}(R.starts_at)", "", "{u}(R.starts_at) <= {h}")],
    "booking": [
        (
            "s.site",
            "utc",
            "{u}(s.starts_at)",
            "FROM appointment a JOIN slot s ON s.id = a.slot",
            "a.booking = R.id AND {u}(s.starts_at) <= {h}",
        )
    ],
    "waitlist_hold": [
        ("s.site", "utc", "{u}(s.starts_at)", "FROM slot s", "s.id = R.slot AND {u}(s.starts_at) <= {h}")
    ],
}
# The columns whose change counts (an UPDATE of others, a purged name, marks nothing);
# the operations watched.
COLUMNS = {
    "ticket": "site, day, booking, service, step, language, status",
    "ticket_step": "ticket, site, service, outcome, queued_at, called_at, finished_at",
    "appointment": "slot, booking, status",
    "slot": "site, service, starts_at",
    "booking": "language",
    "waitlist_hold": "slot, status",
}
OPERATIONS = {
    "ticket": ("INSERT", "UPDATE", "DELETE"),
    "ticket_step": ("INSERT", "UPDATE", "DELETE"),
    "appointment": ("INSERT", "UPDATE", "DELETE"),
    "slot": ("UPDATE", "DELETE"),  # a new slot has nothing counted yet
    "booking": ("UPDATE",),  # its appointments mark their own insert and delete
    "waitlist_hold": ("INSERT", "UPDATE", "DELETE"),
}
TRIGGERS = [(table, op) for table, ops in OPERATIONS.items() for op in ops]

SQLITE_HORIZON = "date('now', '-2 days')"
POSTGRES_HORIZON = "((now() AT TIME ZONE 'UTC')::date - 2)"


def _inserts(table: str, row: str, horizon: str, utc: str) -> list[str]:
    statements = []
    for site, kind, day, source, condition in MARKS[table]:
        where = condition.format(h=horizon, u=utc).replace("R.", f"{row}.")
        statements.append(
            f"INSERT INTO stats_mark (site, kind, day, seq) SELECT DISTINCT "
            f"{site.replace('R.', f'{row}.')}, '{kind}', "
            f"{day.format(h=horizon, u=utc).replace('R.', f'{row}.')}, 1 {source} WHERE {where} "
            "ON CONFLICT (site, kind, day) DO UPDATE SET seq = stats_mark.seq + 1;"
        )
    return statements


def _rows(op: str) -> tuple[str, ...]:
    return {"INSERT": ("NEW",), "DELETE": ("OLD",), "UPDATE": ("OLD", "NEW")}[op]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="stats", description=DESCRIPTION)

    async def marks():
        engine = engine_finder()
        for statement in INDEXES:
            await engine.run_ddl(statement)
        if engine.engine_type == "sqlite":
            for table, op in TRIGGERS:
                event = f"UPDATE OF {COLUMNS[table]}" if op == "UPDATE" else op
                body = " ".join(
                    statement
                    for row in _rows(op)
                    for statement in _inserts(table, row, SQLITE_HORIZON, "date")
                )
                await engine.run_ddl(
                    f"CREATE TRIGGER stats_mark_{table}_{op.lower()} AFTER {event} ON {table} "
                    f"FOR EACH ROW BEGIN {body} END"
                )
            return
        for table, ops in OPERATIONS.items():
            parts = []
            for row, op in (("OLD", "INSERT"), ("NEW", "DELETE")):
                statements = " ".join(_inserts(table, row, POSTGRES_HORIZON, "stats_utc_date"))
                parts.append(f"IF TG_OP <> '{op}' THEN {statements} END IF;")
            await engine.run_ddl(
                f"CREATE FUNCTION stats_mark_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {' '.join(parts)} RETURN NULL; END $$"
            )
            events = " OR ".join(
                f"UPDATE OF {COLUMNS[table]}" if op == "UPDATE" else op for op in ops
            )
            await engine.run_ddl(
                f"CREATE TRIGGER stats_mark_{table} AFTER {events} ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION stats_mark_{table}()"
            )

    async def utc_date():
        engine = engine_finder()
        if engine.engine_type != "sqlite":
            await engine.run_ddl(
                "CREATE FUNCTION stats_utc_date(at timestamptz) RETURNS date "
                "LANGUAGE sql IMMUTABLE AS $$ SELECT (at AT TIME ZONE 'UTC')::date $$"
            )

    manager.add_raw(utc_date)
    manager.add_raw(marks)
    return manager
