"""Core Celery tasks. Thin: ids in, the work lives in qms.jobs."""

from celery import shared_task

from qms import jobs, requestid


@shared_task(bind=True, max_retries=5, acks_late=True)
def run_job(self, *, job_id: int) -> str:
    # The id of the request that asked for the job, on the worker's log lines too.
    rid = getattr(self.request, "request_id", None) or (self.request.headers or {}).get("request_id")
    token = requestid.bind(rid) if rid else None
    try:
        # Eager (no broker): the job runs inside the caller, no worker to lose.
        return jobs.execute(job_id, heartbeat=not self.request.is_eager)
    except jobs.TransientJobError as exc:
        # 2, 4, 8, 16, 32 s: a briefly unavailable service gets time to return
        # (or the handler's own wait); after that the sweep sends the pending job again.
        countdown = exc.retry_in if exc.retry_in is not None else 2 ** (self.request.retries + 1)
        raise self.retry(exc=exc, countdown=countdown) from exc
    finally:
        if token is not None:
            requestid._current.reset(token)


@shared_task
def sweep_pending_jobs() -> int:
    return jobs.sweep_pending()


@shared_task
def send_daily_digests() -> int:
    """The daily reminder digest (qms.digest): one e-mail per user and day."""
    from qms import digest

    return digest.send_daily_digests().sent


@shared_task
def check_file_integrity() -> int:
    """Weekly: re-hash every stored file; returns the number of problems found."""
    from qms.integrity import check_files

    return len(check_files().problems)


@shared_task
def access_review_reminder() -> int:
    """Quarterly: remind the quality manager to review who has access (qms.access_review)."""
    from django.conf import settings

    from qms import access_review

    return access_review.remind() if settings.ACCESS_REVIEW_REMINDER else 0
