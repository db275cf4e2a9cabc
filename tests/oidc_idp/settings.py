"""A tiny OpenID provider (django-oidc-provider) for the OIDC tests (issue 17):
its own SQLite database, started on loopback by tests/qms/oidc_server.py."""

import os

BASE = os.environ["QMS_IDP_DIR"]
SECRET_KEY = "idp-test-key"  # noqa: S105 - a throwaway test provider
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions", "django.contrib.messages",
    "django.contrib.admin", "oidc_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "tests.oidc_idp.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.path.join(BASE, "idp.sqlite3")}}
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [os.path.dirname(__file__)],
              "APP_DIRS": True, "OPTIONS": {"context_processors": [
                  "django.template.context_processors.request", "django.contrib.auth.context_processors.auth",
                  "django.contrib.messages.context_processors.messages"]}}]
LOGIN_URL = "/login/"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
SITE_URL = os.environ.get("QMS_IDP_URL", "http://127.0.0.1")
OIDC_EXTRA_SCOPE_CLAIMS = "tests.oidc_idp.claims.GroupsClaims"
OIDC_USERINFO = "tests.oidc_idp.claims.userinfo"
OIDC_IDTOKEN_INCLUDE_CLAIMS = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
