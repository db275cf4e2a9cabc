"""The documents app's stored files, for the weekly integrity check (qms.integrity).

A rendition or a manual build whose file changed is never issued again: the
rendition is quarantined and rendered again at once, the manual build is
quarantined and the quality manager builds a fresh one."""

from django.core.files.storage import default_storage
from django.utils.translation import gettext_noop

from documents.manual import ManualFileChanged, check_manual_file
from documents.renditions import repair_rendition
from qms import integrity, stored_text


def _repair_rendition(rendition, problem) -> str:
    found = None
    if problem.kind == "changed":
        with default_storage.open(problem.name, "rb") as fh:
            found = fh.read()
    repair_rendition(rendition, kind=problem.kind, found=found)
    return stored_text.text(gettext_noop("quarantined and rendered again"))


def _quarantine_manual(build, problem) -> str:
    try:
        check_manual_file(build)
    except ManualFileChanged:
        return stored_text.text(gettext_noop("quarantined (build the manual again)"))
    return ""


def register_files() -> None:
    integrity.stores_files("documents.Revision", "pdf_file", "pdf_sha256")
    integrity.stores_files("documents.Revision", "source_file", "source_sha256")
    integrity.stores_files("documents.Rendition", "file", "sha256", repair=_repair_rendition)
    integrity.stores_files("documents.ManualBuild", "file", "sha256", repair=_quarantine_manual)
