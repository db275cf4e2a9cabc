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
