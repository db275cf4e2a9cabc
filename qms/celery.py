"""The Celery app. Configuration comes from Django settings (CELERY_*)."""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings")

app = Celery("qms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The one beat schedule. Each entry says why and when.
app.conf.beat_schedule = {
    # Jobs whose dispatch failed (broker down at request time) stay pending;
    # re-send every pending job older than a minute, every minute.
    "sweep-pending-jobs": {"task": "qms.tasks.sweep_pending_jobs", "schedule": 60.0},
}


@worker_ready.connect
def _sweep_on_start(sender, **kwargs):
    """A worker that starts picks up whatever was requested while none ran."""
    from qms.tasks import sweep_pending_jobs

    sweep_pending_jobs.delay()


__all__ = ["app", "crontab"]
