"""Liveness and readiness for load balancers and orchestrators.

Answered by the first middleware, before sessions, authentication or host
checks run: a health probe must not depend on the database to say "I am alive",
and a probe that carries a (stale) session cookie must not reach the session
table while the database is down (that was a 500).

- `/healthz` (liveness): the process answers. Always 200 while it runs.
- `/readyz` (readiness): the database and, where configured, the broker answer.
  503 with the failing part named when not, so traffic goes elsewhere.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db import connections
from django.http import HttpResponse

LIVENESS_PATH = "/healthz"
READINESS_PATH = "/readyz"


def _database_ok() -> tuple[bool, str]:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "not ready"; the reason is reported
        connections["default"].close_if_unusable_or_obsolete()
        return False, exc.__class__.__name__
    return True, "ok"


def _broker_ok() -> tuple[bool, str]:
    if not settings.CELERY_BROKER_URL:
        return True, "not configured (tasks run in-process)"
    from kombu import Connection

    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # unreachable, refused, timed out
        return False, exc.__class__.__name__
    return True, "ok"


def readiness() -> tuple[bool, dict[str, str]]:
    db_ok, db_detail = _database_ok()
    broker_ok, broker_detail = _broker_ok()
    return db_ok and broker_ok, {"database": db_detail, "broker": broker_detail}


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info.rstrip("/")
        if path == LIVENESS_PATH and request.method in ("GET", "HEAD"):
            return _plain(200, "ok")
        if path == READINESS_PATH and request.method in ("GET", "HEAD"):
            ok, checks = readiness()
            response = HttpResponse(json.dumps({"ready": ok, **checks}), status=200 if ok else 503,
                                    content_type="application/json")
            response["Cache-Control"] = "no-store"
            return response
        return self.get_response(request)


def _plain(status: int, text: str) -> HttpResponse:
    response = HttpResponse(text, status=status, content_type="text/plain")
    response["Cache-Control"] = "no-store"
    return response
