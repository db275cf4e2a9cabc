"""Benchmark settings: the real settings on their own database (never the app's),
served as in production (DEBUG=False): with DEBUG on, Django keeps every query's
SQL and renders templates in debug mode, which cost the measured pages about a
third of their server time and is not what gunicorn serves. `DEBUG=True make
bench` measures the development server's settings instead."""

import os
from pathlib import Path

os.environ.setdefault("DEBUG", "False")
os.environ.setdefault("SECRET_KEY", "bench-secret-key")

from qms.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The jobs group's worker and beat subprocesses publish for real.
CELERY_TASK_ALWAYS_EAGER = os.environ.get("QMS_BENCH_CELERY_EAGER", "1") == "1"
SECURE_SSL_REDIRECT = False
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
ALLOWED_HOSTS = ["*"]
SIGNATURE_DECLARATION_REQUIRED = False  # bench users sign without the one-time declaration step
if not DEBUG:  # noqa: F405
    # Pages look their assets up in a manifest, as in production; bench/__main__
    # collects them here first (hashed, not compressed: the lookup is the same).
    STATIC_ROOT = Path(os.environ.get("BENCH_STATIC_ROOT", BASE_DIR / "staticfiles-bench"))  # noqa: F405
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}  # noqa: F405
