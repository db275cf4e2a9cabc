"""Writes of the intake app: an import run is created with its dry run, then
started (a background job) or run in-process (the management commands).

The inputs are stored through the storage API (so a worker on another host
reads them); the real run plans again against the database as it is then and
refuses to write anything if a problem appeared meanwhile.
"""

from __future__ import annotations

import hashlib
import uuid

from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from intake import documents_import, people_import, records_import
from intake.models import ImportRun
from intake.sources import EmptySource, SourceError, open_source
from intake.tabular import read_table
from qms.audit import record_event
from qms.errors import DomainError
from qms.i18n import in_sentence
from qms.rules import require
from qms.stored_text import fields, message_of
from qms.stored_text import text as said
from qms.uploads import safe_filename
from records.models import RecordType

K = ImportRun.Kind


def _save_input(data, name: str) -> tuple[str, str]:
    """Store an input (bytes, or an open binary file: streamed, never read whole) and hash it."""
    digest = hashlib.sha256()
    if isinstance(data, bytes):
        digest.update(data)
        content = ContentFile(data)
    else:
        data.seek(0)
        for chunk in iter(lambda: data.read(1024 * 1024), b""):
            digest.update(chunk)
        data.seek(0)
        content = File(data)
    stored = default_storage.save(f"intake/{uuid.uuid4().hex}/{safe_filename(name)}", content)
    return stored, digest.hexdigest()


def _read_stored(name: str) -> bytes:
    with default_storage.open(name, "rb") as fh:
        return fh.read()


def _source(run: ImportRun):
    if run.folder:
        return open_source(run.folder)
    if run.files_file:
        return open_source(default_storage.open(run.files_file, "rb"))  # zipfile seeks in it: no copy in memory
    return EmptySource()


def _plan(run: ImportRun):
    table = read_table(run.register_name, _read_stored(run.register_file))
    if run.kind == K.PEOPLE:
        return people_import.plan(table), None
    try:
        source = _source(run)
    except SourceError as exc:
        plan = (documents_import.Plan if run.kind == K.DOCUMENTS else records_import.RecordPlan)()
        plan.errors.append(message_of(exc))
        return plan, None
    if run.kind == K.DOCUMENTS:
        return documents_import.plan(table, source, actor=run.created_by), source
    rt = RecordType.objects.filter(code=run.record_type_code).first()
    if rt is None:
        plan = records_import.RecordPlan()
        plan.errors.append(said(gettext_noop("There is no record type %(type)s."), type=run.record_type_code))
        return plan, source
    return records_import.plan(table, rt, run.mapping, source), source


def _check(run: ImportRun) -> ImportRun:
    plan, source = _plan(run)
    if source is not None:
        source.close()
    run.report = plan.report() | {"inputs": _inputs(run)}
    run.error_count = plan.error_count
    run.status = ImportRun.Status.BLOCKED if plan.error_count else ImportRun.Status.CHECKED
    run.save()
    record_event(actor=run.created_by, verb="intake.checked", obj=run,
                 comment=f"{run.report['summary'].get('rows', 0)} rows, {run.error_count} with problems")
    return run


def _inputs(run: ImportRun) -> dict:
    return {"register": run.register_name, "register_sha256": run.register_sha256, "files": run.files_name,
            "files_sha256": run.files_sha256, "folder": run.folder, "record_type": run.record_type_code,
            "imported_by": run.created_by.display_name}


@transaction.atomic
def create_run(*, actor, kind: str, register_name: str, register_data: bytes, files_name: str = "",
               files_data=None, folder: str = "", record_type: RecordType | None = None,
               mapping: dict | None = None) -> ImportRun:
    """Store the inputs and run the dry run. Nothing but the run and its report is written.
    `files_data`: the ZIP's bytes, or an open binary file (streamed to storage)."""
    require("intake.import", actor)
    if folder:
        require("intake.import_folder", actor)
    if kind == K.RECORDS and record_type is None:
        raise DomainError(_("Choose the record type the rows are records of."))
    run = ImportRun(kind=kind, created_by=actor, register_name=safe_filename(register_name), folder=folder,
                    record_type_code=record_type.code if record_type else "")
    run.register_file, run.register_sha256 = _save_input(register_data, register_name)
    if files_data is not None:
        run.files_name = safe_filename(files_name)
        run.files_file, run.files_sha256 = _save_input(files_data, files_name)
    if kind == K.RECORDS:
        if mapping is None:
            from records.services import current_form_version

            table = read_table(run.register_name, register_data)
            fv = current_form_version(record_type)
            mapping = records_import.auto_mapping(table.headers, fv) if fv else {}
        run.mapping = mapping
    run.save()
    return _check(run)


@transaction.atomic
def set_mapping(*, actor, run: ImportRun, mapping: dict) -> ImportRun:
    require("intake.import", actor)
    run = ImportRun.objects.select_for_update().get(pk=run.pk)
    if run.kind != K.RECORDS or run.status not in (ImportRun.Status.CHECKED, ImportRun.Status.BLOCKED):
        raise DomainError(_("Only a record import that has not run yet can be mapped again."))
    run.mapping = mapping
    run.save(update_fields=["mapping"])
    return _check(run)


@transaction.atomic
def start_run(*, actor, run: ImportRun) -> ImportRun:
    """Queue the real run as one background job (progress on the job page)."""
    from qms.jobs import request_job

    require("intake.import", actor)
    run = ImportRun.objects.select_for_update().get(pk=run.pk)
    if not run.can_run:
        raise DomainError(
            _("This import cannot run: its dry run found %(count)s problem(s); correct the files and upload them again.")
            % {"count": run.error_count} if run.error_count
            else _("This import cannot run: it is %(status)s.") % {"status": in_sentence(run.get_status_display())})
    run.job = request_job(kind="intake_import", actor=actor, target=run, params={"run": run.pk})
    run.status = ImportRun.Status.QUEUED
    run.save(update_fields=["job", "status"])
    record_event(actor=actor, verb="intake.started", obj=run)
    return run


def execute_run(run: ImportRun, progress=None) -> dict:
    """The real run (from the job, or in-process from a command)."""
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.RUNNING, started_at=timezone.now())
    actor = run.created_by
    # The dry run's report stays in the database; in memory it would sit beside this
    # run's plan and report (a row each: 100,000 rows of a records import, issue 19's < 500 MB).
    run.report = None
    plan, source = _plan(run)
    try:
        if plan.error_count:
            raise DomainError(said(gettext_noop("The files now have %(count)s problem(s) (something changed since "
                                                "the dry run); nothing was imported. See the report."),
                                   count=plan.error_count))
        if run.kind == K.DOCUMENTS:
            counts = documents_import.execute(plan, source, actor=actor, run=run, progress=progress)
        elif run.kind == K.RECORDS:
            counts = records_import.execute(plan, source, actor=actor, run=run, progress=progress)
        else:
            counts = people_import.execute(plan, actor=actor, run=run, progress=progress)
    except Exception as exc:
        message = message_of(exc) if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
        ImportRun.objects.filter(pk=run.pk).update(
            status=ImportRun.Status.FAILED, **fields("error", message, limit=4000), finished_at=timezone.now(),
            report=plan.report() | {"inputs": _inputs(run)}, error_count=plan.error_count)
        record_event(actor=actor, verb="intake.failed", obj=run, comment=message[:500])
        raise
    finally:
        if source is not None:
            source.close()
    report = plan.report() | {"inputs": _inputs(run), "created": counts, "finished_at": timezone.now().isoformat()}
    created = sum(counts.values()) if run.kind != K.PEOPLE else counts["people"]
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.DONE, finished_at=timezone.now(), report=report, error="", error_i18n=None,
        created_count=created, skipped_count=report["summary"].get("already_imported",
                                                                   report["summary"].get("already_there", 0)))
    record_event(actor=actor, verb="intake.finished", obj=run,
                 comment=", ".join(f"{v} {k}" for k, v in counts.items()))
    return counts
