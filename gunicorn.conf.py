"""gunicorn settings for `make run` and the Procfile; all overridable by environment.

HOST/PORT choose the address (honcho sets PORT for the Procfile's web process),
WEB_CONCURRENCY the number of worker processes. Logs go to stderr.
"""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# In the demo (DEBUG=True) pick up code changes like runserver did.
reload = os.environ.get("DEBUG", "").lower() in ("true", "1", "yes", "on")
