"""The Celery app. Configuration comes from Django settings (CELERY_*)."""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_ready
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings")

app = Celery("qms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The one beat schedule. Each entry says why and when.
app.conf.beat_schedule = {
    # Jobs whose dispatch failed (broker down at request time) stay pending,
    # and a killed worker's job stays running until its lease passes: the
    # sweep re-sends the one and re-queues the other (qms/jobs.py). Every
    # JOB_SWEEP_SECONDS (15 s), so a dead worker's job runs again within
    # lease + 15 s, and a job asked for while Redis was down goes out seconds
    # after it is back.
    "sweep-pending-jobs": {"task": "qms.tasks.sweep_pending_jobs", "schedule": settings.JOB_SWEEP_SECONDS},
    # One reminder e-mail per user with something due (reviews, signatures,
    # acknowledgements, records, audit actions), at 06:00 UTC so it is waiting
    # at the start of the working day. Safe to run twice or from two beats: a
    # unique (user, date) row is claimed before each e-mail (qms/digest.py).
    "daily-digest": {"task": "qms.tasks.send_daily_digests", "schedule": crontab(hour=6, minute=0)},
    # Effective revisions without a stored controlled PDF (approved while no
    # worker ran, or imported) get one at night, so prints and the quality
    # manual build next morning only reuse stored files.
    # Approved revisions with a future effective date become effective on that
    # date (the old revision stays in force until then). Every hour at :05, so a
    # revision takes over in the first hour of its date and a missed run is
    # caught up an hour later.
    "apply-effective-dates": {"task": "documents.tasks.apply_effective_dates", "schedule": crontab(minute=5)},
    # Every stored file is hashed again and compared with the SHA-256 taken
    # when it was stored (ISO 9001 7.5.3.1b); problems go to the quality
    # manager. Weekly, Sunday 03:00 UTC, when nobody waits for the disk.
    "file-integrity": {"task": "qms.tasks.check_file_integrity", "schedule": crontab(hour=3, minute=0, day_of_week=0)},
    # The access review (issue 17, Annex 11 §12): a reminder to the quality manager on the
    # first day of each quarter, 07:00 UTC.
    "access-review-reminder": {"task": "qms.tasks.access_review_reminder",
                               "schedule": crontab(hour=7, minute=0, day_of_month=1, month_of_year="1,4,7,10")},
    "warm-renditions": {"task": "documents.tasks.warm_renditions", "schedule": crontab(hour=2, minute=30)},
    # Computed KPIs (planning) get the value of each period that has just
    # ended, before the 06:00 digest reads what is on target and what is missing.
    "refresh-computed-kpis": {"task": "planning.tasks.refresh_computed_kpis", "schedule": crontab(hour=5, minute=30)},
}


@worker_ready.connect
def _sweep_on_start(sender, **kwargs):
    """A worker that starts picks up whatever was requested while none ran."""
    from qms.tasks import sweep_pending_jobs

    sweep_pending_jobs.delay()


__all__ = ["app", "crontab"]
