"""Production smoke test: a fresh clone served as production serves it.

Clones the committed tree into a temporary folder (so a file that exists only
in a working copy cannot hide a failure), then with DEBUG=False and a random
SECRET_KEY: migrate, demo data (seeded with DEBUG on, the only way seed_demo
runs), collectstatic with the manifest storage, gunicorn on a free loopback
port; logs in over HTTP as the quality manager and the administrator and opens
every main page, expecting 200, its stylesheet served, and no error in the
server log. Uses PostgreSQL when DATABASE_URL points at it (a throw-away
database `<name>_smoke`), a SQLite file otherwise.

On PostgreSQL it runs as production should (docs/database-roles.md): the
DATABASE_URL superuser only runs `db_roles`, `migrate` runs as the owner role,
and seed_demo, check and gunicorn run as the application role, which the run
then proves cannot TRUNCATE the audit trail. The two roles are named after the
throw-away database and dropped with it.

    python bin/smoke_prod.py          # or: make smoke
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "demo-Quality-2026"
PAGES = [
    "/", "/documents/", "/documents/manual/", "/records/", "/records/new/", "/records/types/",
    "/records/retention/", "/audits/", "/audits/programmes/", "/audits/calendar/", "/capa/", "/clauses/",
    "/auditor/access/", "/auditor/requests/", "/auditor/packs/", "/auditor/packs/verify/", "/trail/export/",
    "/notifications/", "/help/", "/help/quality-manager-guide.md", "/help/auditor-guide.md", "/help/admin-guide.md",
]
# Found on the pages above: the first link of each kind is opened too.
DETAIL_LINKS = [r'href="(/documents/[A-Z][A-Z0-9-]+/)"', r'href="(/records/[A-Z][A-Z0-9-]+/)"',
                r'href="(/audits/[0-9]+/)"', r'href="(/capa/[0-9]+/)"', r'href="(/clauses/[0-9.]+/)"']


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd, env, cwd):
    t0 = time.monotonic()
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        sys.exit(f"smoke: {' '.join(cmd)} failed\n{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
    print(f"smoke: {' '.join(cmd[1:3])} ({time.monotonic() - t0:.0f} s)", flush=True)
    return result


def postgres_database(url: str) -> tuple[str, str] | None:
    if not url.startswith(("postgres://", "postgresql://")):
        return None
    base, _, name = url.rpartition("/")
    smoke = f"{name.split('?')[0]}_smoke"
    return smoke, f"{base}/{smoke}"


def recreate(url: str, name: str, *, drop_only: bool = False, roles: tuple[str, ...] = ()) -> None:
    import psycopg2

    parts = urllib.parse.urlsplit(url)
    conn = psycopg2.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres",
                            password=parts.password, dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        for role in roles:  # they had rights on that database only
            cur.execute(f'DROP ROLE IF EXISTS "{role}"')
        if not drop_only:
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def role_url(url: str, user: str, password: str) -> str:
    """`url` with another user and password."""
    parts = urllib.parse.urlsplit(url)
    netloc = f"{user}:{urllib.parse.quote(password, safe='')}@{parts.hostname}:{parts.port or 5432}"
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def least_privilege(env: dict, clone: Path, smoke: str) -> tuple[dict, dict, list[str]]:
    """Create the owner and application roles on the smoke database (as the
    DATABASE_URL superuser); the environments to migrate and to serve with."""
    prefix = re.sub(r"[^a-z0-9_]", "_", smoke.lower())[:50]
    owner, app = f"{prefix}_owner", f"{prefix}_app"
    secrets_env = {"QMS_DB_OWNER_PASSWORD": secrets.token_urlsafe(18), "QMS_DB_APP_PASSWORD": secrets.token_urlsafe(18)}
    run([sys.executable, "manage.py", "db_roles", "--owner", owner, "--app", app], {**env, **secrets_env}, clone)
    owner_env = {**env, "DATABASE_URL": role_url(env["DATABASE_URL"], owner, secrets_env["QMS_DB_OWNER_PASSWORD"])}
    app_env = {**env, "DATABASE_URL": role_url(env["DATABASE_URL"], app, secrets_env["QMS_DB_APP_PASSWORD"])}
    return owner_env, app_env, [owner, app]


def app_role_is_restricted(url: str) -> str | None:
    """None when the application role is refused TRUNCATE and DISABLE TRIGGER; else what got through."""
    import psycopg2

    parts = urllib.parse.urlsplit(url)
    conn = psycopg2.connect(host=parts.hostname, port=parts.port, user=parts.username,
                            password=urllib.parse.unquote(parts.password), dbname=parts.path.lstrip("/"))
    try:
        for sql in ("TRUNCATE qms_auditevent", "ALTER TABLE qms_signature DISABLE TRIGGER ALL"):
            try:
                with conn.cursor() as cur:
                    cur.execute(sql)
                return f"the application role ran {sql!r}"
            except psycopg2.errors.InsufficientPrivilege:
                conn.rollback()
        return None
    finally:
        conn.rollback()
        conn.close()


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, str, str]:
        try:
            with self.opener.open(self.base + path, timeout=60) as r:
                return r.status, r.geturl(), r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.code, e.geturl(), e.read().decode("utf-8", "replace")

    def login(self, username: str) -> None:
        status, _, html = self.get("/accounts/login/")
        assert status == 200, f"login page answered {status}"
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        data = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token})
        req = urllib.request.Request(self.base + "/accounts/login/", data=data.encode(),
                                     headers={"Referer": self.base + "/accounts/login/"})
        with self.opener.open(req, timeout=60) as r:
            if "/accounts/login/" in r.geturl():
                sys.exit(f"smoke: login as {username} failed (still on the login page)")


def check_pages(browser: Browser, paths: list[str], failures: list[str]) -> list[str]:
    seen = []
    for path in paths:
        status, url, html = browser.get(path)
        if status != 200:
            failures.append(f"{path} answered {status}")
            continue
        if "/accounts/login/" in url:
            failures.append(f"{path} sent the signed-in user to the login page")
            continue
        seen.append(html)
        for css in re.findall(r'href="(/static/[^"]+\.css)"', html)[:2]:
            if not re.search(r"\.[0-9a-f]{12}\.css$", css):
                failures.append(f"{path}: {css} is not a manifest (hashed) name")
            elif browser.get(css)[0] != 200:
                failures.append(f"{path}: stylesheet {css} not served")
    return seen


def main() -> int:
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="qms-smoke-"))
    clone = work / "qms"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    port = free_port()
    base_env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "SITE_URL")}
    env = {
        **base_env, "DEBUG": "False", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"http://127.0.0.1:{port}", "STATIC_ROOT": str(work / "static"), "MEDIA_ROOT": str(work / "media"),
        # Plain HTTP on loopback: no TLS redirect or secure-only cookies for this run.
        "SECURE_SSL_REDIRECT": "False", "SESSION_COOKIE_SECURE": "False", "CSRF_COOKIE_SECURE": "False",
        "CELERY_BROKER_URL": "",
    }
    pg = postgres_database(os.environ.get("DATABASE_URL", ""))
    roles: list[str] = []
    py = sys.executable
    if pg:
        recreate(os.environ["DATABASE_URL"], pg[0])
        env["DATABASE_URL"] = pg[1]
        owner_env, env, roles = least_privilege(env, clone, pg[0])
        run([py, "manage.py", "migrate", "--noinput", "-v", "0"], owner_env, clone)
        # Again, as the superuser: the tables migrate just made join the audit
        # trail's INSERT-only rule (idempotent; production does the same after a migrate).
        run([py, "manage.py", "db_roles", "--owner", roles[0], "--app", roles[1]],
            {**env, "DATABASE_URL": pg[1]}, clone)
    else:
        env["DATABASE_URL"] = f"sqlite:///{work / 'db.sqlite3'}"
        run([py, "manage.py", "migrate", "--noinput", "-v", "0"], env, clone)
    run([py, "manage.py", "seed_demo"], {**env, "DEBUG": "True"}, clone)
    run([py, "manage.py", "collectstatic", "--noinput", "-v", "0"], env, clone)
    run([py, "manage.py", "check", "--deploy", "--fail-level", "ERROR"], env, clone)

    log = (work / "gunicorn.log").open("w")
    gunicorn = Path(py).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "qms.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "120",
         "--access-logfile", "-", "--error-logfile", "-"],
        cwd=clone, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    failures: list[str] = []
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(60):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            failures.append("gunicorn did not answer /healthz within 30 s")
        if not failures:
            anonymous = Browser(base)
            for path, expected in (("/healthz", 200), ("/readyz", 200), ("/accounts/login/", 200)):
                status = anonymous.get(path)[0]
                if status != expected:
                    failures.append(f"anonymous {path} answered {status}")
            if "/accounts/login/" not in anonymous.get("/documents/")[1]:
                failures.append("anonymous /documents/ was not sent to the login page")
            qm = Browser(base)
            qm.login("qm")
            pages = check_pages(qm, PAGES, failures)
            details = []
            for pattern in DETAIL_LINKS:
                for html in pages:
                    found = re.search(pattern, html)
                    if found:
                        details.append(found.group(1))
                        break
                else:
                    failures.append(f"no link matching {pattern} on the main pages")
            # The guides' screenshots are served by the app (/help/img/), not collected as static files.
            shots = [m for html in pages for m in re.findall(r'src="(img/[a-z0-9_-]+\.png)"', html)][:1]
            if not shots:
                failures.append("no screenshot on the guide pages")
            details += ["/help/" + s for s in shots]
            check_pages(qm, details, failures)
            admin = Browser(base)
            admin.login("admin")
            check_pages(admin, ["/admin/", "/admin/qms/user/"], failures)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        log.close()
    text = (work / "gunicorn.log").read_text()
    for marker in ("Traceback", "[ERROR]", "Internal Server Error"):
        if marker in text:
            failures.append(f"server log contains {marker!r}:\n{text[-4000:]}")
            break
    if pg:
        leak = app_role_is_restricted(env["DATABASE_URL"])
        if leak:
            failures.append(leak)
        recreate(os.environ["DATABASE_URL"], pg[0], drop_only=True, roles=tuple(roles))
    subprocess.run(["rm", "-rf", str(work)], check=False)
    elapsed = time.monotonic() - started
    if failures:
        print("smoke: FAILED\n  " + "\n  ".join(failures))
        return 1
    print(f"smoke: production start served {len(PAGES)} main pages and their detail pages with DEBUG=False "
          f"under gunicorn ({elapsed:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
