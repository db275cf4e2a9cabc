#!/usr/bin/env python3
"""Production smoke test (issue 10): a fresh clone served the way production is.

    .venv/bin/python bin/smoke_prod.py [REPO]     # REPO: a git checkout, default this one

Clones REPO (its committed HEAD) into a temporary folder, then with DEBUG=False
and a random SECRET_KEY: migrate, collectstatic (manifest storage), create a
quality manager and one document (manage.py smoke_fixture), start gunicorn on a
free loopback port, log in over HTTP with the CSRF token, open every main page
and expect 200, and finally require a gunicorn log without errors or
tracebacks. Stops only the gunicorn it started. Exit code 0 = pass.

Database: SMOKE_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/qms_smoke),
dropped and created afresh. SMOKE_APP_DATABASE_URL, when set, is the URL gunicorn
serves with (e.g. a least-privilege application role); migrations use the first.
"""

import http.cookiejar
import os
import re
import secrets
import shutil
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

PAGES = [
    "/", "/documents/", "{document}", "/records/", "/records/types/", "/audits/", "/audits/programmes/",
    "/capa/", "/clauses/", "/auditor/access/", "/auditor/requests/", "/auditor/packs/verify/",
    "/trail/export/", "/notifications/", "/admin/", "/readyz",
]
LOG_PROBLEM = re.compile(r"Traceback|\[ERROR\]|\bERROR\b|Internal Server Error|CRITICAL")


def say(msg):
    print(f"smoke: {msg}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def recreate_database(url: str) -> None:
    import psycopg2

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    conn = psycopg2.connect(host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres",
                            password=parts.password, dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def manage(clone: Path, env: dict, *args: str) -> None:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=clone, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"smoke: manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")


def main() -> int:
    started = time.monotonic()
    repo = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent)
    work = Path(tempfile.mkdtemp(prefix="qms-smoke-"))
    clone = work / "qms"
    subprocess.run(["git", "clone", "--quiet", str(repo), str(clone)], check=True)
    say(f"cloned {repo} into {clone}")
    db_url = os.environ.get("SMOKE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/qms_smoke")
    recreate_database(db_url)
    password = secrets.token_urlsafe(16)
    port = free_port()
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "QMS_", "PYTEST", "SITE_URL", "STATIC_", "MEDIA_"))
    }
    env.update({
        "DEBUG": "False", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": db_url, "CELERY_BROKER_URL": "", "HOST": "127.0.0.1", "PORT": str(port),
        # Plain HTTP on the loopback: the TLS settings are checked by `check --deploy` instead.
        "SECURE_SSL_REDIRECT": "False", "SESSION_COOKIE_SECURE": "False", "CSRF_COOKIE_SECURE": "False",
        "SECURE_HSTS_SECONDS": "0", "STATIC_ROOT": str(work / "static"), "MEDIA_ROOT": str(work / "media"),
        "WEB_CONCURRENCY": "2",
    })
    manage(clone, env, "migrate", "--noinput", "-v", "0")
    manage(clone, env, "collectstatic", "--noinput", "-v", "0")
    manage(clone, env, "smoke_fixture", "--password", password)
    say(f"migrated, static collected, fixture made ({time.monotonic() - started:.0f}s)")

    serve_env = {**env, "DATABASE_URL": os.environ.get("SMOKE_APP_DATABASE_URL", db_url)}
    log_path = work / "gunicorn.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "qms.wsgi"],
                                  cwd=clone, env=serve_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    failures = []
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if urllib.request.urlopen(base + "/healthz", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            failures.append("gunicorn did not answer /healthz")
        if not failures:
            failures += exercise(base, password)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    log_text = log_path.read_text()
    problems = [line for line in log_text.splitlines() if LOG_PROBLEM.search(line)]
    if problems:
        failures.append("gunicorn log has errors:\n" + "\n".join(problems[:20]))
    if failures:
        say("FAILED\n" + "\n".join(failures) + f"\n--- gunicorn log ({log_path}) ---\n" + log_text[-4000:])
        return 1
    shutil.rmtree(work, ignore_errors=True)
    say(f"passed: {len(PAGES)} pages 200 under DEBUG=False gunicorn, clean log ({time.monotonic() - started:.0f}s)")
    return 0


def exercise(base: str, password: str) -> list[str]:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    failures = []
    login_page = opener.open(base + "/accounts/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page)
    if not token:
        return ["no CSRF token on the login page"]
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), "username": "smoke-qm", "password": password})
    request = urllib.request.Request(base + "/accounts/login/", data=form.encode(), headers={"Referer": base + "/accounts/login/"})
    response = opener.open(request, timeout=30)
    if "/accounts/login/" in response.geturl():
        return ["login failed: still on the login page"]
    document = None
    for page in PAGES:
        if page == "{document}":
            page = document or ""
            if not page:
                failures.append("no document link on the documents register")
                continue
        try:
            response = opener.open(base + page, timeout=60)
            body = response.read().decode(errors="replace")
            status = response.status
        except urllib.error.HTTPError as exc:
            status, body = exc.code, ""
        if status != 200:
            failures.append(f"{page}: HTTP {status}")
        if page == "/documents/":
            match = re.search(r'href="(/documents/[A-Z][A-Z0-9-]*\d/)"', body)
            document = match.group(1) if match else None
        say(f"{status} {page}")
    return failures


if __name__ == "__main__":
    sys.exit(main())
