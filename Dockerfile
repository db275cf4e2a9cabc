# The production image: gunicorn serving the QMS, static files collected at build.
# The same image runs the web nodes, the workers (one per queue) and beat:
#   docker build -t qms .
#   docker run --env-file .env -p 8000:8000 qms                       # web
#   docker run --env-file .env qms celery -A qms worker -Q qms          # interactive worker
# See compose.yaml (one host) and deploy/helm/qms (a cluster).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# WeasyPrint's libraries and the fonts PDFs use; poppler for PDF text; libpq for psycopg.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
      fonts-dejavu-core fonts-liberation2 poppler-utils libpq5 postgresql-client \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
# The translations (the .mo files are build output, not in git).
RUN python bin/compile_messages.py
# Static files at build time (manifest storage); a throw-away key only for this step.
RUN DEBUG=False SECRET_KEY=build-only-not-secret ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput -v 0

# Never root: a fixed unprivileged user owning only what it must write.
RUN useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin qms \
 && mkdir -p /var/lib/qms/media && chown qms /var/lib/qms/media
USER 10001
ENV DEBUG=False HOST=0.0.0.0 PORT=8000 MEDIA_ROOT=/var/lib/qms/media XDG_CACHE_HOME=/tmp/cache
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
CMD ["gunicorn", "-c", "gunicorn.conf.py", "qms.wsgi"]
