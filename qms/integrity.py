"""File integrity check (ISO 9001 7.5.3.1b; DOC-11, REC-04): every stored file
is hashed again and compared with the SHA-256 taken when it was stored. A
changed or missing file becomes an audit event on its object and a
notification to the quality manager. Run weekly by beat, or by hand with
`python manage.py verify_files`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.utils.translation import gettext_noop

from qms import stored_text
from qms.audit import record_event
from qms.notifications import notify_role
from qms.permissions import Role
from qms.uploads import sha256_of_stored


@dataclass(frozen=True)
class Source:
    """Where an app stores files and their hashes. `repair(obj, problem)` (optional)
    quarantines what must never be issued again and returns what it did."""

    label: str
    file_field: str
    sha_field: str
    filters: dict = field(default_factory=dict)
    repair: Callable | None = None


_SOURCES: list[Source] = []


def stores_files(label: str, file_field: str, sha_field: str, *, filters: dict | None = None,
                 repair: Callable | None = None) -> None:
    """Called by each app (AppConfig.ready) for every model field holding a hashed file."""
    _SOURCES.append(Source(label, file_field, sha_field, filters or {}, repair))


def sources() -> list[Source]:
    return list(_SOURCES)


@dataclass
class Problem:
    model: str
    pk: int
    name: str
    kind: str  # "changed" or "missing"
    repair: Callable | None = None
    done: str = ""  # what the repair did (a stored text), for the notification


# The quality manager's notification, a line per problem, in the reader's language (qms.stored_text).
_LINES = {"missing": gettext_noop("%(model)s #%(pk)s: %(name)s is missing"),
          "changed": gettext_noop("%(model)s #%(pk)s: %(name)s has changed")}


@dataclass
class IntegrityReport:
    checked: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_files() -> IntegrityReport:
    report = IntegrityReport()
    for source in _SOURCES:
        label, file_field, sha_field = source.label, source.file_field, source.sha_field
        model = apps.get_model(label)
        rows = (
            model.objects.filter(**source.filters)
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
                report.problems.append(Problem(label, pk, name, "missing", source.repair))
                continue
            if actual != expected:
                report.problems.append(Problem(label, pk, name, "changed", source.repair))
    for p in report.problems:
        obj = apps.get_model(p.model).objects.get(pk=p.pk)
        record_event(actor=None, verb=f"integrity.{p.kind}", obj=obj, comment=f"Stored file {p.name} is {p.kind}",
                     data={"file": p.name})
        if p.repair is not None:
            p.done = p.repair(obj, p) or ""
    if report.problems:
        lines = stored_text.join([
            stored_text.join([stored_text.text(_LINES[p.kind], model=p.model, pk=p.pk, name=p.name), p.done], sep=", ")
            if p.done else stored_text.text(_LINES[p.kind], model=p.model, pk=p.pk, name=p.name)
            for p in report.problems[:50]], sep="\n")
        title = stored_text.ngettext("File integrity check: %(count)s problem", "File integrity check: %(count)s problems",
                                     len(report.problems), count=len(report.problems))
        notify_role(Role.QUALITY_MANAGER, title=title, body=lines)
    return report
