"""Job recovery on a real worker (`make bench ONLY=jobs`; needs PostgreSQL and
CELERY_BROKER_URL pointing at Redis).

A quality-manual build of 20 documents is requested; while its worker is
rendering, the worker is SIGKILLed (the whole process, as the OOM killer or
a lost machine would) and started again at once, as a supervisor would. Beat
runs with the production sweep interval and the production lease.

- jobs.kill_to_running_s: SIGKILL until a new attempt runs the job (target ≤ 60)
- jobs.kill_to_ready_s: SIGKILL until the job is ready
- jobs.duplicate_outputs: files or builds made by attempts that did not win
  (extra manual builds, extra manual files, files left in the job's attempt
  folders, extra renditions of one revision; target 0)
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from django.db import connection
from django.test.utils import override_settings

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = 20


def run(emit) -> None:
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith("redis") or connection.vendor != "postgresql":
        print("jobs: skipped (needs PostgreSQL and CELERY_BROKER_URL on Redis)", file=sys.stderr)
        return
    media = tempfile.mkdtemp(prefix="qms-bench-jobs-")
    try:
        with override_settings(MEDIA_ROOT=media):
            _run(emit, broker, media)
    finally:
        shutil.rmtree(media, ignore_errors=True)


def _celery(role: str, env: dict, queue: str, schedule: str):
    args = [sys.executable, "-m", "celery", "-A", "qms", role, "--loglevel=warning"]
    if role == "worker":
        args += ["--pool=solo", "-Q", queue, "--without-gossip", "--without-mingle", "--without-heartbeat"]
    else:
        args += ["--schedule", schedule]
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait(predicate, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    raise RuntimeError("jobs bench: timed out")


def _seed():
    from django.contrib.auth.models import Group

    from bench.pdf import _paragraphs, _types
    from documents.models import Document, Revision
    from qms.models import Department, User
    from qms.permissions import Role

    qm = User.objects.create_user("bench-qm", email="qm@example.com", password="x", full_name="Bench Manager")
    qm.groups.set(Group.objects.filter(name=Role.QUALITY_MANAGER))
    dept, _ = Department.objects.get_or_create(code="QA", defaults={"name": "Quality Assurance"})
    types = _types()
    for i in range(DOCUMENTS):
        doc_type = types[i % len(types)]
        doc = Document.objects.create(number=f"{doc_type.code}-QA-{i:03d}", title=f"Controlled document {i}",
                                      doc_type=doc_type, owner=qm, department=dept)
        Revision.objects.create(document=doc, seq=1, label="00", status="effective", content=_paragraphs(30),
                                created_by=qm, effective_date=date(2026, 1, 1))
    return qm


def _duplicates(job, media: str) -> int:
    from django.db.models import Count

    from documents.models import ManualBuild, Rendition

    builds = ManualBuild.objects.count()
    manual_dir = Path(media) / "manual"
    manual_files = len(list(manual_dir.iterdir())) if manual_dir.exists() else 0
    attempt_dir = Path(media) / "jobs" / str(job.public_id)
    attempt_files = len([p for p in attempt_dir.rglob("*") if p.is_file()]) if attempt_dir.exists() else 0
    extra_renditions = sum(
        r["n"] - 1 for r in Rendition.objects.values("revision_id", "fingerprint").annotate(n=Count("id")) if r["n"] > 1
    )
    return max(0, builds - 1) + max(0, manual_files - 1) + attempt_files + extra_renditions


def _run(emit, broker: str, media: str) -> None:
    from bench.common import fresh_database
    from documents import manual
    from qms.celery import app
    from qms.models import Job

    fresh_database()
    qm = _seed()
    queue = f"qms-bench-jobs-{os.getpid()}"
    s = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "qms.settings_bench",
        "QMS_BENCH_CELERY_EAGER": "0",
        "DATABASE_URL": f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}",
        "CELERY_BROKER_URL": broker,
        "CELERY_QUEUE": queue,
        "MEDIA_ROOT": media,
    }
    schedule = str(Path(media) / "beat-schedule")
    app.conf.task_always_eager = False
    app.conf.broker_url = broker
    app.conf.task_default_queue = queue
    beat = _celery("beat", env, queue, schedule)
    worker = _celery("worker", env, queue, schedule)
    restarted = None
    try:
        job = manual.request_manual_build(actor=qm)
        _wait(lambda: Job.objects.filter(pk=job.pk, status="running", progress__gt=0).exists(), 300)
        worker.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        worker.wait()
        restarted = _celery("worker", env, queue, schedule)
        _wait(lambda: Job.objects.filter(pk=job.pk, status="running", attempts__gte=2).exists()
              or Job.objects.filter(pk=job.pk, status="ready").exists(), 300)
        emit("jobs.kill_to_running_s", time.monotonic() - killed, "s")
        _wait(lambda: Job.objects.filter(pk=job.pk, status__in=["ready", "failed"]).exists(), 600)
        emit("jobs.kill_to_ready_s", time.monotonic() - killed, "s")
        job.refresh_from_db()
        if job.status != "ready":
            print(f"jobs: the job failed: {job.error}", file=sys.stderr)
        emit("jobs.attempts", job.attempts, "attempts")
        emit("jobs.duplicate_outputs", _duplicates(job, media), "outputs")
    finally:
        from tests.celery_utils import stop_process  # the tests' own way to stop a worker

        for proc in (worker, restarted, beat):
            if proc is not None:
                stop_process(proc)
