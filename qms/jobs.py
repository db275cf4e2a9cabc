"""Background job rows: request, run, retry, sweep.

A job is a row (pending → running → ready | failed) that the user can watch.
`request_job` creates it and sends its id to Celery after commit; if the
broker is unreachable the row simply stays pending and `sweep_pending` sends
it again later (beat every minute, and at worker start-up). `run_job` claims
the row with a conditional UPDATE, so two workers never do the same job.

Apps register a handler per kind:

    @job_handler("revision_pdf", label="Controlled PDF")
    def render(job) -> JobOutput: ...
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from qms.errors import DomainError
from qms.models import Job, Notification

log = logging.getLogger(__name__)


@dataclass
class JobOutput:
    """A handler's result. Either `content` (stored as the job's file), or
    `stored_name` + `sha256` of a file the handler already stored through the
    storage API (a controlled rendition, a manual build): the job then points
    at that file instead of keeping a second copy."""

    filename: str
    content: bytes = b""
    content_type: str = "application/octet-stream"
    stored_name: str = ""
    sha256: str = ""
    size: int | None = None


@dataclass
class _Handler:
    func: Callable[[Job], JobOutput]
    label: str


HANDLERS: dict[str, _Handler] = {}


class TransientJobError(Exception):
    """Raise from a handler for errors worth retrying (a service briefly away)."""


def job_handler(kind: str, *, label: str):
    def register(func):
        HANDLERS[kind] = _Handler(func, label)
        return func

    return register


def job_label(kind: str) -> str:
    handler = HANDLERS.get(kind)
    return handler.label if handler else kind.replace("_", " ")


def _dispatch(job_id: int) -> None:
    """Send the job to the broker; a broker that is down leaves it pending."""
    from qms.tasks import run_job

    try:
        run_job.delay(job_id=job_id)
    except Exception as exc:  # noqa: BLE001 - kombu raises several types when the broker is away
        log.warning("job %s not dispatched, left pending for the sweep: %s", job_id, exc)
        return
    Job.objects.filter(pk=job_id).update(dispatched_at=timezone.now())


def request_job(*, kind: str, actor, target=None, params: dict | None = None) -> Job:
    """Create a pending job and send it to a worker once the transaction commits."""
    if kind not in HANDLERS:
        raise DomainError(f"Unknown job kind {kind!r}.")
    job = Job.objects.create(
        kind=kind,
        requested_by=actor if getattr(actor, "pk", None) else None,
        content_type=ContentType.objects.get_for_model(target) if target is not None else None,
        object_id=target.pk if target is not None else None,
        params=params or {},
    )
    transaction.on_commit(partial(_dispatch, job.pk))
    return job


def retry_job(*, job: Job, actor) -> Job:
    """A failed job goes back to pending and is sent again."""
    updated = Job.objects.filter(pk=job.pk, status=Job.Status.FAILED).update(
        status=Job.Status.PENDING, error="", progress=None, finished_at=None
    )
    if not updated:
        raise DomainError("Only a failed job can be retried.")
    transaction.on_commit(partial(_dispatch, job.pk))
    job.refresh_from_db()
    return job


def claim(job_id: int) -> bool:
    """Conditional UPDATE pending → running: 1 row means this worker owns it."""
    now = timezone.now()
    return bool(
        Job.objects.filter(pk=job_id, status=Job.Status.PENDING).update(
            status=Job.Status.RUNNING, started_at=now, attempts=F("attempts") + 1
        )
    )


def set_progress(job: Job, percent: int) -> None:
    Job.objects.filter(pk=job.pk).update(progress=max(0, min(100, int(percent))))


def execute(job_id: int) -> str:
    """Run a claimed job's handler and store its output. Returns the final status.

    TransientJobError propagates (after the job is put back to pending) so the
    task can retry with backoff; anything else marks the job failed.
    """
    if not claim(job_id):
        return "skipped"
    job = Job.objects.get(pk=job_id)
    handler = HANDLERS.get(job.kind)
    try:
        if handler is None:
            raise DomainError(f"No handler for job kind {job.kind!r}.")
        output = handler.func(job)
    except TransientJobError:
        Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(status=Job.Status.PENDING)
        raise
    except Exception as exc:  # noqa: BLE001 - any failure is shown on the job and to its owner
        log.exception("job %s (%s) failed", job_id, job.kind)
        fail(job, f"{type(exc).__name__}: {exc}")
        return Job.Status.FAILED
    if output.stored_name:
        name, sha, size = output.stored_name, output.sha256, output.size
    else:
        job.file.save(output.filename, ContentFile(output.content), save=False)
        name, sha, size = job.file.name, hashlib.sha256(output.content).hexdigest(), len(output.content)
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.READY,
        finished_at=timezone.now(),
        progress=100,
        file=name,
        filename=output.filename,
        content_type_header=output.content_type,
        sha256=sha,
        size=size,
        error="",
    )
    return Job.Status.READY


def fail(job: Job, error: str) -> None:
    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, finished_at=timezone.now(), error=error[:4000])
    if job.requested_by_id:
        Notification.objects.create(
            user_id=job.requested_by_id,
            title=f"{job_label(job.kind)} failed",
            body=error[:500],
            url=job.get_absolute_url(),
        )


def sweep_pending(*, older_than: timedelta = timedelta(minutes=1), stuck_after: timedelta = timedelta(minutes=30)) -> int:
    """Re-send pending jobs older than a minute; free jobs stuck running (a dead worker)."""
    now = timezone.now()
    Job.objects.filter(status=Job.Status.RUNNING, started_at__lt=now - stuck_after).update(status=Job.Status.PENDING)
    ids = list(
        Job.objects.filter(status=Job.Status.PENDING)
        .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=now - older_than))
        .filter(created_at__lt=now - older_than)
        .values_list("pk", flat=True)[:500]
    )
    for job_id in ids:
        _dispatch(job_id)
    return len(ids)
