"""Import benchmark (issue 19): `make bench ONLY=intake`.

Each import is the administrator's command, `manage.py import_documents` and
`manage.py import_records`, run as its own process (the same services as the
browser): the dry run and the real run.

- import.documents_s: 2,000 documents, 3 revisions each (6,000 files, half of
  the documents Word files converted to Markdown, half PDFs), from a ZIP and a
  CSV register (target < 300 s). With a broker, the text of each stored file is
  extracted by the workers afterwards, as in production: import.documents_text_s
  times that work apart (run here, one process). Without a broker the jobs run
  in-process within import.documents_s.
- import.records_s: 100,000 rows of a CSV into a calibration record type, dry
  run (every row through the record form) and real run (target < 120 s).
- import.peak_mb: the peak resident memory of the larger import process (the
  files are generated into a ZIP on disk first, streamed; target < 500 MB).

INTAKE_BENCH_DOCS and INTAKE_BENCH_RECORDS set smaller sizes for a quick run
(e.g. 20 and 1000). OCR throughput (ocr.pages_per_s) is bench/ocr.py's.
"""

from __future__ import annotations

import csv
import io
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import date, timedelta
from pathlib import Path

from django.contrib.auth.models import Group

from bench.common import analyze, fresh_database
from documents.models import Revision
from qms.models import Department, User
from qms.permissions import Role
from records.models import Record

DOCS = int(os.environ.get("INTAKE_BENCH_DOCS", "2000"))
RECORDS = int(os.environ.get("INTAKE_BENCH_RECORDS", "100000"))
REVISIONS = 3


def _docx(text: str) -> bytes:
    from docx import Document

    doc = Document()
    doc.add_heading("Purpose", level=1)
    doc.add_paragraph(text)
    doc.add_heading("Procedure", level=1)
    for i in range(8):
        doc.add_paragraph(f"Step {i + 1}: {text} — check, record and report deviations.", style="List Number")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _pdf(note: str) -> bytes:
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(width=595, height=842)
    w.add_metadata({"/Subject": note})
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _document_inputs(folder: Path, n: int) -> tuple[Path, Path]:
    register, archive = folder / "register.csv", folder / "files.zip"
    start = date(2015, 1, 1)
    with register.open("w", newline="", encoding="utf-8") as reg, zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        w = csv.writer(reg)
        w.writerow(["Number", "Title", "Type", "Department", "Owner", "Revision", "Effective date", "Approved by",
                    "Approval date", "Clauses", "Distribution", "File"])
        for i in range(1, n + 1):
            number = f"SOP-QA-{i:04d}"
            for r in range(REVISIONS):
                eff = start + timedelta(days=i % 300 + 400 * r)
                if i % 2:
                    name = f"{number}/{r:02d}.docx"
                    zf.writestr(name, _docx(f"Procedure {i}, revision {r:02d}"))
                else:
                    name = f"{number}/{r:02d}.pdf"
                    zf.writestr(name, _pdf(f"{number} rev {r}"))
                w.writerow([number, f"Bench procedure {i}", "SOP", "QA", "qm", f"{r:02d}", eff.isoformat(),
                            "Former Approver", (eff - timedelta(days=3)).isoformat(), "7.5", "Staff", name])
    return register, archive


RECORD_FIELDS = [
    {"key": "instrument", "label": "Instrument ID", "type": "text", "required": True},
    {"key": "deviation", "label": "Deviation", "type": "number", "required": True, "min": "-10", "max": "10"},
    {"key": "cal_date", "label": "Calibration date", "type": "date", "required": True},
    {"key": "result", "label": "Result", "type": "choice", "required": True, "choices": ["Pass", "Fail"]},
    {"key": "notes", "label": "Notes", "type": "text", "required": False},
]


def _record_inputs(folder: Path, n: int, rng: random.Random) -> Path:
    path = folder / "records.csv"
    start = date(2016, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Instrument ID", "Deviation", "Calibration date", "Result", "Notes", "Submitted on",
                    "Submitted by"])
        for i in range(n):
            d = start + timedelta(days=i % 3500)
            w.writerow([f"MIC-{i % 500:03d}", f"{rng.uniform(-5, 5):.2f}", d.isoformat(),
                        rng.choice(["Pass", "Fail"]), f"row {i}", d.isoformat(), rng.choice(["H. Alt", "B. Old"])])
    return path


def _command(args: list[str], *, eager: bool) -> tuple[float, float]:
    """Run `manage.py <args>` as its own process, as an administrator would; returns its
    wall time in seconds and its own peak resident memory in MB (os.wait4's rusage is
    that child's alone, so the bench's set-up and generated inputs do not count)."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="qms.settings_bench", QMS_BENCH_CELERY_EAGER="1" if eager else "0")
    start = time.perf_counter()
    with open(os.devnull, "wb") as devnull:
        child = subprocess.Popen([sys.executable, "manage.py", *args], env=env, stdout=devnull)
        _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} exited with {child.returncode}")
    return elapsed, usage.ru_maxrss / 1024  # kB on Linux


def _broker_answers() -> bool:
    from qms.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1)
        return True
    except Exception:  # noqa: BLE001 - no broker: the jobs run in-process, inside the import's time
        return False


def _purge_queues() -> None:
    from django.conf import settings

    from qms.celery import app

    with app.connection_for_write() as conn:
        for queue in set(settings.JOB_QUEUES.values()):
            try:
                conn.default_channel.queue_purge(queue)
            except Exception:  # noqa: BLE001 - a queue nothing was sent to may not exist
                pass


def _run_pending_text_jobs() -> int:
    """What the workers do after the import: extract each stored file's text (search)."""
    from qms.jobs import execute
    from qms.models import Job

    ids = list(Job.objects.filter(status=Job.Status.PENDING).order_by("pk").values_list("pk", flat=True))
    for job_id in ids:
        execute(job_id)
    return len(ids)


def run(emit):
    from records.models import FormVersion, RecordType

    fresh_database()
    rng = random.Random(19)
    for name in Role.ALL:
        Group.objects.get_or_create(name=name)
    qm = User.objects.create(username="qm", full_name="Quinn Marsh", is_superuser=True)
    qm.groups.add(Group.objects.get(name=Role.QUALITY_MANAGER))
    Department.objects.create(code="QA", name="Quality Assurance")
    rt = RecordType.objects.create(code="CAL", name="Calibration", retention_years=10)
    FormVersion.objects.create(record_type=rt, version=1, fields=RECORD_FIELDS)
    # With a broker the import hands text extraction to the workers, as in production
    # (timed apart below); without one the jobs run in-process within the import's time.
    queued = _broker_answers()
    with tempfile.TemporaryDirectory(prefix="bench-intake-") as tmp:
        folder = Path(tmp)
        register, archive = _document_inputs(folder, DOCS)
        records_csv = _record_inputs(folder, RECORDS, rng)

        total, docs_mb = _command(["import_documents", str(archive), "--register", str(register), "--as", "qm"],
                                  eager=not queued)
        revisions = Revision.objects.count()
        assert revisions == DOCS * REVISIONS, revisions
        emit("import.documents_n", revisions, "revisions")
        emit("import.documents_s", total, "s")
        if queued:
            _purge_queues()  # the messages nobody consumed: the jobs run here instead
            start = time.perf_counter()
            n = _run_pending_text_jobs()
            emit("import.documents_text_s", time.perf_counter() - start, f"s (text of {n} files, the workers' share)")
        analyze()

        total, records_mb = _command(["import_records", "CAL", str(records_csv), "--as", "qm"], eager=not queued)
        records = Record.objects.count()
        assert records == RECORDS, records
        emit("import.records_n", records, "records")
        emit("import.records_s", total, "s")
        emit("import.documents_peak_mb", docs_mb, "MB")
        emit("import.records_peak_mb", records_mb, "MB")
        emit("import.peak_mb", max(docs_mb, records_mb), "MB (the larger of the two import processes)")
