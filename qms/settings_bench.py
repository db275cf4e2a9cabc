"""Benchmark settings: the real settings on their own database (never the app's)."""

import os

os.environ.setdefault("DEBUG", "True")
os.environ.setdefault("SECRET_KEY", "bench-secret-key")

from qms.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The jobs group's worker and beat subprocesses publish for real.
CELERY_TASK_ALWAYS_EAGER = os.environ.get("QMS_BENCH_CELERY_EAGER", "1") == "1"
SECURE_SSL_REDIRECT = False
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
ALLOWED_HOSTS = ["*"]
SIGNATURE_DECLARATION_REQUIRED = False  # bench users sign without the one-time declaration step
