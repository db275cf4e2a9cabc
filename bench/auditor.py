"""The certification auditor's view.

Evidence pack (`bench_pack`): one clause (7.1.5 with its sub-clauses) and one
year, with PACK_RECORDS calibration records in that year, each with a 200 KB
evidence file (random bytes: incompressible, like scans), other records of
other clauses, and PACK_DOCUMENTS documents of the clause with a superseded
and an effective revision in the year (their controlled PDFs are rendered
during the build, as nothing rendered them before). The job runs in this
process through qms.jobs.execute (the worker's code path without the broker).

Prints: auditor.pack.seconds (wall time of the job), auditor.pack.peak_mb
(peak resident memory of the process while the job runs, sampled from
/proc every 20 ms, and never below what getrusage reports as the peak when
that peak was reached during the build), plus auditor.pack.size_mb and
auditor.pack.files for context.

Seeding uses bulk_create (no history rows): a benchmark shortcut only.
"""

from __future__ import annotations

import hashlib
import os
import random
import resource
import tempfile
import threading
import time
from datetime import date, datetime, timedelta

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, reset_queries, transaction
from django.test.utils import override_settings
from django.utils import timezone

from bench.common import analyze, fresh_database

PACK_RECORDS = int(os.environ.get("BENCH_PACK_RECORDS", "2000"))
PACK_OTHER_RECORDS = int(os.environ.get("BENCH_PACK_OTHER_RECORDS", "2000"))
PACK_DOCUMENTS = int(os.environ.get("BENCH_PACK_DOCUMENTS", "10"))
EVIDENCE_BYTES = 200 * 1024
PACK_CLAUSE = "7.1.5"
PACK_YEAR = 2026


def _users():
    from qms.models import User
    from qms.permissions import Role

    users = {}
    for username, roles in [("qm", [Role.QUALITY_MANAGER]), ("staff", [Role.STAFF]), ("author", [Role.AUTHOR])]:
        user = User.objects.create_user(username=username, password="bench-password-1", full_name=username.title())
        user.groups.set(Group.objects.filter(name__in=roles))
        users[username] = user
    return users


def _aware(d: date, minutes: int = 600) -> datetime:
    return timezone.make_aware(datetime(d.year, d.month, d.day)) + timedelta(minutes=minutes)


def seed_pack_data(*, users, records: int = PACK_RECORDS, other_records: int = PACK_OTHER_RECORDS,
                   documents: int = PACK_DOCUMENTS, year: int = PACK_YEAR, seed: int = 7001) -> None:
    """Records of clause 7.1.5 (CAL) in `year` with a 200 KB evidence file each,
    records of other clauses (TRN, not in the pack), and documents of 7.1.5.1
    with a revision superseded and one effective during the year."""
    from documents.models import Document, DocumentType, Revision
    from qms.models import Clause, Department
    from records.demo import _values, seed_record_types
    from records.models import Evidence, Record

    rng = random.Random(seed)
    types = seed_record_types(users["qm"])
    start = date(year, 1, 1)

    def bulk_records(code: str, n: int, with_evidence: bool):
        rt = types[code]
        fv = rt.form_versions.get()
        for lo in range(0, n, 500):
            batch = []
            for i in range(lo, min(lo + 500, n)):
                when = _aware(start + timedelta(days=rng.randint(0, 364)), rng.randint(0, 1439))
                batch.append(Record(
                    number=f"{code}-{year}-{i + 1:05d}", record_type=rt, form_version=fv,
                    values=_values(code, rng, users, when), search_text="", status="submitted",
                    created_by=users["staff"], created_at=when, submitted_at=when, submitted_by=users["staff"],
                    verified_at=when if rt.verification_required else None,
                    verified_by=users["qm"] if rt.verification_required else None,
                ))
            with transaction.atomic():
                made = Record.objects.bulk_create(batch)
                if with_evidence:
                    evidence = []
                    for rec in made:
                        content = b"%PDF-1.4\n" + os.urandom(EVIDENCE_BYTES - 9)
                        name = default_storage.save(f"evidence/bench/{rec.number}.pdf", ContentFile(content))
                        sha = hashlib.sha256(content).hexdigest()
                        evidence.append(Evidence(
                            record=rec, field_key="certificate", file=name, original_name=f"{rec.number}-certificate.pdf",
                            size=EVIDENCE_BYTES, sha256=sha, content_type="application/pdf", uploaded_by=users["staff"],
                            uploaded_at=rec.submitted_at,
                        ))
                    Evidence.objects.bulk_create(evidence)

    bulk_records("CAL", records, True)
    bulk_records("TRN", other_records, False)

    doc_type = DocumentType.objects.get(code="SOP")
    dept, _ = Department.objects.get_or_create(code="QA", defaults={"name": "Quality Assurance"})
    clause = Clause.objects.get(number="7.1.5.1")
    S = Revision.Status
    for i in range(documents):
        with transaction.atomic():
            doc = Document.objects.create(number=f"SOP-QA-{i + 1:03d}", title=f"Calibration procedure {i + 1}",
                                          doc_type=doc_type, owner=users["author"], department=dept)
            doc.clauses.set([clause])
            old = Revision.objects.create(
                document=doc, seq=1, label="01", status=S.SUPERSEDED, content=f"# Calibration {i}\n\nOld interval.",
                created_by=users["author"], effective_date=date(year - 1, 3, 1), effective_at=_aware(date(year - 1, 3, 1)),
                retired_at=_aware(date(year, 6, 1)),
            )
            new = Revision.objects.create(
                document=doc, seq=2, label="02", status=S.EFFECTIVE, content=f"# Calibration {i}\n\nYearly interval.",
                created_by=users["author"], effective_date=date(year, 6, 1), effective_at=_aware(date(year, 6, 1)),
            )
            # Benchmark seeding only (no history row for this pointer update).
            Document.objects.filter(pk=doc.pk).update(effective_revision=new, latest_revision=new)
            assert old.pk
    analyze()


class _RssSampler(threading.Thread):
    """Peak resident set size of this process, sampled every 20 ms."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak = 0
        self._halt = threading.Event()
        self._page = os.sysconf("SC_PAGE_SIZE")

    def rss(self) -> int:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * self._page

    def run(self):
        while not self._halt.is_set():
            self.peak = max(self.peak, self.rss())
            time.sleep(0.02)

    def stop(self) -> int:
        self._halt.set()
        self.join()
        return max(self.peak, self.rss())


def bench_pack(emit, *, users=None, year: int = PACK_YEAR) -> None:
    import zipfile

    from django.core.files.storage import default_storage

    from auditor.pack_builder import PackScope
    from qms.jobs import execute
    from qms.models import Job, User

    qm = users["qm"] if users else User.objects.get(username="qm")
    scope = PackScope((PACK_CLAUSE,), date(year, 1, 1), date(year, 12, 31))
    job = Job.objects.create(kind="evidence_pack", requested_by=qm, params=scope.params())
    reset_queries()
    before_maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    sampler = _RssSampler()
    sampler.start()
    started = time.perf_counter()
    status = execute(job.pk)
    seconds = time.perf_counter() - started
    peak = sampler.stop()
    after_maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    if after_maxrss > before_maxrss:  # the process peak was reached during the build
        peak = max(peak, after_maxrss)
    job.refresh_from_db()
    assert status == Job.Status.READY, job.error
    with default_storage.open(job.file.name, "rb") as fh:
        files = len(zipfile.ZipFile(fh).namelist()) - 3
    emit("auditor.pack.seconds", seconds, "s")
    emit("auditor.pack.peak_mb", peak / 1024 / 1024, "MB")
    emit("auditor.pack.size_mb", job.size / 1024 / 1024, "MB")
    emit("auditor.pack.files", files)


def run(emit) -> None:
    from bench._readiness import bench_readiness

    fresh_database()
    bench_readiness(emit)  # the readiness map on 10,000 documents, 100,000 records, 2,000 audits
    fresh_database()
    with tempfile.TemporaryDirectory(prefix="qms-bench-media-") as media, override_settings(MEDIA_ROOT=media):
        users = _users()
        seed_pack_data(users=users)
        connection.close()  # the build starts like a worker: a fresh connection
        bench_pack(emit, users=users)
