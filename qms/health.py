"""Health checks for load balancers and orchestrators.

- `/healthz` (liveness): the process answers. It touches nothing else, so a
  database outage does not make an orchestrator restart healthy web workers.
- `/readyz` (readiness): the database answers a query and, where a broker is
  configured, the broker accepts a connection, the file storage (local or S3)
  and the cache answer; 503 with the reason otherwise.
- `/metrics`: Prometheus metrics (qms/metrics.py), bearer token or loopback.

Both are answered by `HealthCheckMiddleware`, first in MIDDLEWARE, before the
session, authentication and lockout middleware: a probe that carries a session
cookie (stale or valid) must not reach the session table, or a database outage
would turn the check itself into a 500. They also skip the HTTPS redirect so a
plain-HTTP probe on the loopback gets an answer.
"""

import logging

from django.conf import settings
from django.db import connections
from django.http import HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

LIVENESS_PATH = "/healthz"
READINESS_PATH = "/readyz"
METRICS_PATH = "/metrics"  # qms/metrics.py
BROKER_TIMEOUT_SECONDS = 2


def check_database() -> str | None:
    """None when the default database answers `SELECT 1`, else the reason."""
    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any driver error means not ready
        try:
            connection.close()
        except Exception:  # noqa: BLE001, S110 - closing a dead connection may fail too
            pass
        return f"database: {type(exc).__name__}"
    return None


def check_broker() -> str | None:
    """None when no broker is configured (tasks run in-process) or it accepts a connection."""
    url = getattr(settings, "CELERY_BROKER_URL", "")
    if not url:
        return None
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS,
                        transport_options={"socket_connect_timeout": BROKER_TIMEOUT_SECONDS,
                                           "socket_timeout": BROKER_TIMEOUT_SECONDS, "max_retries": 0}) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_SECONDS)
            # Redis connects lazily: a real round trip proves the broker answers.
            if conn.transport.driver_type == "redis":
                conn.default_channel.client.ping()
    except Exception as exc:  # noqa: BLE001 - kombu raises several types when the broker is away
        return f"broker: {type(exc).__name__}"
    return None


def check_storage() -> str | None:
    """None when the file storage answers (a HEAD request on S3, a stat on disk)."""
    from django.core.files.storage import default_storage

    try:
        default_storage.exists("healthz-probe")
    except Exception as exc:  # noqa: BLE001 - boto and the filesystem raise many types
        return f"storage: {type(exc).__name__}"
    return None


def check_cache() -> str | None:
    """None when the cache answers a set and get (Redis when CACHE_URL is set)."""
    from django.core.cache import cache

    try:
        cache.set("healthz-probe", "1", timeout=5)
        if cache.get("healthz-probe") != "1":
            return "cache: value not kept"
    except Exception as exc:  # noqa: BLE001 - redis raises several types when it is away
        return f"cache: {type(exc).__name__}"
    return None


def readiness() -> tuple[bool, dict]:
    checks = {"database": check_database(), "broker": check_broker(), "storage": check_storage(),
              "cache": check_cache()}
    failures = {name: reason for name, reason in checks.items() if reason}
    return not failures, {name: (reason or "ok") for name, reason in checks.items()}


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info.rstrip("/")
        if path == LIVENESS_PATH:
            return HttpResponse("ok", content_type="text/plain")
        if path == READINESS_PATH:
            return readiness_response()
        if path == METRICS_PATH:
            from qms.metrics import metrics_response

            return metrics_response(request)
        return self.get_response(request)


def readiness_response() -> JsonResponse:
    """The one readiness answer, for the middleware and the `readyz` view alike."""
    ready, checks = readiness()
    if not ready:
        logger.warning("readiness check failed: %s", checks)
    response = JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks},
                            status=200 if ready else 503)
    response["Cache-Control"] = "no-store"
    return response
