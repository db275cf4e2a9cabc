"""Queues per job kind (issue 21): what a person waits for goes to the
interactive queue, heavy work to the bulk queue, beat's reminders to their own;
a worker that serves only the interactive queue never picks up a manual."""

import pytest
from django.conf import settings
from django.test import override_settings

from qms import jobs
from qms.models import Job
from tests.celery_utils import (
    BROKER,
    publishing_to,
    require_services,
    start_celery,
    stop_process,
    wait_for_job,
)
from tests.qms import job_handlers  # noqa: F401 - registers test_slow and test_bulk here too

HANDLERS = ("tests.qms.job_handlers",)


def test_each_kind_has_its_lane_and_queue():
    assert jobs.lane_for("quality_manual") == "bulk" and jobs.lane_for("evidence_pack") == "bulk"
    assert jobs.lane_for("revision_pdf") == "interactive" and jobs.lane_for("record_pdf") == "interactive"
    assert jobs.queue_for("quality_manual") == settings.JOB_QUEUES["bulk"] != settings.JOB_QUEUES["interactive"]
    assert len(set(settings.JOB_QUEUES.values())) == 3
    with override_settings(JOB_LANES={"record_pdf": "bulk"}):
        assert jobs.queue_for("record_pdf") == settings.JOB_QUEUES["bulk"]
    with pytest.raises(ValueError):
        jobs.job_handler("test_nowhere", label="x", lane="fast")


def test_beat_tasks_are_routed_to_their_queues():
    from qms.celery import app

    router = app.amqp.router
    route = router.route({}, "qms.tasks.send_daily_digests")
    assert route["queue"].name == settings.JOB_QUEUES["reminders"]
    assert router.route({}, "documents.tasks.apply_effective_dates")["queue"].name == settings.JOB_QUEUES["reminders"]
    assert router.route({}, "qms.tasks.check_file_integrity")["queue"].name == settings.JOB_QUEUES["bulk"]


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_an_interactive_worker_leaves_bulk_work_to_the_bulk_worker(staff):
    require_services()
    interactive = start_celery("worker", include=HANDLERS, queues=[settings.JOB_QUEUES["interactive"]])
    bulk = None
    try:
        with publishing_to(BROKER):
            heavy = jobs.request_job(kind="test_bulk", actor=staff)
            quick = jobs.request_job(kind="test_slow", actor=staff, params={"seconds": 0.2})
            assert wait_for_job(quick, interactive).status == Job.Status.READY
            heavy.refresh_from_db()
            assert heavy.status == Job.Status.PENDING and heavy.dispatched_at is not None  # queued, waiting
            bulk = start_celery("worker", include=HANDLERS, queues=[settings.JOB_QUEUES["bulk"]])
            assert wait_for_job(heavy, bulk).status == Job.Status.READY
    finally:
        stop_process(interactive)
        if bulk is not None:
            stop_process(bulk)
