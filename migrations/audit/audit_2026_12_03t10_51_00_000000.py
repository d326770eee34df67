"""The database refuses to change or remove an audit entry, whoever asks.

The application has no such query anyway (wcr.audit.repository); these triggers make
the log append-only also for a script or a console on the database. One change is let
through: forgetting an entry's client address (setting it to NULL, nothing else),
which the retention of personal data needs (an IP address is personal data; the
entries hold no other). Whoever owns the schema can still drop the triggers on
purpose: a visible, deliberate act.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T10:51:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit_entry is append-only: triggers refuse UPDATE, DELETE, TRUNCATE"

MESSAGE = "audit_entry is append-only"
KEPT = (
    "id",
    "at",
    "actor_kind",
    "actor_id",
    "action",
    "target_kind",
    "target_id",
    "site_id",
    "status",
    "details",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="audit", description=DESCRIPTION)

    async def append_only():
        engine = engine_finder()
        abort = f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        if engine.engine_type == "sqlite":
            # UPDATE OF fires when the column is in the SET list, changed or not.
            await engine.run_ddl(
                f"CREATE TRIGGER audit_entry_no_update BEFORE UPDATE OF {', '.join(KEPT)} "
                f"ON audit_entry {abort}"
            )
            await engine.run_ddl(
                "CREATE TRIGGER audit_entry_only_forget BEFORE UPDATE OF address "
                f"ON audit_entry WHEN NEW.address IS NOT NULL {abort}"
            )
            await engine.run_ddl(
                f"CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry {abort}"
            )
            return
        # json has no equality: compared as text.
        new = ", ".join(f"NEW.{c}::text" if c == "details" else f"NEW.{c}" for c in KEPT)
        old = ", ".join(f"OLD.{c}::text" if c == "details" else f"OLD.{c}" for c in KEPT)
        await engine.run_ddl(
            "CREATE FUNCTION audit_entry_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN "
            "IF TG_OP = 'UPDATE' AND NEW.address IS NULL "
            f"AND ROW({new}) IS NOT DISTINCT FROM ROW({old}) THEN RETURN NEW; END IF; "
            f"RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege'; "
            "END $$"
        )
        await engine.run_ddl(
            "CREATE TRIGGER audit_entry_no_change BEFORE UPDATE OR DELETE ON audit_entry "
            "FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse()"
        )
        await engine.run_ddl(
            "CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_refuse()"
        )

    manager.add_raw(append_only)
    return manager
