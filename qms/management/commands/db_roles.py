"""Least-privilege PostgreSQL roles (issue 10, docs/database-roles.md).

Run as a superuser (e.g. `postgres`) against the application's database. It
creates, or brings back in line, two roles:

- the **owner** (`qms_owner`): owns the schema's tables, sequences and
  functions and runs `manage.py migrate`. It may create tables, triggers and
  trusted extensions, so it can also TRUNCATE and disable triggers: keep its
  password for deployments only.
- the **application** (`qms_app`): what the web server, workers and beat
  connect as. SELECT, INSERT, UPDATE, DELETE on the tables and USAGE on the
  sequences, nothing else: no TRUNCATE, no REFERENCES or TRIGGER rights, owner
  of nothing (so no ALTER TABLE, no DISABLE TRIGGER, no DROP), no CREATE in
  the schema. On the audit trail, the signatures and every history table it
  may only INSERT and SELECT (the triggers refuse UPDATE and DELETE anyway;
  no row lock ever reaches these tables, so the privilege can go too).

Idempotent: run it again after every `migrate` made by someone other than
the owner, or to reset a password. `--sql` prints the script instead (psql
variables `owner_password` and `app_password` carry the passwords).
"""

import os
import re

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction

NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# Extensions the migrations create (documents 0008: trigram search). A superuser
# creates them here, so `migrate` as the owner finds them on any PostgreSQL
# version; on PostgreSQL 13+ the owner could create these trusted ones itself.
EXTENSIONS = ("pg_trgm",)
# Written only by INSERT (record_event, sign, simple-history): the app role
# loses UPDATE and DELETE there. Other append-only tables (signed decisions,
# form versions, ...) keep them: a SELECT ... FOR UPDATE that joins them needs
# the UPDATE privilege, so their triggers stay the guard.
LOG_TABLES = "(c.relname IN ('qms_auditevent', 'qms_signature') OR c.relname LIKE '%historical%')"


def _literal(value: str) -> str:
    if "\x00" in value:
        raise CommandError("A password cannot contain a NUL character.")
    return "'" + value.replace("'", "''") + "'"


def statements(*, database: str, schema: str, owner: str, app: str,
               owner_password: str | None, app_password: str | None) -> list[tuple[str, str]]:
    """(what it does, SQL) in order; names are checked by the caller. A password
    of None leaves the role's password as it is."""
    db, sch = f'"{database}"', f'"{schema}"'
    attributes = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
    steps = [
        (f"roles {owner} and {app} exist (created when missing)", f"""
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname IN ('{owner}', '{app}') AND (rolsuper OR rolname = current_user)) THEN
        RAISE EXCEPTION 'db_roles: {owner} or {app} is a superuser or the current user; choose other names';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{owner}') THEN
        CREATE ROLE "{owner}";
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{app}') THEN
        CREATE ROLE "{app}";
    END IF;
    IF pg_has_role('{app}', '{owner}', 'MEMBER') THEN
        REVOKE "{owner}" FROM "{app}";
    END IF;
END $$"""),
        (f"{owner}: may log in; not a superuser, no CREATEDB, CREATEROLE, REPLICATION or BYPASSRLS"
         + ("; password set" if owner_password is not None else ""),
         f'ALTER ROLE "{owner}" {attributes}' + (f" PASSWORD {owner_password}" if owner_password is not None else "")),
        (f"{app}: may log in; not a superuser, no CREATEDB, CREATEROLE, REPLICATION or BYPASSRLS"
         + ("; password set" if app_password is not None else ""),
         f'ALTER ROLE "{app}" {attributes}' + (f" PASSWORD {app_password}" if app_password is not None else "")),
        (f"database {database}: {owner} may connect and create (schemas, trusted extensions); {app} may connect",
         f'GRANT CONNECT, TEMPORARY, CREATE ON DATABASE {db} TO "{owner}"; GRANT CONNECT ON DATABASE {db} TO "{app}"'),
        (f"schema {schema}: nobody but {owner} creates objects in it; {app} may use it",
         f'REVOKE CREATE ON SCHEMA {sch} FROM PUBLIC; GRANT USAGE, CREATE ON SCHEMA {sch} TO "{owner}"; '
         f'REVOKE CREATE ON SCHEMA {sch} FROM "{app}"; GRANT USAGE ON SCHEMA {sch} TO "{app}"'),
    ]
    for ext in EXTENSIONS:
        steps.append((f"extension {ext} installed (the migrations use it)",
                      f"CREATE EXTENSION IF NOT EXISTS {ext} SCHEMA {sch}"))
    steps += [
        (f"{owner} owns every table, view, sequence and function of {schema} (extensions' own excepted)", f"""
DO $$
DECLARE
    obj record;
    moved integer := 0;
BEGIN
    FOR obj IN
        SELECT format('%s %I.%I', CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                      WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, n.nspname, c.relname) AS what
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = '{schema}' AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
          AND c.relowner <> '{owner}'::regrole
          -- an identity or serial sequence follows its table
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                          AND (d.deptype = 'e' OR (c.relkind = 'S' AND d.deptype IN ('a', 'i'))))
        UNION ALL
        SELECT format('ROUTINE %s', p.oid::regprocedure)
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = '{schema}' AND p.proowner <> '{owner}'::regrole
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                          AND d.deptype = 'e')
    LOOP
        EXECUTE format('ALTER %s OWNER TO %I', obj.what, '{owner}');
        moved := moved + 1;
    END LOOP;
    RAISE NOTICE 'db_roles: % object(s) given to {owner}', moved;
END $$"""),
        (f"{app}: SELECT, INSERT, UPDATE, DELETE on every table and USAGE on every sequence, nothing more", (
            f'REVOKE ALL ON ALL TABLES IN SCHEMA {sch} FROM "{app}"; '
            f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {sch} TO "{app}"; '
            f'REVOKE ALL ON ALL SEQUENCES IN SCHEMA {sch} FROM "{app}"; '
            f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {sch} TO "{app}"')),
        (f"tables and sequences {owner} creates later (migrations) grant {app} the same", (
            f'ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA {sch} REVOKE ALL ON TABLES FROM "{app}"; '
            f'ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA {sch} '
            f'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "{app}"; '
            f'ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA {sch} REVOKE ALL ON SEQUENCES FROM "{app}"; '
            f'ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA {sch} GRANT USAGE, SELECT ON SEQUENCES TO "{app}"')),
        (f"{app}: INSERT and SELECT only on the audit trail, signatures and history tables", f"""
DO $$
DECLARE
    tbl text;
    revoked integer := 0;
BEGIN
    FOR tbl IN
        SELECT format('%I.%I', n.nspname, c.relname)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = '{schema}' AND c.relkind = 'r' AND {LOG_TABLES}
          AND EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname = 'qms_guard_update_delete')
    LOOP
        EXECUTE format('REVOKE UPDATE, DELETE ON %s FROM %I', tbl, '{app}');
        revoked := revoked + 1;
    END LOOP;
    RAISE NOTICE 'db_roles: UPDATE and DELETE revoked from {app} on % append-only table(s)', revoked;
END $$"""),
    ]
    return steps


class Command(BaseCommand):
    help = ("Create or update the PostgreSQL owner role (runs migrate) and the application role (no TRUNCATE, "
            "DDL or trigger rights). Run as a superuser; idempotent. See docs/database-roles.md.")

    def add_arguments(self, parser):
        parser.add_argument("--owner", default="qms_owner", help="migration owner role (default qms_owner)")
        parser.add_argument("--app", default="qms_app", help="application role (default qms_app)")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS,
                            help="Django database alias to connect to, as a superuser (default: default)")
        parser.add_argument("--schema", default="public", help="schema the tables live in (default public)")
        parser.add_argument("--owner-password", help="owner's password (better: env QMS_DB_OWNER_PASSWORD)")
        parser.add_argument("--app-password", help="application's password (better: env QMS_DB_APP_PASSWORD)")
        parser.add_argument("--sql", action="store_true",
                            help="print the SQL script instead of running it (passwords as psql variables)")

    def handle(self, *args, **options):
        connection = connections[options["database"]]
        owner, app, schema = options["owner"], options["app"], options["schema"]
        for label, name in (("--owner", owner), ("--app", app), ("--schema", schema)):
            if not NAME.match(name):
                raise CommandError(f"{label} {name!r}: use lower-case letters, digits and _ (63 at most).")
        if owner == app:
            raise CommandError("The owner and the application need two different roles.")
        if options["sql"]:
            self._print_sql(connection.settings_dict["NAME"], schema, owner, app)
            return
        if connection.vendor != "postgresql":
            raise CommandError(f"db_roles is for PostgreSQL; this database is {connection.vendor}.")
        passwords = {
            owner: options["owner_password"] or os.environ.get("QMS_DB_OWNER_PASSWORD") or None,
            app: options["app_password"] or os.environ.get("QMS_DB_APP_PASSWORD") or None,
        }
        database = connection.settings_dict["NAME"]
        with connection.cursor() as cur:
            cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if not cur.fetchone()[0]:
                raise CommandError("Run db_roles connected as a superuser (e.g. postgres): it creates roles and "
                                   "changes owners. Or print the SQL with --sql for your DBA.")
            cur.execute("SELECT rolname FROM pg_roles WHERE rolname IN (%s, %s)", [owner, app])
            existing = {r[0] for r in cur.fetchall()}
        missing = [name for name, pw in passwords.items() if name not in existing and not pw]
        if missing:
            raise CommandError(f"{', '.join(missing)} does not exist yet: give its password "
                               "(QMS_DB_OWNER_PASSWORD / QMS_DB_APP_PASSWORD, or --owner-password / --app-password).")
        steps = statements(database=database, schema=schema, owner=owner, app=app,
                           owner_password=_literal(passwords[owner]) if passwords[owner] else None,
                           app_password=_literal(passwords[app]) if passwords[app] else None)
        try:
            with transaction.atomic(using=options["database"]), connection.cursor() as cur:
                raw = connection.connection
                del raw.notices[:]
                for what, sql in steps:
                    cur.execute(sql)
                    self.stdout.write(f"  {what}")
                    for notice in raw.notices:
                        self.stdout.write("    " + notice.strip().removeprefix("NOTICE:").strip()
                                          .removeprefix("db_roles: "))
                    del raw.notices[:]
        except DatabaseError as exc:
            raise CommandError(f"db_roles: nothing was changed: {exc}".strip()) from exc
        self.stdout.write(self.style.SUCCESS(
            f"db_roles: {owner} (migrate) and {app} (the application) are set up on {database}. "
            f"Migrate with DATABASE_URL=postgres://{owner}:…@host/{database}; run the app with "
            f"DATABASE_URL=postgres://{app}:…@host/{database}."))

    def _print_sql(self, database: str, schema: str, owner: str, app: str) -> None:
        self.stdout.write(
            f"-- QMS least-privilege roles for database {database} (manage.py db_roles --sql).\n"
            f"-- Run as a superuser, connected to {database}:\n"
            f"--   psql -v ON_ERROR_STOP=1 -v owner_password=... -v app_password=... -d {database} -f roles.sql\n"
            "-- Idempotent: run it again after a migrate made by another role.\n"
            "BEGIN;"
        )
        for what, sql in statements(database=database, schema=schema, owner=owner, app=app,
                                    owner_password=":'owner_password'", app_password=":'app_password'"):
            self.stdout.write(f"\n-- {what}\n{sql.strip()};")
        self.stdout.write("\nCOMMIT;")
