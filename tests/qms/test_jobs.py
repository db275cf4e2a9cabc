"""Job rows: claiming, failure and retry, broker down, and a real worker on Redis."""

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from qms import jobs
from qms.jobs import JobOutput, job_handler
from qms.models import Job, Notification
from qms.tasks import run_job
from qms.uploads import sha256_of_stored
from tests.celery_utils import publishing_to, real_worker, wait_for_job

CALLS: list[int] = []


@job_handler("test_counting", label="Counting test job")
def _counting(job):
    CALLS.append(job.pk)
    return JobOutput(filename="out.txt", content=b"hello", content_type="text/plain")


@job_handler("test_failing", label="Failing test job")
def _failing(job):
    if job.params.get("fail", True):
        raise ValueError("renderer exploded")
    return JobOutput(filename="ok.txt", content=b"fine", content_type="text/plain")


@pytest.fixture(autouse=True)
def _reset_calls():
    CALLS.clear()


@pytest.mark.django_db
def test_request_job_dispatches_on_commit(staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = jobs.request_job(kind="test_counting", actor=staff)
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == Job.Status.READY  # eager in unit tests
    assert job.sha256 == sha256_of_stored(job.file.name)
    assert CALLS == [job.pk]


@pytest.mark.django_db
def test_running_the_task_twice_does_the_work_once(staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job = jobs.request_job(kind="test_counting", actor=staff)
    assert run_job.apply(kwargs={"job_id": job.pk}).get() == "ready"
    assert run_job.apply(kwargs={"job_id": job.pk}).get() == "skipped"
    assert CALLS == [job.pk]


@pytest.mark.django_db
def test_failed_job_records_error_tells_owner_and_can_be_retried(staff, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.request_job(kind="test_failing", actor=staff)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "renderer exploded" in job.error
    assert Notification.objects.filter(user=staff, title__contains="failed").exists()
    page = client_for(staff).get(job.get_absolute_url())
    assert "renderer exploded" in page.content.decode() and "Retry" in page.content.decode()
    job.params = {"fail": False}
    job.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(staff).post(f"/jobs/{job.public_id}/retry/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == Job.Status.READY and job.error == ""


@pytest.mark.django_db
def test_only_failed_jobs_can_be_retried(staff, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.request_job(kind="test_counting", actor=staff)
    client_for(staff).post(f"/jobs/{job.public_id}/retry/")
    assert CALLS == [job.pk]


@pytest.mark.django_db
def test_job_page_is_private_to_its_owner_and_the_quality_manager(staff, author, quality_manager, client_for):
    job = Job.objects.create(kind="test_counting", requested_by=staff)
    assert client_for(author).get(job.get_absolute_url()).status_code == 404
    assert client_for(quality_manager).get(job.get_absolute_url()).status_code == 200
    assert client_for(staff).get(job.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_broker_down_leaves_job_pending_and_sweep_sends_it_later(staff, django_capture_on_commit_callbacks):
    with publishing_to("redis://127.0.0.1:1/0"), django_capture_on_commit_callbacks(execute=True):
        job = jobs.request_job(kind="test_counting", actor=staff)  # nothing listens on port 1
    job.refresh_from_db()
    assert job.status == Job.Status.PENDING and job.dispatched_at is None
    assert jobs.sweep_pending() == 0  # younger than a minute: left alone
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    assert jobs.sweep_pending() == 1  # broker back (eager here): sent and done
    job.refresh_from_db()
    assert job.status == Job.Status.READY and CALLS == [job.pk]


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_on_redis_runs_an_audit_trail_export(quality_manager):
    from qms.audit import record_event

    record_event(actor=quality_manager, verb="test.marker", comment="seen by the worker")
    with real_worker() as worker:
        job = jobs.request_job(kind="audit_trail_export", actor=quality_manager, params={"fmt": "csv"})
        job = wait_for_job(job, worker)
    assert job.status == Job.Status.READY, job.error
    assert job.dispatched_at is not None
    with default_storage.open(job.file.name, "rb") as fh:
        content = fh.read().decode("utf-8-sig")
    assert "seen by the worker" in content and "Quinn Marsh" in content
    assert job.sha256 == sha256_of_stored(job.file.name)


@pytest.mark.django_db
def test_a_status_that_polls_for_its_page_asks_for_the_page_again_only_once_the_job_has_ended(staff, client_for):
    job = Job.objects.create(kind="test_counting", requested_by=staff)
    c = client_for(staff)
    url = f"/jobs/{job.public_id}/"
    running = c.get(url, {"reload": "1"}, HTTP_HX_REQUEST="true")
    assert running.status_code == 200 and "HX-Refresh" not in running
    assert "?reload=1" in running.content.decode()  # it keeps asking in the same way
    Job.objects.filter(pk=job.pk).update(status=Job.Status.READY)
    assert c.get(url, {"reload": "1"}, HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"
    assert "HX-Refresh" not in c.get(url, HTTP_HX_REQUEST="true")  # a status on its own is swapped in place
