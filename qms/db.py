"""Database-level guards, installed by migrations (PostgreSQL only; SQLite, the
laptop default, relies on the application rules alone)."""

from django.db import migrations

_FUNCTION = """
CREATE OR REPLACE FUNCTION qms_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'qms: % on %.% is refused: this table is append-only', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def _install(tables, events):
    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(_FUNCTION, None)
        for table in tables:
            trigger = f"qms_guard_{'_'.join(e.lower() for e in events)}"
            schema_editor.execute(f'DROP TRIGGER IF EXISTS {trigger} ON "{table}"')
            schema_editor.execute(
                f'CREATE TRIGGER {trigger} BEFORE {" OR ".join(events)} ON "{table}" '
                "FOR EACH ROW EXECUTE FUNCTION qms_refuse_change()"
            )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in tables:
            schema_editor.execute(f'DROP TRIGGER IF EXISTS qms_guard_{"_".join(e.lower() for e in events)} ON "{table}"')

    return migrations.RunPython(forwards, backwards)


def append_only(*tables: str) -> migrations.RunPython:
    """Migration operation: refuse UPDATE and DELETE on `tables` (audit trails,
    history, signatures). Every app adds one for its history tables; a test
    checks that no history table is left without it."""
    return _install(tables, ("UPDATE", "DELETE"))


def no_delete(*tables: str) -> migrations.RunPython:
    """Migration operation: refuse DELETE on `tables` (rows that are voided or
    deactivated, never removed)."""
    return _install(tables, ("DELETE",))
