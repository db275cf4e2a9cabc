"""Settings for the QMS, all read from the environment (see .env.example).

Defaults make a laptop run work with nothing installed: SQLite, a local media
folder, Celery tasks in-process, e-mail to the console. Production secrets
have no default: with DEBUG off a missing SECRET_KEY stops start-up.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# ---------------------------------------------------------------- core
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (or .env) before starting "
            "with DEBUG=False; `make run` sets DEBUG=True for the demo."
        )
    SECRET_KEY = "insecure-development-key-only-for-debug"  # noqa: S105 (DEBUG only)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", env.str("HOST", default="127.0.0.1")] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
COMPANY_NAME = env.str("COMPANY_NAME", default="Acme Precision Ltd")
# The address the web server listens on (`make run` honours HOST and PORT).
SERVE_HOST = env.str("HOST", default="127.0.0.1")
SERVE_PORT = env.int("PORT", default=8000)
# Links in e-mails, QR codes and invitations. Unset: the address actually served.
SITE_URL = env.str(
    "SITE_URL",
    default=f"http://{'localhost' if SERVE_HOST in ('0.0.0.0', '::', '') else SERVE_HOST}:{SERVE_PORT}",
).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_htmx",
    "simple_history",
    "axes",
    # Two-factor authentication (issue 17, qms/mfa.py): TOTP devices and recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "qms",
    "documents",
    "records",
    "audits",
    "auditor",
    "guides",
    # The rest of the management system (issues 14, 15).
    "planning",
    "reviews",
    "training",
    "suppliers",
    "equipment",
    # Bringing an existing QMS in (issue 19): documents with history, records, people.
    "intake",
    # The REST API (issue 16): DRF, its OpenAPI schema and the vendored Swagger UI / Redoc.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
]

MIDDLEWARE = [
    # First: a NUL byte in the address or a parameter is a 400, never a 500.
    "qms.middleware.RejectNulMiddleware",
    # A request id on the response, every log line and the jobs it asks for.
    "qms.requestid.RequestIdMiddleware",
    # /healthz and /readyz answer before sessions or the database are touched.
    "qms.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's Accept-Language (no URL prefix); a signed-in user's own choice follows below.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The signed-in user's language and time zone (User.language, User.time_zone).
    "qms.i18n.UserPreferencesMiddleware",
    "qms.middleware.SlidingSessionMiddleware",
    # The sessions page's "last seen" (qms/sessions_view.py), moved at most every five minutes.
    "qms.sessions_view.LastSeenMiddleware",
    # Logged-in pages and downloads: Cache-Control no-store.
    "qms.middleware.NoStoreForLoggedInMiddleware",
    # Every page needs a login unless its view is marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A password an administrator set, or an expired one, must be changed first (qms/passwords.py).
    "qms.passwords.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # External auditors: read-only everywhere, and every request logged.
    "auditor.middleware.ExternalAuditorMiddleware",
    "qms.middleware.RequestContextMiddleware",
    "csp.middleware.CSPMiddleware",
    # Must stay last: it turns failed logins into a lockout.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qms.urls"
WSGI_APPLICATION = "qms.wsgi.application"
AUTH_USER_MODEL = "qms.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "NAME": "django",
        "BACKEND": "qms.i18n.Templates",  # pages in the user's time zone (qms/i18n.py)
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "qms.context_processors.qms",
            ],
            "builtins": ["qms.templatetags.qms_text"],
        },
    },
]

# Django's form renderer with selects written in Python (qms/form_renderer.py).
FORM_RENDERER = "qms.form_renderer.FormRenderer"

# ---------------------------------------------------------------- database
# DATABASE_URL, e.g. postgres://user@127.0.0.1:5432/qms ; default a SQLite file.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# A persistent connection is checked before a request reuses it, so after a
# database restart the next request reconnects instead of failing once.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

# ---------------------------------------------------------------- authentication
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked-out users first
    # ModelBackend that also refuses inactive users and external auditors outside
    # their access window, at login and on every request (a revoked grant ends a session).
    "auditor.backends.AccessWindowBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # No reuse of the last PASSWORD_HISTORY_COUNT passwords (qms/passwords.py).
    {"NAME": "qms.passwords.PasswordHistoryValidator"},
]
# Account lockout (21 CFR 11.300(d)): N failures lock the username for a cool-off.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
# Two independent limits: per user name (rotating addresses cannot bypass it)
# and per client address (one address cannot spray passwords over many user
# names). Both lockouts are recorded in the audit trail (qms/auth_events.py).
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Idle sessions expire: activity pushes the expiry forward (sliding window,
# qms.middleware.SlidingSessionMiddleware touches the session at most once a minute).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# ---------------------------------------------------------------- identity (issue 17; docs/admin-guide.md)
# Two-factor authentication (TOTP with recovery codes, django-otp): compulsory for
# these roles ("Administrator" = Django staff) after a grace period from the
# first login that the policy applies to; anyone may enrol.
MFA_REQUIRED_ROLES = env.list(
    "MFA_REQUIRED_ROLES", default=["Quality Manager", "Approver", "Administrator", "External Auditor"])
MFA_GRACE_DAYS = env.int("MFA_GRACE_DAYS", default=14)
MFA_ISSUER = env.str("MFA_ISSUER", default=f"{COMPANY_NAME} QMS")
MFA_RECOVERY_CODES = 10
OTP_TOTP_ISSUER = MFA_ISSUER
# Passkeys / security keys (qms/passkeys.py): the relying party is the request's host unless set here.
WEBAUTHN_RP_ID = env.str("WEBAUTHN_RP_ID", default="")
WEBAUTHN_ORIGIN = env.str("WEBAUTHN_ORIGIN", default="")
# Passwords (Annex 11 §12): no reuse of the last N; optional expiry in days (0 = never).
PASSWORD_HISTORY_COUNT = env.int("PASSWORD_HISTORY_COUNT", default=5)
PASSWORD_EXPIRY_DAYS = env.int("PASSWORD_EXPIRY_DAYS", default=0)
# 21 CFR 11.100(c): each user makes the signature declaration once, before their first e-signature.
SIGNATURE_DECLARATION_REQUIRED = env.bool("SIGNATURE_DECLARATION_REQUIRED", default=True)
# LDAP / Active Directory bind authentication (qms/ldap.py), on when LDAP_SERVER_URI is set:
# LDAP_BIND_DN/_PASSWORD (service account), LDAP_USER_SEARCH_BASE, LDAP_USER_FILTER
# ("(uid=%(user)s)"; AD: "(sAMAccountName=%(user)s)"), LDAP_GROUP_SEARCH_BASE,
# LDAP_GROUP_TYPE (groupOfNames, posixGroup, activeDirectory), LDAP_ROLE_MAP
# ("group DN|Role;..."), LDAP_DENY_GROUP, LDAP_CREATE_USERS, LDAP_START_TLS.
if env.str("LDAP_SERVER_URI", default=""):
    from qms.ldap import configure as _ldap_settings

    globals().update(_ldap_settings(lambda name, default: env.str(name, default=default)))
    AUTHENTICATION_BACKENDS.append("qms.ldap.QmsLDAPBackend")
# OpenID Connect single sign-on (qms/oidc.py, mozilla-django-oidc), on when OIDC_RP_CLIENT_ID is
# set: authorization code with PKCE; the provider's endpoints from its discovery document.
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
if OIDC_RP_CLIENT_ID:
    OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT")
    OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT")
    OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
    OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile")
    OIDC_USE_PKCE = True
    OIDC_AUTHENTICATION_CALLBACK_URL = "oidc-callback"
    OIDC_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)
    AUTHENTICATION_BACKENDS.append("qms.oidc.QmsOIDCBackend")
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="single sign-on")
OIDC_USERNAME_CLAIM = env.str("OIDC_USERNAME_CLAIM", default="preferred_username")
OIDC_GROUPS_CLAIM = env.str("OIDC_GROUPS_CLAIM", default="groups")
OIDC_ROLE_MAP = env.str("OIDC_ROLE_MAP", default="")  # "IdP group|Role;IdP group|Role"
OIDC_CREATE_USER = env.bool("OIDC_CREATE_USERS", default=True)  # False: only match existing accounts
OIDC_STATE_SECONDS = env.int("OIDC_STATE_SECONDS", default=600)  # a login request older than this is refused
# SAML 2.0 single sign-on (qms/saml.py, pysaml2 with Debian's xmlsec1), on when SAML_IDP_METADATA
# is set (a metadata file, or its XML). The SP's entity ID defaults to SITE_URL + /accounts/saml/metadata/.
SAML_IDP_METADATA = env.str("SAML_IDP_METADATA", default="")
SAML_SP_ENTITY_ID = env.str("SAML_SP_ENTITY_ID", default="")
SAML_SP_KEY_FILE = env.str("SAML_SP_KEY_FILE", default="")
SAML_SP_CERT_FILE = env.str("SAML_SP_CERT_FILE", default="")
SAML_XMLSEC_BINARY = env.str("SAML_XMLSEC_BINARY", default="")
SAML_USERNAME_ATTRIBUTE = env.str("SAML_USERNAME_ATTRIBUTE", default="uid")
SAML_NAME_ATTRIBUTE = env.str("SAML_NAME_ATTRIBUTE", default="displayName")
SAML_EMAIL_ATTRIBUTE = env.str("SAML_EMAIL_ATTRIBUTE", default="mail")
SAML_GROUPS_ATTRIBUTE = env.str("SAML_GROUPS_ATTRIBUTE", default="groups")
SAML_ROLE_MAP = env.str("SAML_ROLE_MAP", default="")  # "IdP group|Role;IdP group|Role"
SAML_CREATE_USERS = env.bool("SAML_CREATE_USERS", default=True)
SAML_PROVIDER_NAME = env.str("SAML_PROVIDER_NAME", default="SAML single sign-on")
if SAML_IDP_METADATA:
    AUTHENTICATION_BACKENDS.append("qms.saml.SamlBackend")
# Local password login: "all", or "break-glass" (only the BREAK_GLASS_USERS, e.g. one
# administrator for when the identity provider is down; everyone else uses single sign-on).
LOCAL_LOGIN = env.str("LOCAL_LOGIN", default="all")
BREAK_GLASS_USERS = env.list("BREAK_GLASS_USERS", default=[])
# The access review (qms/access_review.py): a reminder to the quality manager each quarter.
ACCESS_REVIEW_REMINDER = env.bool("ACCESS_REVIEW_REMINDER", default=True)

# ---------------------------------------------------------------- security (production via env)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # a view that frames its own PDF opts in with @xframe_options_sameorigin
SESSION_COOKIE_HTTPONLY = True

# ---------------------------------------------------------------- content security policy
# django-csp: scripts and styles only from our own static files (no inline code,
# no eval), images from us or data: URIs (QR codes), our own PDFs in frames, no
# plugins, forms post only to us. Reports go to the browser console.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "frame-ancestors": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    },
}

# Prometheus metrics at /metrics (qms/metrics.py): a bearer token for the scraper;
# without one only loopback clients are answered.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# ---------------------------------------------------------------- evidence packs
# Ed25519 seed (base64) that signs every evidence pack's manifest; make one with
# `manage.py pack_signing_key`. Unset: derived from SECRET_KEY (auditor/signing.py).
PACK_SIGNING_KEY = env.str("PACK_SIGNING_KEY", default="")

# ---------------------------------------------------------------- files
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    # Swap for S3-compatible storage (django-storages) in scale-out; nothing
    # reads MEDIA_ROOT directly, everything goes through the storage API.
    "default": {"BACKEND": env.str("FILE_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# S3-compatible object storage (AWS S3, MinIO, Ceph, ...) when a bucket is named:
# every stored file (document sources and PDFs, renditions, manuals, evidence,
# exports, packs, job outputs) then lives in the bucket, and web and worker
# hosts keep nothing on local disk (temporary files excepted). The bucket stays
# private: downloads are streamed through our permission-checked views.
# Credentials come from the environment (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
# or the host's role), never from a file in the repository.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "default_acl": env.str("AWS_DEFAULT_ACL", default="private") or None,
            "location": env.str("AWS_LOCATION", default=""),
            "file_overwrite": False,  # a name once used is never replaced (evidence keeps its hash)
            "querystring_auth": True,
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=300),
            "signature_version": "s3v4",
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="path"),
        },
    }
# ---------------------------------------------------------------- cache and sessions
# CACHE_URL=redis://host:6379/1: a Redis cache shared by every web node, and
# sessions in that cache backed by the database (cached_db: a Redis restart
# signs nobody out). Without it: a per-process memory cache and database sessions.
CACHE_URL = env.str("CACHE_URL", default="")
if CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL,
                          "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="qms"), "TIMEOUT": 300}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# The home dashboard per user, reused while no write happened (qms/dashboard.py);
# only with a shared cache: a per-process one would miss other nodes' writes.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=60 if CACHE_URL else 0)
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_MB", default=25) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Text extraction and OCR of stored files (qms/textract.py, issue 19.4): Tesseract's
# binary and languages ("eng", "eng+deu"); bounds on what one file may cost.
TEXTRACT_ENABLED = env.bool("TEXTRACT_ENABLED", default=True)
TESSERACT_CMD = env.str("TESSERACT_CMD", default="tesseract")
OCR_LANGUAGES = env.str("OCR_LANGUAGES", default="eng")
OCR_DPI = env.int("OCR_DPI", default=300)
OCR_MAX_PAGES = env.int("OCR_MAX_PAGES", default=200)
OCR_MAX_PIXELS = env.int("OCR_MAX_MEGAPIXELS", default=60) * 1_000_000
OCR_PAGE_TIMEOUT = env.int("OCR_PAGE_TIMEOUT", default=120)
OCR_TIME_LIMIT = env.int("OCR_TIME_LIMIT", default=1500)
TEXTRACT_MAX_CHARS = env.int("TEXTRACT_MAX_CHARS", default=400_000)
TEXTRACT_MAX_UNPACKED_BYTES = env.int("TEXTRACT_MAX_UNPACKED_MB", default=200) * 1024 * 1024

# ---------------------------------------------------------------- audits and CAPA
# Days from raising an NC to its CAPA's due date, by severity (ISO 9001 10.2: without undue delay).
AUDITS_CAPA_DUE_DAYS = {
    "major": env.int("CAPA_DUE_DAYS_MAJOR", default=30),
    "minor": env.int("CAPA_DUE_DAYS_MINOR", default=90),
}

# ---------------------------------------------------------------- e-mail
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="qms@example.com")

# ---------------------------------------------------------------- Celery
# Unset broker: tasks run in-process (eager), so the demo needs no Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="qms")
# Queues per lane (qms/jobs.py): what a person waits for, heavy work, and beat's
# reminders, so a 20-minute manual never holds up a print. One worker may serve
# all three (`make run`); a cluster runs workers per queue (docs/admin-guide.md).
JOB_QUEUES = {
    "interactive": CELERY_TASK_DEFAULT_QUEUE,
    "bulk": env.str("CELERY_BULK_QUEUE", default=f"{CELERY_TASK_DEFAULT_QUEUE}-bulk"),
    "reminders": env.str("CELERY_REMINDERS_QUEUE", default=f"{CELERY_TASK_DEFAULT_QUEUE}-reminders"),
}
# Per-kind lane overrides, e.g. JOB_LANES=register_pdf:bulk,record_pdf:interactive
JOB_LANES = {k: v for k, v in (item.split(":", 1) for item in env.list("JOB_LANES", default=[]) if ":" in item)}
# Beat's periodic tasks go to the reminders queue; the sweep stays on the
# interactive one so a stuck print is re-sent quickly.
CELERY_TASK_ROUTES = {
    "qms.tasks.send_daily_digests": {"queue": JOB_QUEUES["reminders"]},
    "qms.tasks.check_file_integrity": {"queue": JOB_QUEUES["bulk"]},
    "documents.tasks.*": {"queue": JOB_QUEUES["reminders"]},
}
CELERY_TASK_PUBLISH_RETRY = False  # a dead broker fails fast; the job stays pending for the sweep
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5, "max_retries": 1}
CELERY_TIMEZONE = "UTC"
# Jobs (qms/jobs.py). A running attempt holds a lease of JOB_LEASE_SECONDS and
# renews it every JOB_HEARTBEAT_SECONDS; the sweep (beat, every
# JOB_SWEEP_SECONDS) re-queues jobs whose lease has passed, so a killed
# worker's job runs again within lease + sweep (about 45 s).
JOB_LEASE_SECONDS = env.float("JOB_LEASE_SECONDS", default=30.0)
JOB_HEARTBEAT_SECONDS = env.float("JOB_HEARTBEAT_SECONDS", default=5.0)
JOB_SWEEP_SECONDS = env.float("JOB_SWEEP_SECONDS", default=15.0)
# Hard time limit per job kind in seconds (the soft limit, which marks the job
# failed with a reason, comes 30 s earlier); kinds not listed get "default".
JOB_TIME_LIMITS = {"default": 600, "quality_manual": 1800, "evidence_pack": 3600, "audit_trail_export": 1800,
                   "text_extraction": 1800, "intake_import": 3 * 3600}
# A killed pool child's message goes back to the queue instead of being acked
# and lost; a killed whole worker's unacked message comes back after the
# visibility timeout, which must outlast the longest job (or Redis would hand
# a running job's message to a second worker). The lease, not the broker, is
# what brings a dead worker's job back quickly.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = max(JOB_TIME_LIMITS.values()) + 600
# Webhooks (api/webhooks.py): plain http to localhost only on a test server;
# the waits (s) after each failed try (the number of tries is one more).
WEBHOOKS_ALLOW_HTTP = env.bool("WEBHOOKS_ALLOW_HTTP", default=False)
WEBHOOK_RETRY_DELAYS = tuple(float(x) for x in env.list("WEBHOOK_RETRY_DELAYS",
                                                        default=["10", "60", "300", "1800", "7200", "21600", "43200"]))
WEBHOOK_TIMEOUTS = (env.float("WEBHOOK_CONNECT_TIMEOUT", default=3.0), env.float("WEBHOOK_READ_TIMEOUT", default=5.0))
# The CAs a receiver's certificate is checked against (a PEM file); empty: certifi's bundle, as requests uses.
WEBHOOK_CA_BUNDLE = env.str("WEBHOOK_CA_BUNDLE", default="")

# ---------------------------------------------------------------- i18n / time
# The QMS in the user's language (issue 20). A signed-in user's own choice
# (User.language, qms.i18n.UserPreferencesMiddleware) wins over the browser's
# Accept-Language (LocaleMiddleware); no language prefix in any URL. Names are
# in their own language, as a switch shows them to someone who reads only that.
LANGUAGE_CODE = "en-gb"
# Our formats over Django's: ISO first among the input formats (date pickers), short dates per language.
FORMAT_MODULE_PATH = ["qms.formats"]
LANGUAGES = [
    ("en-gb", "English"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("es", "Español"),
    ("pt-br", "Português (Brasil)"),
    ("zh-hans", "简体中文"),
]
# Catalogues: locale/<lang>/LC_MESSAGES/django.po, compiled by bin/compile_messages.py (make install).
LOCALE_PATHS = [BASE_DIR / "locale"]
# The site's zone stays the rule for effective and due dates; a user may see times in their own.
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# ---------------------------------------------------------------- logging
# LOG_FORMAT=json: one JSON object per line (time, level, logger, message,
# request_id) for a log collector; plain text otherwise.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "qms.requestid.RequestIdLogFilter"}},
    "formatters": {
        "json": {"()": "pythonjsonlogger.json.JsonFormatter",
                 "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                 "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"}},
        "text": {"format": "%(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"],
                             "formatter": "json" if LOG_FORMAT == "json" else "text"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "ERROR"}, "fontTools": {"level": "ERROR"}},
}
if CELERY_TASK_ALWAYS_EAGER:
    # In-process jobs (no broker): Celery's per-task "succeeded" lines and
    # kombu's "No hostname was supplied" say nothing to a person at the console.
    LOGGING["loggers"].update({"celery.app.trace": {"level": "WARNING"}, "kombu.connection": {"level": "ERROR"}})

# ---------------------------------------------------------------- REST API (api/, issue 16)
# Session (browser, with CSRF) and personal access tokens (api/authentication.py).
# Every error is JSON with a reason (api/exceptions.py); lists are cursor-paginated.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.ApiAccess"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Cursor",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerToken"],
    "DEFAULT_THROTTLE_RATES": {"api": env.str("API_RATE", default="1200/min")},
    "EXCEPTION_HANDLER": "api.exceptions.handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "QMS API",
    "DESCRIPTION": "Every object and action of the QMS, under the same rules as the pages. "
                   "Authenticate with a personal access token (Authorization: Bearer qms_…) made on your "
                   "API tokens page, or with the browser session (and its CSRF token).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["api.permissions.ApiAccess"],
    "SWAGGER_UI_DIST": "SIDECAR",  # vendored: no CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENFORCE_NON_BLANK_FIELDS": True,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # Every operation lists its error answers ({detail, code}): 400, 401, 403, 404, 409, 429.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "api.schema.add_error_responses"],
    "ENUM_NAME_OVERRIDES": {
        "RouteStepKindEnum": "documents.models.RouteStep.Kind",
        "RouteStepModeEnum": "documents.models.RouteStep.Mode",
        "CompetenceKindEnum": "training.models.Competence.Kind",
        "TrainingResultEnum": "training.models.TrainingRecord.Result",
        "EffectivenessEnum": "audits.models.Capa.Result",
        "CalibrationResultEnum": "equipment.models.Calibration.Result",
        "CapaSeverityEnum": "audits.models.Capa.Severity",
    },
}
# Personal access tokens: the longest lifetime a token may be given, in days.
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)

