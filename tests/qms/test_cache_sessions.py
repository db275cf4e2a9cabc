"""Redis cache and sessions (issue 21, CACHE_URL): sessions live in the shared
Redis cache and in the database, so any web node reads them and a Redis
restart signs nobody out."""

from __future__ import annotations

import os
import uuid

import pytest
from django.core.cache import cache
from django.test import override_settings

from tests.celery_utils import BROKER, REQUIRED
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_cache():
    if not BROKER.startswith("redis://"):
        if REQUIRED:
            pytest.fail("needs Redis (CELERY_BROKER_URL)")
        pytest.skip("needs Redis (CELERY_BROKER_URL)")
    location = BROKER.rsplit("/", 1)[0] + "/" + os.environ.get("QMS_TEST_CACHE_DB", "4")
    prefix = f"qms-test-{uuid.uuid4().hex[:8]}"
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location,
                            "KEY_PREFIX": prefix}},
        SESSION_ENGINE="django.contrib.sessions.backends.cached_db",
    ):
        yield cache
        cache.clear()


def test_a_session_is_in_redis_and_survives_a_redis_flush(redis_cache, client, staff):
    from django.contrib.sessions.models import Session

    response = client.post("/accounts/login/", {"username": staff.username, "password": PASSWORD})
    assert response.status_code == 302
    key = client.cookies["sessionid"].value
    assert redis_cache.get(f"django.contrib.sessions.cached_db{key}") is not None
    assert Session.objects.filter(session_key=key).exists()
    assert client.get("/records/").status_code == 200
    redis_cache.clear()  # Redis restarted empty
    assert client.get("/records/").status_code == 200  # still signed in, read back from the database
    assert redis_cache.get(f"django.contrib.sessions.cached_db{key}") is not None  # and cached again


def test_readiness_reports_the_redis_cache(redis_cache, client):
    assert client.get("/readyz").json()["checks"]["cache"] == "ok"


def test_the_dashboard_is_reused_until_anything_changes(redis_cache, client_for, staff, quality_manager, settings,
                                                         django_capture_on_commit_callbacks):
    """Cached per user in the shared cache, and never older than the data: any
    committed write moves the generation on, so the next visit recomputes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.records.factories import make_record, make_type

    settings.DASHBOARD_CACHE_SECONDS = 60
    rtype = make_type("CAL", verification_required=True)
    c = client_for(quality_manager)
    with CaptureQueriesContext(connection) as first:
        assert c.get("/").status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert c.get("/").status_code == 200
    assert len(second) < len(first)  # the sections came from the cache
    # Staff submit a record to verify: the QM's next visit shows it.
    with django_capture_on_commit_callbacks(execute=True):  # the write commits
        record = make_record(staff, rtype)
    with CaptureQueriesContext(connection) as third:
        html = c.get("/").content.decode()
    assert len(third) > len(second)
    assert "Records to verify" in html and record.number in html
