"""The evidence pack job: for a scope (clauses) and a period, a ZIP of

* the controlled PDFs of every revision that was in force at any time in the
  period, "as they were" (see `_rendition_as_in_force`),
* the records submitted in the period whose record type covers the clauses,
  each as its record PDF plus its evidence files (original names, under
  records/<number>/),
* the issued reports (PDF) of audits against those clauses held in the period,
* findings and CAPAs as CSV and JSON tables with human labels,

with the SHA-256 manifest and README of `auditor.packs.write_pack`.

Memory stays flat: files are streamed from storage into the ZIP in chunks by
`write_pack`; the ZIP is written to a temporary file on disk, saved through
the storage API (which copies in chunks), and the Job points at the stored
file with the pack's own SHA-256 (`JobOutput(stored_name=...)`): the pack is
never held in memory. Querysets are walked with `.iterator()`.

Scope: the pack is built with the permissions of the user who asked for it;
for a scoped external auditor every queryset goes through
`auditor.scope.restrict`, so nothing outside their grant enters the pack.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from auditor.packs import CHUNK, PackEntry, write_pack
from auditor.scope import _with_descendants, restrict
from qms import dates, registers, stored_text
from qms.errors import PermissionRefused
from qms.jobs import JobOutput, attempt_path, commit_ready, job_handler, set_progress
from qms.models import Clause, Job, User
from qms.permissions import is_external_auditor
from qms.rules import require
from qms.uploads import safe_filename

PROGRESS_EVERY = 25


@dataclass(frozen=True)
class PackScope:
    clause_numbers: tuple[str, ...]
    start: date
    end: date

    @classmethod
    def from_params(cls, params: dict) -> PackScope:
        return cls(
            clause_numbers=tuple(params.get("clauses") or ()),
            start=date.fromisoformat(params["start"]),
            end=date.fromisoformat(params["end"]),
        )

    def params(self) -> dict:
        return {"clauses": list(self.clause_numbers), "start": self.start.isoformat(), "end": self.end.isoformat()}

    @property
    def clause_ids(self) -> frozenset[int] | None:
        """None = every clause (no narrowing); a clause includes its sub-clauses."""
        if not self.clause_numbers:
            return None
        return _with_descendants(list(self.clause_numbers))

    def describe(self) -> str:
        clauses = ", ".join(self.clause_numbers) if self.clause_numbers else "all clauses"
        return f"{clauses}; {self.start:%Y-%m-%d} to {self.end:%Y-%m-%d}"


def request_pack(*, actor, scope: PackScope) -> Job:
    """Ask for an evidence pack; the view checks can_build_pack first."""
    from qms.jobs import request_job

    return request_job(kind="evidence_pack", actor=actor, params=scope.params())


# ------------------------------------------------------------------ selections
def _in_clauses(qs, path: str, clause_ids):
    return qs if clause_ids is None else qs.filter(**{f"{path}__in": clause_ids}).distinct()


def revisions_in_force(user, scope: PackScope):
    """Revisions in force at any time in [start, end]: they became effective on
    or before the end and were not retired (superseded/obsolete) before the start."""
    from documents.models import Revision

    S = Revision.Status
    qs = Revision.objects.filter(
        status__in=[S.EFFECTIVE, S.SUPERSEDED, S.OBSOLETE], effective_date__isnull=False, effective_date__lte=scope.end
    ).filter(Q(retired_at__isnull=True) | Q(**dates.within_days("retired_at", scope.start)))
    qs = _in_clauses(qs, "document__clauses", scope.clause_ids)
    qs = restrict(qs, user, clauses="document__clauses", process="document__process")
    return qs.select_related("document__doc_type", "document__owner", "document__department").order_by(
        "document__number", "seq"
    )


def records_in_period(user, scope: PackScope):
    from records.models import Record

    qs = Record.objects.filter(**dates.within_days("submitted_at", scope.start, scope.end)).exclude(status=Record.Status.DRAFT)
    qs = _in_clauses(qs, "record_type__clauses", scope.clause_ids)
    qs = restrict(qs, user, clauses="record_type__clauses", process=None)
    return qs.order_by("submitted_at", "pk")


def audits_in_period(user, scope: PackScope):
    from audits.models import Audit

    qs = Audit.objects.filter(**dates.within_days("planned_start", scope.start, scope.end))
    qs = _in_clauses(qs, "criteria_clauses", scope.clause_ids)
    return restrict(qs, user, clauses="criteria_clauses", process="processes")


def reports_in_period(user, scope: PackScope):
    from audits.models import AuditReport

    return (
        AuditReport.objects.filter(status=AuditReport.Status.ISSUED, audit__in=audits_in_period(user, scope).values("pk"))
        .select_related("audit")
        .order_by("audit__planned_start", "pk")
    )


def findings_in_period(user, scope: PackScope):
    from audits.models import Finding

    qs = Finding.objects.filter(**dates.within_days("created_at", scope.start, scope.end))
    qs = _in_clauses(qs, "clause", scope.clause_ids)
    qs = restrict(qs, user, clauses="clause", process="process")
    return qs.select_related("audit", "clause", "process", "owner", "capa").order_by("audit__number", "seq")


def capas_in_period(user, scope: PackScope):
    from audits.models import Capa

    qs = Capa.objects.filter(**dates.within_days("raised_at", scope.start, scope.end))
    qs = _in_clauses(qs, "clause", scope.clause_ids)
    qs = restrict(qs, user, clauses="clause", process="process")
    return qs.select_related("clause", "process", "owner", "finding__audit").order_by("raised_at", "pk")


# ------------------------------------------------------------------ file sources
def _storage_opener(name: str):
    return lambda: default_storage.open(name, "rb")


def _bytes_opener(render):
    """Small generated files (a record PDF, a table): made only when written."""
    return lambda: io.BytesIO(render())


def _rendition_as_in_force(revision):
    """The controlled base PDF of `revision` as it was while in force.

    A base PDF is stored per revision and fingerprint (content, signatures,
    verification token, layout and watermark); an approved or effective
    revision prints without a watermark, a retired one with SUPERSEDED or
    OBSOLETE. So "as it was": the revision's stored rendition without a
    watermark (the one users printed while it was in force), the newest if the
    layout was re-rendered; only when none was ever stored is it rendered now
    (`ensure_rendition`), and a retired revision's PDF then carries its
    current watermark, which the manifest description says."""
    from documents.models import Rendition
    from documents.renditions import ensure_rendition

    kept = Rendition.objects.filter(revision=revision, watermark="").order_by("-created_at", "-pk").first()
    if kept is not None:
        return kept, "as in force"
    rendition, _ = ensure_rendition(revision)
    note = "as in force" if not rendition.watermark else f"rendered after retirement, marked {rendition.watermark}"
    return rendition, note


def _record_pdf(record_pk: int, requested_by_id):
    from records.pdf import record_pdf

    return record_pdf(SimpleNamespace(object_id=record_pk, requested_by_id=requested_by_id)).content


def _report_pdf(report_pk: int, requested_by):
    from audits.jobs import audit_report_pdf

    return audit_report_pdf(SimpleNamespace(object_id=report_pk, requested_by=requested_by)).content


def _stored_report_pdf(report) -> Job | None:
    """The PDF rendered when the report was issued (an issued report is locked)."""
    from django.contrib.contenttypes.models import ContentType

    return (
        Job.objects.filter(
            kind="audit_report_pdf", status=Job.Status.READY, object_id=report.pk,
            content_type=ContentType.objects.get_for_model(report),
        )
        .exclude(file="")
        .order_by("-finished_at")
        .first()
    )


def _fmt(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _person(user) -> str:
    return user.display_name if user else ""


def findings_table(user, scope: PackScope) -> tuple[list[str], list[list[str]]]:
    headers = ["Audit", "Finding", "Type", "Clause", "Process", "Statement", "Owner", "Status", "Raised", "Closed", "CAPA"]
    rows = []
    for f in findings_in_period(user, scope).iterator(chunk_size=500):
        capa = getattr(f, "capa", None)
        rows.append([
            f.audit.number, str(f.seq), f.get_finding_type_display(), f"{f.clause.number} {f.clause.title}",
            f.process.name if f.process else "", f.statement, _person(f.owner), f.get_status_display(),
            _fmt(f.created_at), _fmt(f.closed_at), capa.number if capa else "",
        ])
    return headers, rows


def capas_table(user, scope: PackScope) -> tuple[list[str], list[list[str]]]:
    headers = ["Number", "Source", "Title", "Clause", "Process", "Severity", "Owner", "Raised", "Due", "Status",
               "Root cause", "Effectiveness", "Closed", "Audit finding"]
    rows = []
    for c in capas_in_period(user, scope).iterator(chunk_size=500):
        rows.append([
            c.number, c.get_source_display(), c.title, f"{c.clause.number} {c.clause.title}" if c.clause else "",
            c.process.name if c.process else "", c.get_severity_display(), _person(c.owner), _fmt(c.raised_at),
            _fmt(c.due_date), c.get_status_display(), c.root_cause, c.get_effectiveness_result_display(),
            _fmt(c.closed_at), f"{c.finding.audit.number} #{c.finding.seq}" if c.finding else "",
        ])
    return headers, rows


def _csv_bytes(headers, rows) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(headers)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8


def _json_bytes(headers, rows) -> bytes:
    return json.dumps([dict(zip(headers, r, strict=True)) for r in rows], indent=2, ensure_ascii=False).encode()


# ------------------------------------------------------------------ the entries
def pack_entries(job: Job, user, scope: PackScope) -> Iterator[PackEntry]:
    """Every file of the pack, in order; progress is reported as they are written."""
    revisions = revisions_in_force(user, scope)
    records = records_in_period(user, scope)
    reports = reports_in_period(user, scope)
    total = max(1, revisions.count() + records.count() + reports.count() + 1)
    done = 0

    def tick():
        nonlocal done
        done += 1
        if done % PROGRESS_EVERY == 0:
            set_progress(job, 99 * done // total)

    for rev in revisions.iterator(chunk_size=200):
        rendition, note = _rendition_as_in_force(rev)
        label = rev.label or str(rev.seq)
        retired = f", retired {rev.retired_at:%Y-%m-%d}" if rev.retired_at else ""
        yield PackEntry(
            path=f"documents/{safe_filename(rev.document.number)}-rev-{safe_filename(label)}.pdf",
            description=(f"{rev.document.number} {rev.document.title}, revision {label}, effective "
                         f"{rev.effective_date:%Y-%m-%d}{retired}: controlled PDF ({note})"),
            open=_storage_opener(rendition.file.name),
        )
        tick()

    from records.models import Evidence

    evidence = Prefetch(
        "evidence",
        queryset=Evidence.objects.filter(disposed_at__isnull=True)
        .only("record_id", "file", "original_name", "sha256", "superseded_at")
        .order_by("uploaded_at", "pk"),
        to_attr="pack_evidence",
    )
    # Evidence rows come with each chunk of 200 records (one query per chunk, not per record).
    for record in records.select_related("record_type").prefetch_related(evidence).iterator(chunk_size=200):
        folder = f"records/{safe_filename(record.number)}"
        yield PackEntry(
            path=f"{folder}/{safe_filename(record.number)}.pdf",
            description=f"{record.number} ({record.record_type.name}), {record.get_status_display()}, "
                        f"submitted {record.submitted_at:%Y-%m-%d}: record PDF",
            open=_bytes_opener(lambda pk=record.pk: _record_pdf(pk, job.requested_by_id)),
        )
        for ev in record.pack_evidence:
            superseded = f", superseded {ev.superseded_at:%Y-%m-%d}" if ev.superseded_at else ""
            yield PackEntry(
                path=f"{folder}/{safe_filename(ev.original_name)}",
                description=f"Evidence of {record.number}: {ev.original_name} (SHA-256 at upload {ev.sha256}{superseded})",
                open=_storage_opener(ev.file),
            )
        tick()

    for report in reports.iterator(chunk_size=100):
        stored = _stored_report_pdf(report)
        opener = (_storage_opener(stored.file.name) if stored is not None
                  else _bytes_opener(lambda pk=report.pk: _report_pdf(pk, job.requested_by)))
        yield PackEntry(
            path=f"audits/{safe_filename(report.audit.number)}-report.pdf",
            description=f"Audit report {report.audit.number} {report.audit.title}, issued {report.issued_at:%Y-%m-%d}",
            open=opener,
        )
        tick()

    for name, table in (("findings", findings_table), ("capas", capas_table)):
        headers, rows = table(user, scope)
        label = "Audit findings" if name == "findings" else "Nonconformities and CAPAs"
        yield PackEntry(f"tables/{name}.csv", f"{label} ({len(rows)} rows), CSV", _bytes_opener(lambda h=headers, r=rows: _csv_bytes(h, r)))
        yield PackEntry(f"tables/{name}.json", f"{label} ({len(rows)} rows), JSON", _bytes_opener(lambda h=headers, r=rows: _json_bytes(h, r)))
    for register in registers.readable(user):
        headers, rows = list(register.columns), [list(map(_fmt, r)) for r in register.rows(user, scope.end)]
        yield PackEntry(f"registers/{register.slug}.csv",
                        f"{register.title} (ISO 9001 {register.clause}) as it stood on {scope.end:%Y-%m-%d}, "
                        f"{len(rows)} rows, CSV", _bytes_opener(lambda h=headers, r=rows: _csv_bytes(h, r)))
    set_progress(job, 99)


def _sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_still_allowed(user) -> None:
    """The job may run minutes after the request: an external auditor whose
    access was revoked or has expired meanwhile gets no pack."""
    require("auditor.build_pack", user)
    if is_external_auditor(user):
        access = getattr(user, "auditor_access", None)
        if access is None or not access.is_open():
            raise PermissionRefused(stored_text.text(gettext_noop(
                "Your auditor access is closed: no evidence pack was built.")))


@job_handler("evidence_pack", label=gettext_noop("Evidence pack"), lane="bulk")
def evidence_pack(job: Job) -> JobOutput:
    scope = PackScope.from_params(job.params)
    user = User.objects.get(pk=job.requested_by_id)
    _check_still_allowed(user)
    title = f"Evidence pack: {scope.describe()}"
    clauses = (
        ", ".join(f"{c.number} {c.title}" for c in Clause.objects.filter(pk__in=scope.clause_ids).order_by("number"))
        if scope.clause_ids is not None else "all clauses"
    )
    readme = [
        f"Built {timezone.now():%Y-%m-%d %H:%M} UTC for {user.display_name}.",
        f"Clauses (with their sub-clauses): {clauses}.",
        f"Period: {scope.start:%Y-%m-%d} to {scope.end:%Y-%m-%d}.",
        "",
        "documents/  controlled PDFs of every revision in force at any time in the period, as they were in force",
        "records/    records submitted in the period (record PDF) with their evidence files, one folder per record",
        "audits/     issued reports of audits against these clauses held in the period",
        "tables/     findings and CAPAs raised in the period (CSV and JSON)",
        "registers/  the other registers (context, risks, objectives, ...) as they stood on the period's last day",
    ]
    stamp = timezone.now()
    pack_id = f"P-{stamp:%Y%m%d}-{job.pk}"
    readme.insert(0, f"Pack {pack_id}.")
    filename = f"evidence-pack-{stamp:%Y%m%d-%H%M%S}.zip"
    fd, tmp_path = tempfile.mkstemp(suffix=".zip", prefix="evidence-pack-")
    try:
        with os.fdopen(fd, "w+b") as tmp:
            sealed = write_pack(tmp, pack_entries(job, user, scope), title=title, readme_lines=readme,
                                pack_id=pack_id, built_by=user.display_name, built_at=stamp.isoformat())
        sha, size = _sha256_of(tmp_path), os.path.getsize(tmp_path)
        with open(tmp_path, "rb") as fh:
            # Under the attempt's name: only the attempt that commits "ready" keeps it.
            stored = default_storage.save(attempt_path(job, filename), File(fh, name=filename))
    finally:
        os.unlink(tmp_path)
    output = JobOutput(filename=filename, content_type="application/zip", stored_name=stored, sha256=sha, size=size)
    from auditor.models import PackSeal
    from auditor.signing import key_id

    with transaction.atomic():
        # The seal and the job's "ready" commit together (a superseded attempt's seal rolls back).
        PackSeal.objects.create(
            pack_id=pack_id, manifest_sha256=sealed.manifest_sha256, job=job, title=title[:300], built_by=user,
            built_by_name=user.display_name, built_at=stamp, files=len(sealed.rows), key_id=key_id(),
        )
        commit_ready(job, output)
    return output
