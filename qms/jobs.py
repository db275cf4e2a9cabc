"""Background job rows: request, run under a lease, retry, sweep.

A job is a row (pending → running → ready | failed) that the user can watch.
`request_job` creates it and sends its id to Celery after commit; if the
broker is unreachable the row simply stays pending and `sweep_pending` sends
it again later (beat every JOB_SWEEP_SECONDS, and at worker start-up).

Who owns a running job: the attempt. `claim` takes a pending job (or a
running one whose lease has passed), adds one to `attempts` (the attempt
number) and gives it a lease of JOB_LEASE_SECONDS; while the handler runs, a
heartbeat thread renews the lease every JOB_HEARTBEAT_SECONDS. A worker that
is killed stops renewing; once its lease has passed the sweep re-queues the
job and a new attempt runs it (about lease + sweep interval after the kill).
A live worker's job is never taken away: its lease keeps being renewed.

Every later write (progress, heartbeat, ready, failed, back to pending) is
conditional on `attempts` still being this attempt's number and the job still
running, so a late finisher cannot overwrite a newer attempt. The final
"ready" write is retried on transient database errors (a blip at the end of
a long render does not throw the render away), and checks after a lost
answer whether its commit went through after all.

Outputs are stored under the attempt's own name (`attempt_path`); the
attempt that commits "ready" keeps its file and deletes what other attempts
of the job left there, an attempt that lost deletes its own. Handlers that
create permanent records (the quality manual's `ManualBuild`) call
`commit_ready(job, output)` inside the transaction that creates them: the
record and "ready" commit together or not at all, and a losing attempt's
record is rolled back.

Apps register a handler per kind:

    @job_handler("revision_pdf", label="Controlled PDF")
    def render(job) -> JobOutput: ...
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from qms import lifecycle, requestid, stored_text
from qms.errors import DomainError
from qms.models import Job, Notification
from qms.uploads import safe_filename

log = logging.getLogger(__name__)

# Waits between tries of the final "ready" write (about 15 s in all, while
# the heartbeat keeps the lease).
READY_RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)
# A pending job never sent (broker down at request time) is sent by the next
# sweep once it is this old; one sent but still not started after
# REDISPATCH_AFTER is sent again (its message was lost with the broker).
DISPATCH_GRACE = timedelta(seconds=5)
REDISPATCH_AFTER = timedelta(minutes=5)
# Running jobs from before leases existed (no lease_until).
LEGACY_STUCK_AFTER = timedelta(minutes=30)
# A job whose worker died this many times (a render that kills its worker,
# a hard time limit) is marked failed instead of being run again for ever.
MAX_ATTEMPTS = 3
TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)


@dataclass
class JobOutput:
    """A handler's result. Either `content` (stored under the attempt's name
    as the job's file), or `stored_name` + `sha256` of a file the handler
    already stored through the storage API. A stored file under
    `attempt_path(job, ...)` belongs to the attempt (deleted if it loses); any
    other stored file (a controlled rendition) is shared and never deleted
    here: the job only points at it."""

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
    time_limit: int | None = None
    lane: str = "interactive"


HANDLERS: dict[str, _Handler] = {}


class TransientJobError(Exception):
    """Raise from a handler for errors worth retrying (a service briefly away).
    `retry_in` (seconds): when to try again, for a handler with its own backoff."""

    def __init__(self, *args, retry_in: float | None = None):
        super().__init__(*args)
        self.retry_in = retry_in


class AttemptLost(Exception):
    """This attempt no longer owns its job (its lease passed and a newer
    attempt took over, or the job was retried): stop, record nothing."""


LANES = ("interactive", "bulk", "reminders")


def job_handler(kind: str, *, label: str, time_limit: int | None = None, lane: str = "interactive"):
    """Register a handler. `time_limit` (seconds, hard) overrides
    settings.JOB_TIME_LIMITS for this kind. `lane` chooses the queue: "interactive"
    for what a person waits for (a print, a preview), "bulk" for heavy work (the
    manual, packs, exports, imports); settings.JOB_LANES overrides it per kind."""
    if lane not in LANES:
        raise ValueError(f"lane must be one of {LANES}, not {lane!r}")
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout")
    if time_limit and visibility and time_limit >= visibility:
        # Redis would hand the still-running job's message to a second worker.
        raise ImproperlyConfigured(
            f"Job kind {kind!r}: time_limit {time_limit} s must stay under the broker's visibility timeout "
            f"({visibility} s); list the kind in settings.JOB_TIME_LIMITS instead.")

    def register(func):
        HANDLERS[kind] = _Handler(func, label, time_limit, lane)
        return func

    return register


def job_label(kind: str) -> str:
    handler = HANDLERS.get(kind)
    return handler.label if handler else kind.replace("_", " ")


def time_limit_for(kind: str) -> int:
    """Hard time limit of a job kind in seconds; the soft one is 30 s earlier."""
    handler = HANDLERS.get(kind)
    limits = settings.JOB_TIME_LIMITS
    return int((handler and handler.time_limit) or limits.get(kind) or limits["default"])


def lane_for(kind: str) -> str:
    handler = HANDLERS.get(kind)
    return settings.JOB_LANES.get(kind) or (handler.lane if handler else "interactive")


def queue_for(kind: str) -> str:
    """The Celery queue a job of `kind` goes to (settings.JOB_QUEUES names one per lane)."""
    return settings.JOB_QUEUES[lane_for(kind)]


def _lease() -> timedelta:
    return timedelta(seconds=settings.JOB_LEASE_SECONDS)


# ------------------------------------------------------------------ request, dispatch, retry
def _dispatch(job_id: int) -> None:
    """Send the job to the broker; a broker that is down leaves it pending."""
    from qms.tasks import run_job

    kind = Job.objects.filter(pk=job_id).values_list("kind", flat=True).first()
    limit = time_limit_for(kind or "")
    try:
        run_job.apply_async(kwargs={"job_id": job_id}, queue=queue_for(kind or ""), time_limit=limit,
                            soft_time_limit=max(1, limit - 30), headers={"request_id": requestid.current()})
    except Exception as exc:  # noqa: BLE001 - kombu raises several types when the broker is away
        log.warning("job %s not dispatched, left pending for the sweep: %s", job_id, exc)
        return
    Job.objects.filter(pk=job_id).update(dispatched_at=timezone.now())


def request_job(*, kind: str, actor, target=None, params: dict | None = None) -> Job:
    """Create a pending job and send it to a worker once the transaction commits."""
    if kind not in HANDLERS:
        raise DomainError(gettext("Unknown job kind %(kind)s.") % {"kind": repr(kind)})
    job = Job.objects.create(
        kind=kind,
        requested_by=actor if getattr(actor, "pk", None) else None,
        content_type=ContentType.objects.get_for_model(target) if target is not None else None,
        object_id=target.pk if target is not None else None,
        params=params or {},
    )
    transaction.on_commit(partial(_dispatch, job.pk))
    return job


def can_be_retried(job: Job) -> bool:
    """Failed, or running but silent past its lease (its worker is gone)."""
    return job.status == Job.Status.FAILED or job.is_silent


def retry_job(*, job: Job, actor) -> Job:
    """A failed job, or one silent past its lease, goes back to pending and is
    sent again. Conditional: a job that finished or woke up meanwhile is left
    alone (and a late answer from the silent attempt is then refused)."""
    now = timezone.now()
    updated = (
        Job.objects.filter(pk=job.pk)
        .filter(Q(status=Job.Status.FAILED) | Q(status=Job.Status.RUNNING, lease_until__lt=now))
        .update(status=Job.Status.PENDING, error="", error_i18n=None, progress=None, finished_at=None, lease_until=None,
                dispatched_at=None)
    )
    if not updated:
        raise DomainError(gettext("Only a failed job, or one whose worker has gone silent, can be retried."))
    transaction.on_commit(partial(_dispatch, job.pk))
    job.refresh_from_db()
    return job


# ------------------------------------------------------------------ the attempt: claim, heartbeat, conditional writes
def claim(job_id: int) -> Job | None:
    """Take the job for a new attempt: a pending job, or a running one whose
    lease has passed. Returns the job (its `attempts` is this attempt's
    number), or None when someone else has it or it is finished."""
    now = timezone.now()
    with transaction.atomic():
        job = (
            Job.objects.select_for_update()
            .filter(pk=job_id)
            .filter(Q(status=Job.Status.PENDING) | Q(status=Job.Status.RUNNING, lease_until__lt=now))
            .first()
        )
        if job is None:
            return None
        job.status, job.attempts = Job.Status.RUNNING, job.attempts + 1
        job.started_at, job.heartbeat_at, job.lease_until = now, now, now + _lease()
        job.progress = None
        job.save(update_fields=["status", "attempts", "started_at", "heartbeat_at", "lease_until", "progress"])
    job._claimed = True
    return job


def _owned(job: Job):
    """The job's row, while this attempt still owns it."""
    return Job.objects.filter(pk=job.pk, attempts=job.attempts, status=Job.Status.RUNNING)


def heartbeat(job: Job) -> bool:
    """Renew this attempt's lease. False: the attempt has lost the job."""
    now = timezone.now()
    return bool(_owned(job).update(heartbeat_at=now, lease_until=now + _lease()))


class _Heartbeat(threading.Thread):
    """Renews the lease every JOB_HEARTBEAT_SECONDS on its own connection
    while the handler runs; stops when the attempt has lost the job."""

    def __init__(self, job: Job):
        super().__init__(name=f"job-{job.pk}-heartbeat", daemon=True)
        self.job = job
        self.lost = False
        self._stopped = threading.Event()

    def run(self):
        try:
            while not self._stopped.wait(settings.JOB_HEARTBEAT_SECONDS):
                try:
                    if not heartbeat(self.job):
                        self.lost = True
                        return
                except DatabaseError as exc:
                    log.warning("job %s: heartbeat failed, trying again: %s", self.job.pk, exc)
                    _drop_connection()
        finally:
            connection.close()

    def stop(self):
        self._stopped.set()
        self.join(timeout=10)


def set_progress(job: Job, percent: int) -> None:
    """Record progress. An attempt that has lost its job is stopped here
    (AttemptLost), so a superseded render does not run to the end."""
    updated = _owned(job).update(progress=max(0, min(100, int(percent))))
    if not updated and getattr(job, "_claimed", False):
        raise AttemptLost(f"Job {job.pk}: attempt {job.attempts} no longer owns the job.")


def attempt_path(job: Job, filename: str) -> str:
    """Storage name for a file this attempt produces: only the attempt that
    commits "ready" keeps it."""
    return f"{_job_folder(job)}/attempt-{job.attempts}/{safe_filename(filename) or 'output'}"


def _job_folder(job: Job) -> str:
    return f"jobs/{job.public_id}"


def _delete_quietly(name: str) -> None:
    try:
        default_storage.delete(name)
    except OSError as exc:
        log.warning("could not delete %s: %s", name, exc)


def _attempt_files(job: Job) -> dict[str, list[str]]:
    """Files under each attempt's folder of the job: {"attempt-2": [names]}."""
    folder = _job_folder(job)
    try:
        dirs, _ = default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return {}
    out = {}
    for d in dirs:
        try:
            out[d] = [f"{folder}/{d}/{f}" for f in default_storage.listdir(f"{folder}/{d}")[1]]
        except FileNotFoundError:
            continue
    return out


def _delete_attempt_files(job: Job, *, keep_own: bool) -> None:
    """The winner deletes what other attempts left; a loser deletes its own."""
    own = f"attempt-{job.attempts}"
    try:
        for d, names in _attempt_files(job).items():
            if (d == own) != keep_own:
                for name in names:
                    _delete_quietly(name)
    except OSError as exc:
        log.warning("job %s: could not clean attempt files: %s", job.pk, exc)


def _drop_connection() -> None:
    """After a transient database error: reconnect on the next query."""
    if connection.in_atomic_block:
        return
    try:
        connection.close()
    except DatabaseError:
        pass


def _ready_fields(output: JobOutput, *, name: str, sha: str, size: int | None) -> dict:
    return {
        "status": Job.Status.READY,
        "finished_at": timezone.now(),
        "progress": 100,
        "file": name,
        "filename": output.filename,
        "content_type_header": output.content_type,
        "sha256": sha,
        "size": size,
        "error": "",
        "error_i18n": None,
        "lease_until": None,
    }


def _ready_by_this_attempt(job: Job, name: str) -> bool:
    return Job.objects.filter(pk=job.pk, attempts=job.attempts, status=Job.Status.READY, file=name).exists()


def _write_ready(job: Job, fields: dict) -> bool:
    """The conditional "ready" UPDATE, retried on transient database errors.
    True: this attempt won. Raises the last error if the database stays away."""
    for i, delay in enumerate((*READY_RETRY_DELAYS, None)):
        try:
            if i and _ready_by_this_attempt(job, fields["file"]):
                return True  # an earlier try committed, only its answer was lost
            return bool(_owned(job).update(**fields))
        except TRANSIENT_DB_ERRORS as exc:
            if delay is None:
                raise
            log.warning("job %s: final write failed (%s), trying again in %.1f s", job.pk, exc, delay)
            _drop_connection()
            time.sleep(delay)
    return False  # pragma: no cover - the loop returns or raises


def commit_ready(job: Job, output: JobOutput) -> None:
    """For handlers that create permanent records: call inside the
    transaction that creates them, with the file just stored for them
    (`output.stored_name`). Marks the job ready in that same transaction, so
    record and "ready" commit together; if a newer attempt owns the job, the
    file is deleted and AttemptLost rolls the transaction (the record) back.
    Outside a claimed attempt (the builder called directly) it does nothing."""
    if not getattr(job, "_claimed", False):
        return
    if not connection.in_atomic_block:
        raise RuntimeError("commit_ready() belongs inside the transaction that creates the records.")
    job._committing = output
    fields = _ready_fields(output, name=output.stored_name, sha=output.sha256, size=output.size)
    if not _owned(job).update(**fields):
        job._committing = None
        _delete_quietly(output.stored_name)
        raise AttemptLost(f"Job {job.pk}: attempt {job.attempts} was superseded; its build is rolled back.")


def _settle_committing(job: Job) -> bool | None:
    """The handler's transaction around commit_ready() failed with a database
    error: did it commit? True/False, or None when the database cannot say."""
    output = job._committing
    for delay in (*READY_RETRY_DELAYS, None):
        try:
            won = _ready_by_this_attempt(job, output.stored_name)
        except TRANSIENT_DB_ERRORS:
            if delay is None:
                return None
            _drop_connection()
            time.sleep(delay)
            continue
        if not won:
            _delete_quietly(output.stored_name)
        return won
    return None  # pragma: no cover


def _give_back(job: Job) -> None:
    """Transient failure: the job goes back to pending for a retry (if the
    database is away too, the lease runs out and the sweep does it)."""
    try:
        _owned(job).update(status=Job.Status.PENDING, lease_until=None, heartbeat_at=None)
    except DatabaseError as exc:
        log.warning("job %s: could not give the job back (%s); the sweep will", job.pk, exc)
        _drop_connection()


def execute(job_id: int, *, heartbeat: bool = True) -> str:
    """Claim the job, run its handler under a renewed lease, store and record
    its output. Returns the outcome: ready, failed, skipped (someone else has
    it or it is finished), lost (a newer attempt took over) or unsettled (the
    final write could not reach the database; the lease runs out and the
    sweep re-runs the job unless the write went through after all).

    TransientJobError (and transient database errors in the handler)
    propagate, after the job is put back to pending, so the task retries
    with backoff; anything else marks the job failed."""
    job = claim(job_id)
    if job is None:
        return "skipped"
    job._committing = None
    beat = _Heartbeat(job) if heartbeat else None
    if beat:
        beat.start()
    try:
        # The site's language, whoever asked and wherever it runs: a job run in the
        # request's thread (no broker) makes the same stored output as a worker's
        # (a revision's PDF and a digest choose their own: the document's, the recipient's).
        with translation.override(settings.LANGUAGE_CODE):
            return _run_attempt(job)
    finally:
        if beat:
            beat.stop()


def _run_attempt(job: Job) -> str:
    handler = HANDLERS.get(job.kind)
    try:
        if handler is None:
            raise DomainError(stored_text.text(gettext_noop("No handler for job kind %(kind)s."), kind=repr(job.kind)))
        output = handler.func(job)
    except AttemptLost:
        log.warning("job %s: attempt %s was superseded and stopped", job.pk, job.attempts)
        _delete_attempt_files(job, keep_own=False)
        return "lost"
    except (TransientJobError, *TRANSIENT_DB_ERRORS) as exc:
        if job._committing is not None:
            settled = _settle_committing(job)
            if settled:
                _delete_attempt_files(job, keep_own=True)
                return Job.Status.READY
            if settled is None:
                return "unsettled"
        _drop_connection()
        _give_back(job)
        if isinstance(exc, TransientJobError):
            raise
        raise TransientJobError(f"{type(exc).__name__}: {exc}") from exc
    except SoftTimeLimitExceeded:
        limit = time_limit_for(job.kind)
        fail(job, stored_text.text(gettext_noop("The job took longer than its time limit (%(limit)s s) and was stopped."),
                                   limit=limit - 30))
        _delete_attempt_files(job, keep_own=False)
        return Job.Status.FAILED
    except Exception as exc:  # noqa: BLE001 - any failure is shown on the job and to its owner
        log.exception("job %s (%s) failed", job.pk, job.kind)
        fail(job, _error_of(exc))
        _delete_attempt_files(job, keep_own=False)
        return Job.Status.FAILED
    if job._committing is not None:  # the handler committed "ready" with its records
        _delete_attempt_files(job, keep_own=True)
        return Job.Status.READY
    return _finish(job, output)


def _finish(job: Job, output: JobOutput) -> str:
    if output.stored_name:
        name, sha, size = output.stored_name, output.sha256, output.size
        own = name.startswith(_job_folder(job) + "/")
    else:
        try:
            name = default_storage.save(attempt_path(job, output.filename), ContentFile(output.content))
        except OSError as exc:
            _give_back(job)
            raise TransientJobError(gettext_noop("Could not store the output: %(error)s") % {"error": exc}) from exc
        sha, size, own = hashlib.sha256(output.content).hexdigest(), len(output.content), True
    try:
        won = _write_ready(job, _ready_fields(output, name=name, sha=sha, size=size))
    except TRANSIENT_DB_ERRORS as exc:
        # The file stays: the write may have committed. If it did not, the
        # lease runs out, a new attempt runs and the winner deletes this file.
        log.error("job %s: final write failed for good (%s); left to the lease", job.pk, exc)
        _drop_connection()
        return "unsettled"
    if won:
        _delete_attempt_files(job, keep_own=True)
        return Job.Status.READY
    log.warning("job %s: attempt %s finished after a newer attempt took over; its output is dropped", job.pk, job.attempts)
    if own:
        _delete_attempt_files(job, keep_own=False)
    return "lost"


def _error_of(exc: Exception) -> str:
    """What the job page says about a failure: a DomainError's message, written
    for the reader (a stored text when the handler raised one), else the
    exception's class and text (a bug, for the administrator)."""
    if isinstance(exc, DomainError):
        return stored_text.message_of(exc)
    return f"{type(exc).__name__}: {exc}"


def fail(job: Job, error: str) -> None:
    """Mark the job failed (if this attempt still owns it) and tell its owner.
    `error` may be a stored text (qms.stored_text): the page and the
    notification then show it in the reader's language."""
    query = _owned(job) if getattr(job, "_claimed", False) else Job.objects.filter(pk=job.pk)
    if not query.update(status=Job.Status.FAILED, finished_at=timezone.now(), lease_until=None,
                        **stored_text.fields("error", error, limit=4000)):
        return
    if job.requested_by_id:
        title = stored_text.text(gettext_noop("%(job)s failed"), job=stored_text.text(job_label(job.kind)))
        Notification.objects.create(
            user_id=job.requested_by_id,
            url=job.get_absolute_url(),
            **stored_text.fields("title", title, limit=200),
            **stored_text.fields("body", error, limit=500),
        )


# ------------------------------------------------------------------ the sweep
def sweep_pending(*, older_than: timedelta | None = None) -> int:
    """Re-queue running jobs whose lease has passed (their worker is gone),
    and send pending jobs that were never sent (broker down) or whose message
    was lost. Returns the number of jobs sent."""
    now = timezone.now()
    expired = Q(lease_until__lt=now) | Q(lease_until__isnull=True, started_at__lt=now - LEGACY_STUCK_AFTER)
    ids = []
    for job in Job.objects.filter(expired, status=Job.Status.RUNNING).only("pk", "attempts", "kind", "requested_by_id", "public_id")[:500]:
        if job.attempts >= MAX_ATTEMPTS:
            job._claimed = True  # fail() stays conditional on this attempt
            fail(job, stored_text.text(gettext_noop(
                "The worker stopped %(count)s times while running this job; it was not started again. "
                "Retry it, and tell the administrator if it fails again."), count=job.attempts))
            continue
        # Conditional on the attempt: a heartbeat that came in meanwhile wins.
        if Job.objects.filter(expired, pk=job.pk, attempts=job.attempts, status=Job.Status.RUNNING).update(
            status=Job.Status.PENDING, lease_until=None, dispatched_at=None
        ):
            log.warning("job %s: attempt %s silent past its lease, re-queued", job.pk, job.attempts)
            ids.append(job.pk)
    resend = older_than or REDISPATCH_AFTER
    ids += list(
        Job.objects.filter(status=Job.Status.PENDING)
        .filter(Q(dispatched_at__isnull=True, created_at__lt=now - DISPATCH_GRACE) | Q(dispatched_at__lt=now - resend))
        .exclude(pk__in=ids)
        .values_list("pk", flat=True)[:500]
    )
    for job_id in ids:
        _dispatch(job_id)
    return len(ids)


# The job's lifecycle, for its badge and as documentation: the moves themselves are
# conditional UPDATEs above (a claim, a lease expiry, a retry), never a plain save.
JOB = lifecycle.declare(
    Job,
    moves={
        Job.Status.PENDING: {Job.Status.RUNNING},
        Job.Status.RUNNING: {Job.Status.READY, Job.Status.FAILED, Job.Status.PENDING},  # pending: lease expired
        Job.Status.READY: set(),
        Job.Status.FAILED: {Job.Status.PENDING},  # retried by its owner
    },
    colours={Job.Status.PENDING: "secondary", Job.Status.RUNNING: "info", Job.Status.READY: "success",
             Job.Status.FAILED: "danger"},
)
