"""Job leases (issue 11 items 7-9): a live attempt keeps its job, an expired
lease hands it to a new attempt, a late finisher cannot overwrite the newer
attempt, the final "ready" write survives a database blip, and only the
winning attempt's output (file, manual build) is kept.

Database failures are real: the test's own PostgreSQL connection is
terminated (pg_terminate_backend from a second connection) just before the
write, through a `connection.execute_wrapper`."""

import contextlib
import threading
import time
from datetime import timedelta

import psycopg2
import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

from documents import manual
from documents.models import ManualBuild
from qms import jobs
from qms.celery import app
from qms.jobs import JobOutput, job_handler
from qms.models import Job
from qms.tasks import run_job
from qms.uploads import sha256_of_stored
from tests import pdf_helpers as h
from tests.qms import job_handlers  # noqa: F401 - registers test_slow

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="terminates real PostgreSQL connections")


def _job_files(job) -> list[str]:
    folder = f"jobs/{job.public_id}"
    try:  # a folder is no object in S3 (exists() is False there): list it, on any storage
        attempts = default_storage.listdir(folder)[0]
    except FileNotFoundError:
        return []
    names = []
    for d in attempts:
        names += [f"{folder}/{d}/{f}" for f in default_storage.listdir(f"{folder}/{d}")[1]]
    return sorted(names)


def _other_connection():
    s = connection.settings_dict
    conn = psycopg2.connect(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"], dbname=s["NAME"])
    conn.autocommit = True
    return conn


def _terminate(pid: int) -> None:
    with contextlib.closing(_other_connection()) as other, other.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(100):  # wait until the backend is really gone
            cur.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
            if cur.fetchone() is None:
                return
            time.sleep(0.02)


@contextlib.contextmanager
def connection_killed_before(match, *, times=1):
    """Terminate this process's database connection just before the next
    `times` statements for which match(sql, params) is true."""
    state = {"left": times, "killed": 0}

    def wrapper(execute, sql, params, many, context):
        if state["left"] and match(sql, params):
            state["left"] -= 1
            state["killed"] += 1
            _terminate(context["connection"].connection.get_backend_pid())
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield state


def _is_ready_write(sql, params):
    return sql.startswith('UPDATE "qms_job" SET "status"') and "ready" in (params or ())


OVERTAKEN: list[int] = []


@job_handler("test_overtaken", label="Overtaken test job")
def _overtaken(job):
    """Attempt 1 goes silent past its lease; the sweep hands the job to
    attempt 2, which finishes; then attempt 1 finishes too, late."""
    OVERTAKEN.append(job.attempts)
    if job.attempts == 1:
        Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
        assert jobs.sweep_pending() == 1  # eager here: attempt 2 runs to the end inside this call
    return JobOutput(filename="out.txt", content=f"attempt {job.attempts}".encode(), content_type="text/plain")


@job_handler("test_simple", label="Simple test job")
def _simple(job):
    return JobOutput(filename="simple.txt", content=b"simple", content_type="text/plain")


def _unsent(kind, user, params=None):
    """A committed pending job that nothing has sent yet (we run it by hand)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(jobs, "_dispatch", lambda job_id: None)
        return jobs.request_job(kind=kind, actor=user, params=params)


def _pending(kind, user, django_capture_on_commit_callbacks, params=None):
    with django_capture_on_commit_callbacks(execute=False):
        return jobs.request_job(kind=kind, actor=user, params=params)


# ------------------------------------------------------------------ claim and lease
@pytest.mark.django_db
def test_claim_takes_the_job_once_and_gives_it_a_lease(staff, settings, django_capture_on_commit_callbacks):
    settings.JOB_LEASE_SECONDS = 30
    job = _pending("test_simple", staff, django_capture_on_commit_callbacks)
    first = jobs.claim(job.pk)
    assert first.attempts == 1 and first.status == Job.Status.RUNNING
    assert timedelta(seconds=25) < first.lease_until - timezone.now() <= timedelta(seconds=30)
    assert jobs.claim(job.pk) is None  # its lease is live: nobody else gets it
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    second = jobs.claim(job.pk)
    assert second.attempts == 2
    assert not jobs.heartbeat(first) and jobs.heartbeat(second)  # only the owner renews


@pytest.mark.django_db
def test_sweep_leaves_a_long_running_live_job_alone_and_requeues_an_expired_one(staff, django_capture_on_commit_callbacks):
    """The old rule reset any job running for 30 minutes, live or not."""
    job = _pending("test_simple", staff, django_capture_on_commit_callbacks)
    attempt = jobs.claim(job.pk)
    Job.objects.filter(pk=job.pk).update(started_at=timezone.now() - timedelta(hours=2))
    assert jobs.heartbeat(attempt)
    assert jobs.sweep_pending() == 0
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and job.attempts == 1

    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert jobs.sweep_pending() == 1  # re-queued and (eager) run by attempt 2
    job.refresh_from_db()
    assert job.status == Job.Status.READY and job.attempts == 2
    assert job.file.name.startswith(f"jobs/{job.public_id}/attempt-2/")
    # attempt 1 is still "running" somewhere: its late writes change nothing
    jobs.fail(attempt, "late failure")
    job.refresh_from_db()
    assert job.status == Job.Status.READY and job.error == ""


@pytest.mark.django_db
def test_late_finisher_cannot_overwrite_the_newer_attempt_and_its_file_is_deleted(staff, django_capture_on_commit_callbacks):
    OVERTAKEN.clear()
    job = _pending("test_overtaken", staff, django_capture_on_commit_callbacks)
    assert run_job.apply(kwargs={"job_id": job.pk}).get() == "lost"
    assert OVERTAKEN == [1, 2]
    job.refresh_from_db()
    assert job.status == Job.Status.READY and job.attempts == 2
    with default_storage.open(job.file.name, "rb") as fh:
        assert fh.read() == b"attempt 2"
    assert _job_files(job) == [job.file.name]  # attempt 1's file was deleted
    assert job.sha256 == sha256_of_stored(job.file.name)


@pytest.mark.django_db
def test_a_superseded_attempt_is_stopped_at_its_next_progress_report(staff, django_capture_on_commit_callbacks):
    job = _pending("test_slow", staff, django_capture_on_commit_callbacks, params={"seconds": 0.4})
    attempt = jobs.claim(job.pk)
    Job.objects.filter(pk=job.pk).update(attempts=2)  # a newer attempt took over
    with pytest.raises(jobs.AttemptLost):
        jobs.set_progress(attempt, 10)


# ------------------------------------------------------------------ the final write
@pytest.mark.django_db(transaction=True)
def test_database_blip_on_the_final_write_is_retried_and_the_job_ends_ready(staff, monkeypatch):
    monkeypatch.setattr(jobs, "READY_RETRY_DELAYS", (0.1, 0.1, 0.1))
    job = _unsent("test_simple", staff)
    with connection_killed_before(_is_ready_write, times=2) as killed:
        outcome = run_job.apply(kwargs={"job_id": job.pk}).get()
    assert killed["killed"] == 2 and outcome == "ready"
    job.refresh_from_db()
    assert job.status == Job.Status.READY and job.attempts == 1
    assert job.sha256 == sha256_of_stored(job.file.name)
    assert len([f for f in _job_files(job) if "attempt-1" in f]) == 1


@pytest.mark.django_db(transaction=True)
def test_database_away_for_the_whole_final_write_leaves_it_to_the_lease_and_no_orphan(staff, monkeypatch):
    monkeypatch.setattr(jobs, "READY_RETRY_DELAYS", (0.05,))
    job = _unsent("test_simple", staff)
    with connection_killed_before(_is_ready_write, times=2):
        assert jobs.execute(job.pk, heartbeat=False) == "unsettled"
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and len(_job_files(job)) == 1  # its file may have been recorded
    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert jobs.sweep_pending() == 1  # a new attempt (eager) runs it
    job.refresh_from_db()
    assert job.status == Job.Status.READY and job.attempts == 2
    assert _job_files(job) == [job.file.name]  # attempt 1's unrecorded file is gone


# ------------------------------------------------------------------ builds with permanent records
@pytest.fixture
def one_effective_document(author):
    doc = h.document(owner=author, number="SOP-QA-001", title="Document control")
    return h.revision(doc, content=h.long_markdown(3))


def _manual_files() -> list[str]:
    return default_storage.listdir("manual")[1] if default_storage.exists("manual") else []


@pytest.mark.django_db(transaction=True)
def test_superseded_manual_build_is_rolled_back_with_its_file(one_effective_document, quality_manager):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(jobs, "_dispatch", lambda job_id: None)  # we run it by hand
        job = manual.request_manual_build(actor=quality_manager)
    files_before = set(_manual_files())

    def takeover(sql, params):
        # Just before the build row is written, another attempt takes the job
        # over, on its own connection (committed).
        if sql.startswith('INSERT INTO "documents_manualbuild"'):
            with contextlib.closing(_other_connection()) as other, other.cursor() as cur:
                cur.execute("UPDATE qms_job SET attempts = attempts + 1 WHERE id = %s", [job.pk])
        return False

    with connection_killed_before(takeover):
        assert jobs.execute(job.pk, heartbeat=False) == "lost"
    assert ManualBuild.objects.count() == 0
    assert set(_manual_files()) == files_before  # the build's PDF was deleted too


@pytest.mark.django_db(transaction=True)
def test_manual_build_and_ready_commit_together(one_effective_document, quality_manager):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(jobs, "_dispatch", lambda job_id: None)  # we run it by hand
        job = manual.request_manual_build(actor=quality_manager)
    assert jobs.execute(job.pk, heartbeat=False) == "ready"
    job.refresh_from_db()
    build = ManualBuild.objects.get()
    assert job.file.name == build.file.name and job.sha256 == build.sha256
    assert jobs.execute(job.pk, heartbeat=False) == "skipped"
    assert ManualBuild.objects.count() == 1


# ------------------------------------------------------------------ heartbeat thread
@pytest.mark.django_db(transaction=True)
def test_heartbeat_renews_the_lease_while_the_handler_runs(staff, settings):
    settings.JOB_LEASE_SECONDS = 0.6
    settings.JOB_HEARTBEAT_SECONDS = 0.1
    job = _unsent("test_slow", staff, params={"seconds": 2})
    seen = {}

    def sweep_midway():
        time.sleep(1.2)  # twice the lease: without a heartbeat it would have passed
        seen["swept"] = jobs.sweep_pending()
        seen["row"] = Job.objects.values("status", "attempts", "heartbeat_at", "started_at").get(pk=job.pk)
        connection.close()

    t = threading.Thread(target=sweep_midway)
    t.start()
    assert jobs.execute(job.pk, heartbeat=True) == "ready"
    t.join()
    assert seen["swept"] == 0
    assert seen["row"]["status"] == "running" and seen["row"]["attempts"] == 1
    assert seen["row"]["heartbeat_at"] > seen["row"]["started_at"] + timedelta(seconds=0.8)


# ------------------------------------------------------------------ the job page, limits, settings
@pytest.mark.django_db
def test_job_page_offers_retry_once_the_job_is_silent_past_its_lease(staff, client_for, django_capture_on_commit_callbacks):
    job = _pending("test_simple", staff, django_capture_on_commit_callbacks)
    jobs.claim(job.pk)
    c = client_for(staff)
    assert "Retry" not in c.get(job.get_absolute_url()).content.decode()  # live: no retry
    assert c.post(f"/jobs/{job.public_id}/retry/").status_code == 302
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and job.attempts == 1  # refused, nothing changed

    Job.objects.filter(pk=job.pk).update(lease_until=timezone.now() - timedelta(seconds=5))
    page = c.get(job.get_absolute_url()).content.decode()
    assert "No word from the worker" in page and "Retry" in page
    with django_capture_on_commit_callbacks(execute=True):
        assert c.post(f"/jobs/{job.public_id}/retry/").status_code == 302
    job.refresh_from_db()
    assert job.status == Job.Status.READY and job.attempts == 2


@pytest.mark.django_db
def test_soft_time_limit_marks_the_job_failed_with_a_reason(staff, django_capture_on_commit_callbacks):
    from celery.exceptions import SoftTimeLimitExceeded

    @job_handler("test_too_slow", label="Too slow")
    def too_slow(job):
        raise SoftTimeLimitExceeded()

    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.request_job(kind="test_too_slow", actor=staff)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "time limit" in job.error


def test_broker_settings_bring_lost_work_back():
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    longest = max(jobs.time_limit_for(kind) for kind in jobs.HANDLERS)
    assert app.conf.broker_transport_options["visibility_timeout"] > longest
    assert jobs.time_limit_for("quality_manual") > jobs.time_limit_for("record_pdf")
    sweep = app.conf.beat_schedule["sweep-pending-jobs"]["schedule"]
    from django.conf import settings

    assert settings.JOB_LEASE_SECONDS + sweep <= 60  # a dead worker's job runs again within a minute


@pytest.mark.django_db
def test_a_job_whose_worker_keeps_dying_is_failed_not_rerun_for_ever(staff, django_capture_on_commit_callbacks):
    from qms.models import Notification

    job = _pending("test_simple", staff, django_capture_on_commit_callbacks)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, attempts=jobs.MAX_ATTEMPTS,
                                         lease_until=timezone.now() - timedelta(seconds=1))
    assert jobs.sweep_pending() == 0
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "stopped 3 times" in job.error
    assert Notification.objects.filter(user=staff, title__contains="failed").exists()
    assert jobs.can_be_retried(job)  # the requester can still send it again by hand


def test_a_handler_may_not_outlast_the_brokers_visibility_timeout():
    from django.core.exceptions import ImproperlyConfigured

    visibility = app.conf.broker_transport_options["visibility_timeout"]
    with pytest.raises(ImproperlyConfigured, match="visibility timeout"):
        job_handler("test_too_long", label="Too long", time_limit=visibility)
    assert "test_too_long" not in jobs.HANDLERS
