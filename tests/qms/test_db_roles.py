"""Issue 10: `manage.py db_roles` sets up a migration owner and an application
role; the application role cannot TRUNCATE, disable triggers or run DDL, and
the append-only triggers still hold for it (PostgreSQL: roles and privileges)."""

import os
import secrets
import subprocess
import sys
import urllib.parse
from io import StringIO
from pathlib import Path

import psycopg2
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="roles and privileges are PostgreSQL's")


@pytest.fixture
def roles(transactional_db, monkeypatch):
    """Fresh owner and application roles on the test database (roles are
    cluster-wide: unique names per test, dropped afterwards)."""
    suffix = secrets.token_hex(4)
    names = {"owner": f"qms_t{suffix}_owner", "app": f"qms_t{suffix}_app",
             "owner_password": secrets.token_urlsafe(12), "app_password": secrets.token_urlsafe(12)}
    monkeypatch.setenv("QMS_DB_OWNER_PASSWORD", names["owner_password"])
    monkeypatch.setenv("QMS_DB_APP_PASSWORD", names["app_password"])
    out = StringIO()
    call_command("db_roles", owner=names["owner"], app=names["app"], stdout=out)
    names["output"] = out.getvalue()
    opened = []

    def connect(role):
        s = connection.settings_dict
        conn = psycopg2.connect(host=s["HOST"] or None, port=s["PORT"] or None, dbname=s["NAME"],
                                user=names[role], password=names[f"{role}_password"])
        conn.autocommit = True
        opened.append(conn)
        return conn

    names["connect"] = connect
    yield names
    for conn in opened:
        conn.close()
    with connection.cursor() as cur:
        cur.execute(f'REASSIGN OWNED BY "{names["owner"]}" TO current_user')
        cur.execute(f'DROP OWNED BY "{names["owner"]}"')  # one at a time: the owner's default ACLs name the app
        cur.execute(f'DROP OWNED BY "{names["app"]}"')
        cur.execute(f'DROP ROLE "{names["owner"]}", "{names["app"]}"')


def _refused(conn, sql, params=(), match="permission denied|must be owner"):
    with pytest.raises(psycopg2.errors.InsufficientPrivilege, match=match), conn.cursor() as cur:
        cur.execute(sql, params)


@pg_only
def test_the_application_role_cannot_truncate_the_audit_trail_signatures_or_history(roles):
    app = roles["connect"]("app")
    for table in ("qms_auditevent", "qms_signature", "qms_historicaluser", "audits_historicalauditreport",
                  "documents_decision", "records_record"):
        _refused(app, f'TRUNCATE "{table}"', match="permission denied")


@pg_only
def test_the_application_role_cannot_disable_or_drop_the_guard_triggers(roles):
    app = roles["connect"]("app")
    for sql in ("ALTER TABLE qms_auditevent DISABLE TRIGGER ALL",
                "ALTER TABLE qms_signature DISABLE TRIGGER qms_guard_update_delete",
                "ALTER TABLE qms_historicaluser DISABLE TRIGGER USER",
                "DROP TRIGGER qms_guard_update_delete ON qms_auditevent",
                "ALTER TABLE qms_auditevent OWNER TO CURRENT_USER",
                "DROP TABLE qms_auditevent",
                "ALTER FUNCTION qms_refuse_change() RENAME TO qms_gone",
                "CREATE OR REPLACE FUNCTION qms_refuse_change() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ "
                "LANGUAGE plpgsql"):
        _refused(app, sql)


@pg_only
def test_the_application_role_cannot_create_tables_or_functions(roles):
    app = roles["connect"]("app")
    _refused(app, "CREATE TABLE public.qms_smuggled (id int)")
    _refused(app, "CREATE FUNCTION public.qms_smuggled() RETURNS int AS 'SELECT 1' LANGUAGE sql")


@pg_only
def test_the_application_role_writes_and_reads_but_the_trail_stays_append_only(roles, staff):
    app = roles["connect"]("app")
    with app.cursor() as cur:
        cur.execute("INSERT INTO qms_auditevent (created_at, actor_id, actor_name, verb, object_id, object_repr, "
                    "from_state, to_state, comment, data) VALUES (now(), %s, 'Sam Lee', 'test.app_role', '', '', "
                    "'', '', 'written by the app role', '{}') RETURNING id", [staff.pk])
        event_id = cur.fetchone()[0]
        cur.execute("SELECT comment FROM qms_auditevent WHERE id = %s", [event_id])
        assert cur.fetchone() == ("written by the app role",)
        cur.execute("INSERT INTO auditor_accesslogentry (user_id, at, method, path, view_name, status_code) "
                    "VALUES (%s, now(), 'GET', '/', '', 200) RETURNING id", [staff.pk])
        log_id = cur.fetchone()[0]
        cur.execute("UPDATE qms_user SET full_name = 'Sam Lee-Smith' WHERE id = %s", [staff.pk])
    # The privilege is gone on the audit trail; elsewhere the trigger still refuses.
    _refused(app, "UPDATE qms_auditevent SET comment = 'forged' WHERE id = %s", [event_id], match="permission denied")
    _refused(app, "DELETE FROM qms_auditevent WHERE id = %s", [event_id], match="permission denied")
    _refused(app, "UPDATE auditor_accesslogentry SET path = '/forged' WHERE id = %s", [log_id], match="append-only")
    _refused(app, "DELETE FROM qms_user WHERE id = %s", [staff.pk], match="append-only")
    staff.refresh_from_db()
    assert staff.full_name == "Sam Lee-Smith"


@pg_only
def test_the_owner_runs_migrate_and_later_tables_grant_the_application_role(roles):
    s = connection.settings_dict
    url = (f"postgres://{roles['owner']}:{urllib.parse.quote(roles['owner_password'])}@{s['HOST'] or '127.0.0.1'}:"
           f"{s['PORT'] or 5432}/{s['NAME']}")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DJANGO_SETTINGS"))}
    migrated = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, capture_output=True,
                              text=True, timeout=300, env={**env, "DEBUG": "True", "DATABASE_URL": url})
    assert migrated.returncode == 0, migrated.stderr
    assert "No migrations to apply" in migrated.stdout
    owner, app = roles["connect"]("owner"), roles["connect"]("app")
    with owner.cursor() as cur:  # what a later migration does
        cur.execute("CREATE TABLE qms_later (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, note text)")
        cur.execute("CREATE TRIGGER qms_guard_update_delete BEFORE UPDATE OR DELETE ON qms_later "
                    "FOR EACH ROW EXECUTE FUNCTION qms_refuse_change()")
    with app.cursor() as cur:
        cur.execute("INSERT INTO qms_later (note) VALUES ('new') RETURNING id")
        row_id = cur.fetchone()[0]
    _refused(app, "UPDATE qms_later SET note = 'forged' WHERE id = %s", [row_id], match="append-only")
    _refused(app, "TRUNCATE qms_later", match="permission denied")
    with owner.cursor() as cur:
        cur.execute("DROP TABLE qms_later")


@pg_only
def test_running_it_again_changes_nothing_and_says_what_it_did(roles):
    out = StringIO()
    call_command("db_roles", owner=roles["owner"], app=roles["app"], stdout=out)
    assert "0 object(s) given to" in out.getvalue()
    assert "revoked from" in out.getvalue() and "are set up on" in out.getvalue()
    assert roles["app_password"] not in out.getvalue() + roles["output"]
    with roles["connect"]("app").cursor() as cur:
        cur.execute("SELECT has_table_privilege('qms_auditevent', 'INSERT'), "
                    "has_table_privilege('qms_auditevent', 'TRUNCATE'), has_table_privilege('qms_user', 'UPDATE')")
        assert cur.fetchone() == (True, False, True)


@pg_only
def test_a_new_role_without_a_password_or_a_superuser_name_is_refused(transactional_db, monkeypatch):
    monkeypatch.delenv("QMS_DB_OWNER_PASSWORD", raising=False)
    monkeypatch.delenv("QMS_DB_APP_PASSWORD", raising=False)
    name = f"qms_t{secrets.token_hex(4)}"
    with pytest.raises(CommandError, match="does not exist yet: give its password"):
        call_command("db_roles", owner=f"{name}_owner", app=f"{name}_app", stdout=StringIO())
    with connection.cursor() as cur:
        cur.execute("SELECT current_user")
        me = cur.fetchone()[0]
    with pytest.raises(CommandError, match="superuser or the current user"):
        call_command("db_roles", owner=f"{name}_owner", app=me, owner_password="x", stdout=StringIO())
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_roles WHERE rolname LIKE %s", [f"{name}%"])
        assert cur.fetchone()[0] == 0  # nothing was created


@pytest.mark.parametrize("bad", ["Qms", "qms-app", 'x"; DROP ROLE postgres; --'])
def test_role_names_are_checked(bad):
    with pytest.raises(CommandError, match="lower-case letters"):
        call_command("db_roles", app=bad, sql=True, stdout=StringIO())


def test_the_sql_script_carries_no_password(monkeypatch):
    monkeypatch.setenv("QMS_DB_APP_PASSWORD", "do-not-print-me")
    out = StringIO()
    call_command("db_roles", sql=True, stdout=out)
    script = out.getvalue()
    assert "do-not-print-me" not in script
    assert "PASSWORD :'app_password'" in script and script.rstrip().endswith("COMMIT;")
    assert "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES" in script and "TRUNCATE" not in script


def test_on_sqlite_it_says_it_is_for_postgresql(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DJANGO_SETTINGS"))}
    done = subprocess.run([sys.executable, "manage.py", "db_roles"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**env, "DEBUG": "True",
                                            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})
    assert done.returncode == 1 and "db_roles is for PostgreSQL" in done.stderr

