"""File integrity check (ISO 9001 7.5.3.1b; DOC-11, REC-04): every stored file
is hashed again and compared with the SHA-256 taken when it was stored. A
changed or missing file becomes an audit event on its object and a
notification to the quality manager. Run weekly by beat, or by hand with
`python manage.py verify_files`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.core.files.storage import default_storage

from qms.audit import record_event
from qms.notifications import notify_role
from qms.permissions import Role
from qms.uploads import sha256_of_stored

# (model, file field, SHA-256 field, filter): where files and their hashes live.
SOURCES = [
    ("documents.Revision", "pdf_file", "pdf_sha256", {}),
    ("documents.Revision", "source_file", "source_sha256", {}),
    ("documents.Rendition", "file", "sha256", {}),
    ("documents.ManualBuild", "file", "sha256", {}),
    ("records.Evidence", "file", "sha256", {"disposed_at__isnull": True}),  # disposed files are gone by design
    ("audits.Evidence", "file", "sha256", {}),
    ("auditor.EvidenceLink", "file", "sha256", {}),
]


@dataclass
class Problem:
    model: str
    pk: int
    name: str
    kind: str  # "changed" or "missing"


@dataclass
class IntegrityReport:
    checked: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_files() -> IntegrityReport:
    report = IntegrityReport()
    for label, file_field, sha_field, filters in SOURCES:
        model = apps.get_model(label)
        rows = (
            model.objects.filter(**filters)
            .exclude(**{file_field: ""})
            .exclude(**{sha_field: ""})
            .values_list("pk", file_field, sha_field)
            .iterator(chunk_size=500)
        )
        for pk, name, expected in rows:
            report.checked += 1
            try:
                actual = sha256_of_stored(name)
            except (FileNotFoundError, OSError):
                report.problems.append(Problem(label, pk, name, "missing"))
                continue
            if actual != expected:
                report.problems.append(Problem(label, pk, name, "changed"))
    for p in report.problems:
        obj = apps.get_model(p.model).objects.get(pk=p.pk)
        record_event(actor=None, verb=f"integrity.{p.kind}", obj=obj, comment=f"Stored file {p.name} is {p.kind}",
                     data={"file": p.name})
        if p.model == "documents.Rendition":
            # Never left to be issued: quarantined and rendered again now.
            from documents.renditions import repair_rendition

            found = None
            if p.kind == "changed":
                with default_storage.open(p.name, "rb") as fh:
                    found = fh.read()
            repair_rendition(obj, kind=p.kind, found=found)
            p.kind += ", quarantined and rendered again"
        elif p.model == "documents.ManualBuild":
            # Never issued again: quarantined; the QM builds a fresh manual.
            from documents.manual import ManualFileChanged, check_manual_file

            try:
                check_manual_file(obj)
            except ManualFileChanged:
                p.kind += ", quarantined (build the manual again)"
    if report.problems:
        lines = "\n".join(f"{p.model} #{p.pk}: {p.name} {p.kind}" for p in report.problems[:50])
        notify_role(Role.QUALITY_MANAGER, title=f"File integrity check: {len(report.problems)} problem(s)", body=lines)
    return report
