"""Print shell `export` lines pointing the project at local services that answer.

`make test` and `make bench` use it: an explicitly set DATABASE_URL or
CELERY_BROKER_URL always wins; otherwise PostgreSQL and Redis on 127.0.0.1 are
used when they accept a connection, and SQLite with in-process tasks when not,
so a newcomer's laptop with only Python still runs the suite.
"""

import os
import socket
import sys


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def ensure_database(name: str, url: str = "postgres://postgres@127.0.0.1:5432/postgres") -> None:
    """`manage.py migrate` needs the database to exist (tests create their own)."""
    try:
        import psycopg2
    except ImportError:
        return
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = psycopg2.connect(
        host=parts.hostname or "127.0.0.1", port=parts.port or 5432, user=parts.username or "postgres",
        password=parts.password, dbname="postgres",
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def main() -> None:
    purpose = sys.argv[1] if len(sys.argv) > 1 else "test"
    if purpose == "ensure-db":
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith(("postgres://", "postgresql://")):
            ensure_database(url.rsplit("/", 1)[-1].split("?")[0], url)
        return
    lines = []
    if not os.environ.get("DATABASE_URL") and answers(5432):
        lines.append(f"export DATABASE_URL=postgres://postgres@127.0.0.1:5432/qms_{purpose}")
        if purpose != "test":
            ensure_database(f"qms_{purpose}")
    if not os.environ.get("CELERY_BROKER_URL") and answers(6379):
        lines.append("export CELERY_BROKER_URL=redis://127.0.0.1:6379/1")
    db = os.environ.get("DATABASE_URL") or ("PostgreSQL" if lines and "DATABASE" in lines[0] else "SQLite")
    print(f"echo 'qms {purpose}: database {db.split('@')[-1]}, broker "
          f"{os.environ.get('CELERY_BROKER_URL') or ('redis' if any('CELERY' in x for x in lines) else 'none (in-process)')}'")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
