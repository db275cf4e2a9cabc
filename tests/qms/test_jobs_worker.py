"""Jobs on real workers and a real broker (issue 11 items 7-9 and "keep
holding"): a worker SIGKILLed mid-job, the broker stopped during an approval,
two beats and two workers firing the digest. Lease, heartbeat and sweep are
shortened through the environment so each test takes seconds."""

import signal
import time

import pytest
from django.core.files.storage import default_storage

from qms import jobs
from qms.models import Job
from tests.celery_utils import real_worker, start_celery, stop_process
from tests.qms import job_handlers  # noqa: F401 - registers test_slow here too

FAST = {"JOB_LEASE_SECONDS": "2", "JOB_HEARTBEAT_SECONDS": "0.4", "JOB_SWEEP_SECONDS": "1"}
HANDLERS = ("tests.qms.job_handlers",)


def _wait(predicate, *, timeout, what, procs=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        for p in procs:
            if p.poll() is not None:
                raise AssertionError(f"{what}: a celery process died:\n" + p.stdout.read().decode(errors="replace"))
        time.sleep(0.1)
    for p in procs:
        stop_process(p)
    logs = "\n".join(p.stdout.read().decode(errors="replace")[-3000:] for p in procs)
    rows = list(Job.objects.values("pk", "kind", "status", "attempts", "lease_until", "dispatched_at", "error"))
    raise AssertionError(f"{what}: not within {timeout} s; jobs {rows}\n{logs}")


@pytest.fixture
def reference_data(transactional_db):
    """Role groups and document types (transactional tests flush what migrations seeded)."""
    from tests.documents.factories import TYPES, doc_type
    from tests.factories import ensure_reference_data

    ensure_reference_data()
    for code in TYPES:
        doc_type(code)


def _job_files(job) -> list[str]:
    folder = f"jobs/{job.public_id}"
    names = []
    for d in default_storage.listdir(folder)[0]:
        names += [f"{folder}/{d}/{f}" for f in default_storage.listdir(f"{folder}/{d}")[1]]
    return names


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_sigkilled_worker_job_runs_again_within_seconds_and_ends_with_one_output(staff, tmp_path):
    beat = start_celery("beat", env=FAST, args=["--schedule", str(tmp_path / "beat-schedule")])
    try:
        with real_worker(env=FAST, include=HANDLERS) as first:
            job = jobs.request_job(kind="test_slow", actor=staff, params={"seconds": 4})
            _wait(lambda: Job.objects.filter(pk=job.pk, status="running", progress__gt=0).exists(),
                  timeout=60, what="first attempt running", procs=[first])
            first.send_signal(signal.SIGKILL)
            killed_at = time.monotonic()
            first.wait()
            second = start_celery("worker", env=FAST, include=HANDLERS)  # the supervisor restarts it
            try:
                _wait(lambda: Job.objects.filter(pk=job.pk, status="running", attempts=2).exists(),
                      timeout=60, what="second attempt running", procs=[second, beat])
                running_after = time.monotonic() - killed_at
                _wait(lambda: Job.objects.filter(pk=job.pk, status="ready").exists(),
                      timeout=60, what="job ready", procs=[second, beat])
            finally:
                stop_process(second)
    finally:
        stop_process(beat)
    job.refresh_from_db()
    print(f"kill to running again: {running_after:.1f} s")
    assert running_after < 60, running_after
    assert job.attempts == 2 and job.status == Job.Status.READY
    assert _job_files(job) == [job.file.name]
    with default_storage.open(job.file.name, "rb") as fh:
        assert fh.read() == b"made by attempt 2"


# ------------------------------------------------------------------ keep holding: broker down during an approval
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_redis_stopped_during_an_approval_the_action_succeeds_and_the_pdf_follows(reference_data, author, approver, tmp_path):
    from documents.models import Rendition, Revision
    from tests.celery_utils import PrivateRedis, publishing_to, require_services
    from tests.documents.factories import approve, make_draft, submit

    require_services()
    redis = PrivateRedis()
    redis.start()
    env = {**FAST, "JOB_LEASE_SECONDS": "5"}
    worker = start_celery("worker", broker=redis.url, env=env)
    beat = start_celery("beat", broker=redis.url, env=env, args=["--schedule", str(tmp_path / "beat-schedule")])
    try:
        revision = make_draft(author).latest_revision
        submit(author, revision, [approver])
        redis.stop()  # the broker goes away
        with publishing_to(redis.url):
            approve(approver, revision)  # the approval itself must not fail
        revision.refresh_from_db()
        assert revision.status in (Revision.Status.APPROVED, Revision.Status.EFFECTIVE)
        job = Job.objects.get(kind="revision_rendition", object_id=revision.pk)
        assert job.status == Job.Status.PENDING and job.dispatched_at is None

        redis.start()  # back, on the same port
        back = time.monotonic()
        _wait(lambda: Job.objects.filter(pk=job.pk, status__in=["ready", "failed"]).exists(),
              timeout=60, what="PDF after the broker returned", procs=[worker, beat])
        print(f"broker back to PDF ready: {time.monotonic() - back:.1f} s")
    finally:
        stop_process(beat)
        stop_process(worker)
        redis.stop()
    job.refresh_from_db()
    assert job.status == Job.Status.READY, job.error
    assert Rendition.objects.filter(revision=revision).count() == 1


# ------------------------------------------------------------------ keep holding: two beats, two workers, one digest
def _beat_schedule_with_digest_due(path) -> None:
    """A beat schedule file whose daily digest last ran two days ago: a beat
    started on it fires the digest at once, as at 06:00."""
    from datetime import timedelta

    from celery.beat import PersistentScheduler
    from django.utils import timezone

    from qms.celery import app

    scheduler = PersistentScheduler(app=app, schedule_filename=str(path))
    scheduler.schedule["daily-digest"].last_run_at = timezone.now() - timedelta(days=2)
    scheduler.sync()
    scheduler.close()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_two_beats_and_two_workers_send_one_digest_per_user_per_day(reference_data, author, approver, quality_manager,
                                                                   tmp_path):
    import email
    import shutil

    from qms.models import DigestLog
    from tests.celery_utils import require_services
    from tests.documents.factories import make_draft, submit

    require_services()
    revision = make_draft(author).latest_revision
    submit(author, revision, [approver, quality_manager])  # both have a signature waiting: both get a digest
    mails = tmp_path / "mails"
    mails.mkdir()
    env = {"QMS_TEST_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
           "QMS_TEST_EMAIL_DIR": str(mails)}
    schedules = []
    for name in ("beat-a", "beat-b"):
        (tmp_path / name).mkdir()
        schedules.append(tmp_path / name / "schedule")
    _beat_schedule_with_digest_due(schedules[0])
    for suffix in ("", ".db", ".dat", ".dir", ".bak"):  # whichever files dbm made
        if (schedules[0].parent / f"schedule{suffix}").exists():
            shutil.copy(schedules[0].parent / f"schedule{suffix}", schedules[1].parent / f"schedule{suffix}")
    workers = [start_celery("worker", env=env, args=["--loglevel=info", "-n", f"w{i}@%h"]) for i in (1, 2)]
    beats = [start_celery("beat", env=env, args=["--schedule", str(s)]) for s in schedules]
    try:
        _wait(lambda: DigestLog.objects.filter(status="sent").count() >= 2, timeout=60, what="digests sent",
              procs=workers + beats)
        time.sleep(3)  # let the second beat's run finish too
    finally:
        for p in beats + workers:
            stop_process(p)
    logs = "".join(w.stdout.read().decode(errors="replace") for w in workers)
    assert logs.count("qms.tasks.send_daily_digests[") >= 4, logs[-3000:]  # two runs, each received and done
    recipients = []
    for f in mails.iterdir():
        for raw in f.read_text().split("-" * 79):
            if raw.strip():
                recipients.append(email.message_from_string(raw.strip())["To"])
    assert sorted(recipients) == sorted([approver.email, quality_manager.email])
    assert DigestLog.objects.count() == 2
