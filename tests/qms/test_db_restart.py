"""Keep holding (issue 11): PostgreSQL goes away under page views and comes
back. The web process (a real `manage.py runserver`, DEBUG off, one thread so
its persistent connection is reused) answers with the clean error page while
the database is away and with normal pages once it is back, without being
restarted.

The shared PostgreSQL is never touched: the web process reaches it through a
small TCP proxy of the test's own, which the test cuts (every connection
closed, nothing listening) and restores."""

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from tests.celery_utils import ROOT, free_port, stop_process

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")


class TcpProxy:
    """127.0.0.1:<port> → the database; `cut()` drops every connection and
    stops listening (as a restarting server), `restore()` listens again."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = free_port()
        self._server = None
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(50)
        self._server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def _accept(self, server) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src, dst) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        try:
            self._server.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(); close() alone would not
        except OSError:
            pass
        self._server.close()
        with self._lock:
            conns, self._conns = self._conns, []
        for s in conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass

    def restore(self) -> None:
        self.start()

    def stop(self) -> None:
        self.cut()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _get(url: str, cookie: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    try:
        with _opener.open(request, timeout=30) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")


def _wait_until_serving(port: int, proc, timeout=60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError("web process died:\n" + proc.stdout.read().decode(errors="replace"))
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("web process did not start")


@pytest.mark.django_db(transaction=True)
def test_database_restart_under_page_views_gives_clean_error_pages_then_normal_pages(staff):
    db = connection.settings_dict
    proxy = TcpProxy((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    proxy.start()
    client = Client()
    client.force_login(staff)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "qms.settings_test",
        "DATABASE_URL": f"postgres://{db['USER']}@127.0.0.1:{proxy.port}/{db['NAME']}",
        "DEBUG": "False",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SESSION_COOKIE_SECURE": "False",
        "CONN_MAX_AGE": "60",
    }
    web = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    pages = ["/", "/notifications/"]
    try:
        _wait_until_serving(port, web)
        for path in pages:
            status, body = _get(base + path, cookie)
            assert status == 200 and staff.display_name in body, (path, status, body[:500])

        proxy.cut()  # the database restarts
        for _ in range(2):
            for path in pages:
                status, body = _get(base + path, cookie)
                assert status in (500, 503), (path, status)
                assert "Something went wrong on our side" in body and "Traceback" not in body

        proxy.restore()  # the database is back; the web process is the same
        for path in pages:
            status, body = _get(base + path, cookie)
            assert status == 200 and staff.display_name in body, (path, status, body[:300])

        # A restart while nobody asks: the kept connection is dead, and the
        # next page must still work (checked before reuse, reconnected).
        proxy.cut()
        proxy.restore()
        for path in pages:
            status, body = _get(base + path, cookie)
            assert status == 200 and staff.display_name in body, (path, status, body[:300])
        assert web.poll() is None
    finally:
        stop_process(web)
        proxy.stop()
