"""Job kinds for the lease tests. The real-worker tests start their worker
with `--include tests.qms.job_handlers`, so the worker knows them too."""

import time

from qms.jobs import JobOutput, job_handler, set_progress


@job_handler("test_slow", label="Slow test job")
def slow(job) -> JobOutput:
    """Works `params["seconds"]` in small steps, reporting progress (which
    also stops a superseded attempt); the output names its attempt."""
    seconds = float(job.params.get("seconds", 1))
    steps = max(1, int(seconds / 0.2))
    for i in range(steps):
        time.sleep(seconds / steps)
        set_progress(job, 100 * (i + 1) // (steps + 1))
    return JobOutput(filename="slow.txt", content=f"made by attempt {job.attempts}".encode(), content_type="text/plain")


@job_handler("test_bulk", label="Heavy test job", lane="bulk")
def heavy(job) -> JobOutput:
    return JobOutput(filename="heavy.txt", content=b"heavy work done", content_type="text/plain")


@job_handler("test_request_id", label="Request id test job")
def request_id(job) -> JobOutput:
    from qms import requestid

    return JobOutput(filename="rid.txt", content=requestid.current().encode(), content_type="text/plain")
