"""Test settings: the real settings with fast hashing and a throwaway media folder."""

import os
import tempfile

os.environ.setdefault("DEBUG", "True")
os.environ.setdefault("SECRET_KEY", "test-secret-key")
# A queue of this test run's own, so a developer's running worker never takes
# the real-worker tests' tasks (the worker subprocess inherits it).
os.environ.setdefault("CELERY_QUEUE", f"qms-test-{os.getpid()}")
# Under pytest-xdist each worker has its own test database, so it needs its
# own queue too: otherwise one worker's real Celery worker takes the other's
# tasks (job ids of another database). The worker subprocess inherits the
# suffixed name and keeps it.
_xdist = os.environ.get("PYTEST_XDIST_WORKER")
if _xdist and not os.environ["CELERY_QUEUE"].endswith(f"-{_xdist}"):
    os.environ["CELERY_QUEUE"] = f"{os.environ['CELERY_QUEUE']}-{_xdist}"

from qms.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Shared with worker subprocesses started by the real-worker tests.
MEDIA_ROOT = os.environ.setdefault("QMS_TEST_MEDIA_ROOT", tempfile.mkdtemp(prefix="qms-test-media-"))
# Worker subprocesses (tests/qms/test_jobs_worker.py) write e-mails to files the test reads.
EMAIL_BACKEND = os.environ.get("QMS_TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("QMS_TEST_EMAIL_DIR", "")
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Unit tests call tasks in-process; the real-worker tests start their own worker.
# Worker and beat subprocesses (tests/celery_utils.py) publish for real.
CELERY_TASK_ALWAYS_EAGER = os.environ.get("QMS_TEST_CELERY_EAGER", "1") == "1"
SECURE_SSL_REDIRECT = False

# QMS_TEST_S3_ENDPOINT (set by .ci/run's object-storage pass): every stored file
# goes to an S3 server (moto) instead of the media folder, which .ci/run makes
# read-only, so the file tests prove nothing depends on local disk.
if os.environ.get("QMS_TEST_S3_ENDPOINT"):
    STORAGES["default"] = {  # noqa: F405
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("QMS_TEST_S3_BUCKET", "qms-test-files"),
            "endpoint_url": os.environ["QMS_TEST_S3_ENDPOINT"], "region_name": "us-east-1",
            "access_key": "qms-test", "secret_key": "qms-test-secret", "default_acl": "private",
            "file_overwrite": False, "signature_version": "s3v4", "addressing_style": "path",
        },
    }
