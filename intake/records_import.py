"""Record import: spreadsheet rows → submitted records of a type's current form version.

Columns are mapped to form fields (auto-matched by label or key; the quality
manager corrects the mapping); three extra targets: the original submission
date, the original submitter's name, and evidence file names (from the ZIP).
Each row is validated by the record form itself (records.forms.build_record_form,
with the form version's cross-field rules), exactly as the browser would.

Imported records are submitted (locked) at their original date, by the
importer: the original submitter's name is an imported value (kept on the
record's trail event and the import item), never a user it was not.
Rows are keyed by a fingerprint of their values: importing the same file
again creates nothing new. Writes go in batches, each its own transaction, so
a stopped run is resumed by running it again.

A register may hold 100,000 rows (issue 19: < 500 MB): the rows are read one
at a time, a planned row keeps its values as JSON text until its batch is
written, and the report's rows are compact (see RecordRow.as_report).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import reset_queries, transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from simple_history.utils import bulk_create_with_history

from intake.documents_import import _People, formula_problem, report_texts
from intake.models import ImportedItem
from intake.sources import SourceError
from intake.tabular import Table, looks_like_formula, normalise, parse_date
from qms import stored_text
from qms.audit import record_event
from qms.dates import EARLIEST
from qms.models import AuditEvent
from qms.stored_text import as_data_list, from_validation_error, message_of
from qms.stored_text import text as said
from qms.uploads import store_upload, validate_upload
from records.forms import build_record_form
from records.models import NUMBER_MAX_LENGTH, Evidence, Record, RecordType
from records.services import EVIDENCE_TYPES, current_form_version, search_text

KIND = "records"
SUBMITTED_AT, SUBMITTED_BY, FILES = "_submitted_at", "_submitted_by", "_files"
EXTRA_TARGETS = {
    SUBMITTED_AT: ("submitted at", "submitted on", "date", "record date", "submission date"),
    SUBMITTED_BY: ("submitted by", "submitter", "recorded by", "inspector", "by"),
    FILES: ("files", "evidence", "attachments", "file"),
}
BATCH = 1000
CREATE = stored_text.pgettext("import action", "create")


def targets(form_version) -> list[tuple[str, str]]:
    """What a column can be mapped to: each form field, then the extras."""
    out = [(d["key"], d["label"]) for d in form_version.fields if d["type"] != "file"]
    out += [(d["key"], gettext("%(field)s (file name in the ZIP)") % {"field": d["label"]})
            for d in form_version.fields if d["type"] == "file"]
    out += [(SUBMITTED_AT, gettext("Original submission date")), (SUBMITTED_BY, gettext("Original submitter (name)")),
            (FILES, gettext("Evidence files (names in the ZIP, separated by ;)"))]
    return out


def auto_mapping(headers: list[str], form_version) -> dict[str, str]:
    """Column → target key, matched by label or key (case and punctuation ignored)."""
    names = {}
    for d in form_version.fields:
        names.setdefault(normalise(d["label"]), d["key"])
        names.setdefault(normalise(d["key"]), d["key"])
    for key, aliases in EXTRA_TARGETS.items():
        for a in aliases:
            names.setdefault(normalise(a), key)
    mapping, used = {}, set()
    for h in headers:
        key = names.get(normalise(h))
        if key and key not in used:
            mapping[h] = key
            used.add(key)
    return mapping


@dataclass(slots=True)
class RecordRow:
    """A planned row. 100,000 of them live from the plan to the report: slots, and a row with no
    files, problems or warnings shares the empty tuple rather than holding three empty lists."""

    row: int
    key: str = ""
    values_json: str = ""  # the record's values as JSON text (a third of a dict's size); "" once written
    submitted_at: datetime | None = None
    submitter: str = ""
    files: Sequence[tuple[str, str]] = ()  # (field key or "", member)
    problems: Sequence[str] = ()  # stored texts (qms.stored_text), as warnings and action
    warnings: Sequence[str] = ()
    action: str = ""

    def as_report(self) -> dict:
        """The row in the kept report, compact: a key only for what the row has (no empty problems
        or warnings, no empty submitter), and no `action_i18n`: a records row's action is only ever
        CREATE, "skip" or "" (it has problems), and report_row() gives CREATE's words back when shown."""
        out = {"row": self.row, "action": self.action}
        if self.problems:
            out["problems"], out["problems_i18n"] = list(self.problems), as_data_list(self.problems)
        if self.warnings:
            out["warnings"], out["warnings_i18n"] = list(self.warnings), as_data_list(self.warnings)
        if self.submitter:
            out["submitted_by"] = self.submitter
        if self.submitted_at:
            out["submitted_at"] = self.submitted_at.date().isoformat()
        return out


def report_row(row: dict) -> dict:
    """A row of a kept report as the page shows it: a compact row (RecordRow.as_report) with its action's
    words; a row of an older report (every key, each with its `_i18n`) as it is."""
    if row.get("action") == "create" and "action_i18n" not in row:
        return {**row, "action_i18n": CREATE.data}
    return row


@dataclass
class RecordPlan:
    record_type: RecordType | None = None
    rows: list[RecordRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def error_count(self) -> int:
        return len(self.errors) + sum(1 for r in self.rows if r.problems)

    def report(self) -> dict:
        return {**report_texts(self), "rows": [r.as_report() for r in self.rows],
                "summary": {"rows": len(self.rows), "problems": self.error_count,
                            "records_new": sum(1 for r in self.rows if r.action == "create"),
                            "already_imported": sum(1 for r in self.rows if r.action == "skip")}}


_TRUE = {"on", "true", "1", "yes", "y", "x", "ja", "oui", "✓"}
_FALSE = {"", "off", "false", "0", "no", "n", "nein", "non"}


def _as_form_data(form_version, raw: dict, people: _People, problems: list[str]) -> QueryDict:
    """Spreadsheet text → what the browser form would post for it."""
    data = QueryDict(mutable=True)
    for d in form_version.fields:
        key, kind = d["key"], d["type"]
        if key not in raw or kind == "file":
            continue
        text = raw[key]
        if kind == "checkbox":
            low = text.strip().lower()
            data[key] = "on" if low in _TRUE else ("" if low in _FALSE else text)
        elif kind == "multichoice":
            data.setlist(key, [p.strip() for p in re.split(r"[;\n]", text) if p.strip()])
        elif kind == "date" and text:
            parsed = parse_date(text)
            data[key] = parsed.isoformat() if parsed else text
        elif kind == "user" and text:
            user, why = people.find(text)
            if user is None:
                problems.append(said(gettext_noop("“%(field)s”: %(why)s."), field=d["label"], why=why))
            else:
                data[key] = str(user.pk)
        elif kind == "number":
            data[key] = text.replace(" ", "").replace(",", ".") if re.fullmatch(r"-?[\d ]+,\d+", text) else text
        else:
            data[key] = text
    return data


def fingerprint(record_type: RecordType, raw: dict, row: RecordRow) -> str:
    payload = json.dumps([record_type.code, sorted(raw.items()), row.submitter,
                          row.submitted_at.isoformat() if row.submitted_at else ""], ensure_ascii=False)
    return "row:" + hashlib.sha256(payload.encode()).hexdigest()


def plan(table: Table, record_type: RecordType, mapping: dict[str, str], source, *, today=None) -> RecordPlan:
    today = today or timezone.localdate()
    result = RecordPlan(record_type=record_type, errors=list(table.errors), notices=list(table.notices))
    if table.errors:
        return result
    form_version = current_form_version(record_type)
    if form_version is None:
        result.errors.append(said(gettext_noop("Record type %(type)s has no form yet."), type=record_type.code))
        return result
    valid_targets = {k for k, _ in targets(form_version)}
    mapping = {h: k for h, k in mapping.items() if k and h in table.headers}
    bad = {k for k in mapping.values() if k not in valid_targets}
    if bad:
        result.errors.append(said(gettext_noop("The mapping names fields the form does not have: %(fields)s."),
                                  fields=", ".join(sorted(bad))))
        return result
    if len(set(mapping.values())) != len(mapping):
        result.errors.append(said(gettext_noop("Two columns are mapped to the same field.")))
        return result
    if SUBMITTED_AT not in mapping.values():
        result.notices.append(said(gettext_noop(
            "No column holds the original submission date: records are dated today.")))
    file_fields = {d["key"] for d in form_version.fields if d["type"] == "file"}
    people = _People()
    keys = []
    forms_by_files: dict = {}
    # One object per date and per submitter's name, shared by their rows, not one per row.
    moments: dict = {}
    names: dict[str, str] = {}
    for number, row in table.iter_rows():  # a row at a time, let go once planned (issue 19)
        if not row:
            continue
        rr = RecordRow(row=number)
        problems: list[str] = []
        files: list[tuple[str, str]] = []
        raw = {}
        for header, target in mapping.items():
            value = row.get(header, "")
            if looks_like_formula(value):
                problems.append(formula_problem(header, value))
            if target == SUBMITTED_AT:
                if value:
                    d = parse_date(value)
                    if d is None:
                        problems.append(said(gettext_noop("Submission date “%(text)s” is not a date (use "
                                                          "YYYY-MM-DD or DD.MM.YYYY)."), text=value))
                    elif d > today:
                        problems.append(said(gettext_noop("Submission date %(date)s is in the future."),
                                             date=f"{d:%Y-%m-%d}"))
                    elif d < EARLIEST:
                        problems.append(said(gettext_noop("Submission date %(date)s is before %(year)s."),
                                             date=f"{d:%Y-%m-%d}", year=f"{EARLIEST:%Y}"))
                    else:
                        if d not in moments:
                            moments[d] = timezone.make_aware(datetime.combine(d, time(12)))
                        rr.submitted_at = moments[d]
            elif target == SUBMITTED_BY:
                rr.submitter = names.setdefault(value[:150], value[:150])
            elif target == FILES:
                for name in [p.strip() for p in re.split(r"[;\n]", value) if p.strip()]:
                    files.append(("", name))
            elif target in file_fields:
                if value:
                    files.append((target, value))
            else:
                raw[target] = value
        data = _as_form_data(form_version, raw, people, problems)
        present = {k for k, _ in files if k}
        form = forms_by_files.get(frozenset(present))
        if form is None:  # one record form per set of present files, bound again for each row
            form = forms_by_files[frozenset(present)] = build_record_form(
                form_version, data, {}, for_draft=False, existing_files=present, skip_files=True)
        else:
            form.data, form.is_bound, form._errors = data, True, None  # the next full_clean() validates `data`
        if not form.is_valid():
            labels = {d["key"]: d["label"] for d in form_version.fields}
            for key, errors in form.errors.as_data().items():
                what = labels.get(key) or said(gettext_noop("Record"))
                problems.extend(said(gettext_noop("“%(field)s”: %(error)s"), field=what,
                                     error=from_validation_error(e)) for e in errors)
        else:
            rr.values_json = json.dumps(form.json_values(), ensure_ascii=False)
        for fkey in file_fields:
            defn = next(d for d in form_version.fields if d["key"] == fkey)
            if defn.get("required") and fkey not in present:
                problems.append(said(gettext_noop("“%(field)s” needs a file."), field=defn["label"]))
        resolved = []
        for fkey, name in files:
            member = source.find(name) if source is not None else None
            if member is None:
                problems.append(said(gettext_noop("Evidence file “%(name)s” is not in the ZIP file."), name=name))
                continue
            try:
                validate_upload(ContentFile(source.read(member), name=name), allowed=EVIDENCE_TYPES)
            except SourceError as exc:
                problems.append(message_of(exc))
                continue
            except ValidationError as exc:
                problems.append(from_validation_error(exc))
                continue
            except Exception as exc:  # noqa: BLE001 - a file that breaks a reader is a problem of its row
                problems.append(" ".join(getattr(exc, "messages", [str(exc)])))
                continue
            resolved.append((fkey, member))
        if resolved:
            rr.files = resolved
        if problems:
            rr.problems = problems
        if table.row_notices.get(number):
            rr.warnings = list(table.row_notices[number])
        rr.key = fingerprint(record_type, raw | {"files": ";".join(n for _, n in resolved)}, rr)
        keys.append(rr.key)
        result.rows.append(rr)
    done = set()
    for i in range(0, len(keys), 5000):
        done |= set(ImportedItem.objects.filter(kind=KIND, key__in=keys[i:i + 5000]).values_list("key", flat=True))
    seen = {}
    for rr in result.rows:
        if rr.key in seen and not rr.problems:
            rr.warnings = [*rr.warnings, said(gettext_noop("The same values as row %(row)s: imported once."),
                                              row=seen[rr.key])]
            rr.action = "skip"
        elif rr.key in done:
            rr.action = "skip"
        elif not rr.problems:
            rr.action = CREATE
        seen.setdefault(rr.key, rr.row)
    return result


class _Numberer:
    def __init__(self, record_type: RecordType):
        self.rt = record_type
        self.used = set(Record.objects.filter(record_type=record_type).values_list("number", flat=True))
        self.next: dict[int, int] = {}

    def number(self, year: int) -> str:
        seq = self.next.get(year) or (Record.objects.filter(record_type=self.rt, created_at__year=year).count() + 1)
        while True:
            number = self.rt.numbering_pattern.format(code=self.rt.code, year=year, seq=seq)
            seq += 1
            if number not in self.used and 0 < len(number) <= NUMBER_MAX_LENGTH:
                break
        self.next[year] = seq
        self.used.add(number)
        return number


def execute(result: RecordPlan, source, *, actor, run, progress=None) -> dict:
    if result.error_count:
        raise ValueError("A plan with problems is never executed.")
    rt = result.record_type
    RecordType.objects.select_for_update()  # noqa: B018 - numbering is serialised per batch below
    form_version = current_form_version(rt)
    form_revision = None
    if rt.form_document_id:
        from documents.models import Revision

        form_revision = Revision.objects.filter(document_id=rt.form_document_id, status="effective").first()
    todo = [r for r in result.rows if r.action == "create"]
    rec_ct = ContentType.objects.get_for_model(Record)
    now = timezone.now()
    counts = {"records": 0, "evidence": 0}
    for start in range(0, len(todo), BATCH):
        batch = todo[start:start + BATCH]
        stored: list[str] = []
        try:
            with transaction.atomic():
                RecordType.objects.select_for_update().filter(pk=rt.pk).first()  # one numberer at a time
                numberer = _Numberer(rt)
                records = []
                for rr in batch:
                    when = rr.submitted_at or now
                    rec = Record(
                        number=numberer.number(when.year), record_type=rt, form_version=form_version,
                        form_revision=form_revision, status=Record.Status.SUBMITTED, values=json.loads(rr.values_json),
                        created_by=actor, created_at=when, submitted_at=when, submitted_by=actor,
                        retain_until=rt.retain_until_from(timezone.localdate(when)),
                    )
                    rec.search_text = search_text(rec)
                    rec._history_user = actor
                    rec._change_reason = (f"Imported (import {run.pk}, row {rr.row}): submitted by "
                                          f"{rr.submitter or 'unknown'} on {when:%Y-%m-%d}")
                    records.append(rec)
                bulk_create_with_history(records, Record, batch_size=BATCH, default_user=actor)
                if any(r.pk is None for r in records):  # SQLite before 3.35 returns no ids
                    by_number = dict(Record.objects.filter(number__in=[r.number for r in records])
                                     .values_list("number", "pk"))
                    for r in records:
                        r.pk = r.id = by_number[r.number]
                evidence = []
                for rec, rr in zip(records, batch, strict=True):
                    for fkey, member in rr.files:
                        f = store_upload(ContentFile(source.read(member), name=member.rsplit("/", 1)[-1]),
                                         folder=f"records/{rec.pk}", allowed=EVIDENCE_TYPES)
                        stored.append(f.name)
                        evidence.append(Evidence(record=rec, field_key=fkey, file=f.name,
                                                 original_name=f.original_name, size=f.size, sha256=f.sha256,
                                                 content_type=f.content_type, uploaded_by=actor,
                                                 uploaded_at=rec.submitted_at))
                if evidence:
                    bulk_create_with_history(evidence, Evidence, batch_size=BATCH, default_user=actor,
                                             default_change_reason=f"Imported (import {run.pk})")
                ImportedItem.objects.bulk_create([
                    ImportedItem(run=run, kind=KIND, key=rr.key, row=rr.row, content_type=rec_ct, object_id=rec.pk,
                                 data={"submitted_by": rr.submitter,
                                       "submitted_at": rr.submitted_at.date().isoformat() if rr.submitted_at else ""})
                    for rec, rr in zip(records, batch, strict=True)], batch_size=BATCH)
                AuditEvent.objects.bulk_create([
                    AuditEvent(actor=actor, actor_name=actor.display_name, verb="record.imported",
                               content_type=rec_ct, object_id=str(rec.pk), object_repr=rec.number,
                               to_state=Record.Status.SUBMITTED,
                               comment=(f"Imported by {actor.display_name} (import {run.pk}, row {rr.row}); "
                                        f"originally submitted by {rr.submitter or 'an unnamed person'} on "
                                        f"{rec.submitted_at:%Y-%m-%d}"),
                               data={"imported_submitter": rr.submitter, "original_date": rec.submitted_at.date().isoformat(),
                                     "import": run.pk, "row": rr.row})
                    for rec, rr in zip(records, batch, strict=True)], batch_size=BATCH)
                counts["records"] += len(records)
                counts["evidence"] += len(evidence)
            for rr in batch:  # written: the report keeps no values, so the plan lets them go batch by batch
                rr.values_json = ""
            if settings.DEBUG:
                # DEBUG keeps every query's SQL, and a batch's INSERTs are megabytes: 100 batches
                # held ~110 MB (issue 19). Let them go per batch, as Django does per request.
                reset_queries()
        except Exception:
            for name in stored:
                default_storage.delete(name)
            raise
        if progress:
            progress(start + len(batch), len(todo))
    record_event(actor=actor, verb="intake.finished", obj=rt,
                 comment=f"{counts['records']} records imported (import {run.pk})")
    return counts
