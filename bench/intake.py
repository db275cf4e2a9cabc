"""Import benchmark (issue 19): `make bench ONLY=intake`.

- import.documents_s: 2,000 documents, 3 revisions each (6,000 files, half of
  the documents Word files converted to Markdown, half PDFs), from a ZIP and a
  CSV register: the dry run and the real run, through the same services as the
  browser and `manage.py import_documents` (target < 300 s).
- import.records_s: 100,000 rows of a CSV into a calibration record type, dry
  run (every row through the record form) and real run (target < 120 s).
- import.peak_mb: the process's peak resident memory during the imports (the
  files are generated into a ZIP on disk first, streamed; target < 500 MB).

INTAKE_BENCH_DOCS and INTAKE_BENCH_RECORDS set smaller sizes for a quick run
(e.g. 20 and 1000). OCR throughput (ocr.pages_per_s) is bench/ocr.py's.
"""

from __future__ import annotations

import csv
import io
import os
import random
import resource
import tempfile
import time
import zipfile
from datetime import date, timedelta
from pathlib import Path

from django.contrib.auth.models import Group

from bench.common import analyze, fresh_database
from qms.models import Department, User
from qms.permissions import Role

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


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def run(emit):
    from intake.services import create_run, execute_run
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
    with tempfile.TemporaryDirectory(prefix="bench-intake-") as tmp:
        folder = Path(tmp)
        register, archive = _document_inputs(folder, DOCS)
        records_csv = _record_inputs(folder, RECORDS, rng)
        base_mb = _peak_mb()

        start = time.perf_counter()
        with archive.open("rb") as fh:
            run_ = create_run(actor=qm, kind="documents", register_name=register.name,
                              register_data=register.read_bytes(), files_name=archive.name, files_data=fh)
        dry = time.perf_counter() - start
        assert run_.error_count == 0, run_.report["errors"][:3] or [r for r in run_.report["rows"] if r["problems"]][:3]
        counts = execute_run(run_)
        total = time.perf_counter() - start
        assert counts["revisions"] == DOCS * REVISIONS, counts
        emit("import.documents_n", DOCS * REVISIONS, "revisions")
        emit("import.documents_dry_run_s", dry, "s")
        emit("import.documents_s", total, "s")
        analyze()

        start = time.perf_counter()
        run_ = create_run(actor=qm, kind="records", register_name=records_csv.name,
                          register_data=records_csv.read_bytes(), record_type=rt)
        dry = time.perf_counter() - start
        assert run_.error_count == 0, run_.report["errors"][:3]
        counts = execute_run(run_)
        total = time.perf_counter() - start
        assert counts["records"] == RECORDS, counts
        emit("import.records_n", RECORDS, "records")
        emit("import.records_dry_run_s", dry, "s")
        emit("import.records_s", total, "s")
        emit("import.peak_mb", _peak_mb(), "MB")
        emit("import.peak_before_mb", base_mb, "MB")
