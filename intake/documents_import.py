"""Document import: a register (CSV/XLSX) + files (ZIP or server folder) → documents with their history.

`plan(table, source, actor)` is the dry run: per register row, what will be
created and every problem; it writes nothing. `execute(plan, ...)` writes one
document (all its revisions) per transaction, after a new plan found no
problem: a run stopped half-way is resumed by running it again (what exists is
skipped: every revision is keyed by number and label in ImportedItem).

Revisions of one number are ordered by their label under the type's scheme;
the newest is effective, the older ones superseded. Original numbers and
labels are kept; the (type, department) numbering counter is moved past every
imported number. A historic approval becomes a Signature with the meaning
"imported" (approved outside this system, recorded by the importer): never an
electronic signature.
"""

from __future__ import annotations

import re
import string
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from documents.models import (
    NUMBER_CHARS,
    NUMBER_CHARS_TEXT,
    REVISION_LETTERS,
    Document,
    DocumentType,
    NumberCounter,
    Revision,
)
from documents.services import add_months
from intake.models import ImportedItem
from intake.sources import SUPPORTED, SourceError, docx_problem, docx_to_markdown
from intake.tabular import Table, column, looks_like_formula, parse_date
from qms.audit import attribute, record_event
from qms.dates import HISTORIC_EARLIEST
from qms.history import created_in_one_row
from qms.models import Clause, Department, Signature, User
from qms.signatures import content_hash
from qms.stored_text import as_data, as_data_list, from_validation_error, message_of
from qms.stored_text import text as said
from qms.uploads import PDF_ONLY, SOURCE_FILES, extension_of, store_upload, validate_upload

S = Revision.Status
KIND = "documents"

COLUMNS = {
    "number": ("number", "document number", "doc no", "document no"),
    "title": ("title", "document title"),
    "type": ("type", "document type", "doc type"),
    "department": ("department", "dept"),
    "owner": ("owner", "document owner"),
    "revision": ("revision", "revision label", "rev", "revision letter"),
    "effective_date": ("effective date", "effective", "effective from"),
    "approver": ("approver", "approved by", "approver name"),
    "approval_date": ("approval date", "approved on", "approved at", "date approved"),
    "clauses": ("clauses", "iso clauses", "clause"),
    "distribution": ("distribution", "distribution list", "readers"),
    "file": ("file", "filename", "file name", "path"),
    "change_summary": ("change summary", "change", "changes", "description of change"),
}
REQUIRED = ("number", "title", "type", "department", "revision", "effective_date", "file")


# ------------------------------------------------------------------ labels
def label_order(scheme: str, label: str):
    """The position of `label` under `scheme` (for ordering), or None if it does not fit it."""
    if scheme == "numeric":
        return int(label) if re.fullmatch(r"\d{1,4}", label) else None
    if scheme == "letters":
        if not re.fullmatch(rf"[{REVISION_LETTERS}]{{1,3}}", label):
            return None
        n = 0
        for ch in label:  # bijective base-20, as documents.models.revision_label
            n = n * len(REVISION_LETTERS) + REVISION_LETTERS.index(ch) + 1
        return n
    if scheme == "decimal":
        m = re.fullmatch(r"(\d{1,3})\.(\d{1,3})", label)
        return (int(m.group(1)), int(m.group(2))) if m else None
    return None


SCHEME_HINT = {
    "numeric": said(gettext_noop("two digits (00, 01, 02…)")),
    "letters": said(gettext_noop("capital letters from %(letters)s (I, O, Q, S, X, Z are never used)"),
                    letters=REVISION_LETTERS),
    "decimal": said(gettext_noop("a decimal number (1.0, 2.0…)")),
}


def number_seq(doc_type: DocumentType, department: Department | None, number: str) -> tuple[str, int] | None:
    """(counter scope, seq) if `number` follows the type's pattern; so the counter moves past it."""
    regex, has_seq = "", False
    for literal, name, _spec, _conv in string.Formatter().parse(doc_type.numbering_pattern):
        regex += re.escape(literal)
        if name == "type":
            regex += re.escape(doc_type.code)
        elif name == "dept":
            if department is None:
                return None
            regex += re.escape(department.code)
        elif name == "seq":
            regex += r"(?P<seq>\d+)"
            has_seq = True
        elif name is not None:
            return None
    m = re.fullmatch(regex, number) if has_seq else None
    if not m:
        return None
    scope = department.code if "{dept" in doc_type.numbering_pattern and department else ""
    return scope, int(m.group("seq"))


# ------------------------------------------------------------------ the plan
@dataclass
class RowPlan:
    row: int
    number: str = ""
    label: str = ""
    title: str = ""
    file: str = ""
    action: str = ""  # "skip", or what the run will do (a stored text)
    problems: list[str] = field(default_factory=list)  # stored texts (qms.stored_text), as warnings
    warnings: list[str] = field(default_factory=list)
    # resolved (not in the report)
    order: object = None
    doc_type: DocumentType | None = None
    department: Department | None = None
    owner: User | None = None
    effective_date: date | None = None
    approval_date: date | None = None
    approver: str = ""
    clauses: list = field(default_factory=list)
    dist_users: list = field(default_factory=list)
    dist_groups: list = field(default_factory=list)
    member: str = ""
    ext: str = ""
    change_summary: str = ""

    def as_report(self) -> dict:
        return {"row": self.row, "number": self.number, "label": self.label, "title": self.title, "file": self.file,
                "action": self.action, "action_i18n": as_data(self.action),
                "problems": self.problems, "problems_i18n": as_data_list(self.problems),
                "warnings": self.warnings, "warnings_i18n": as_data_list(self.warnings)}


@dataclass
class Plan:
    rows: list[RowPlan] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def error_count(self) -> int:
        return len(self.errors) + sum(1 for r in self.rows if r.problems)

    def groups(self) -> dict[str, list[RowPlan]]:
        out: dict[str, list[RowPlan]] = defaultdict(list)
        for r in self.rows:
            if r.action != "skip":
                out[r.number].append(r)
        for rows in out.values():
            rows.sort(key=lambda r: r.order)
        return out

    def report(self) -> dict:
        todo = [r for r in self.rows if r.action not in ("skip", "")]
        return {
            **report_texts(self), "rows": [r.as_report() for r in self.rows],
            "summary": {
                "rows": len(self.rows), "problems": self.error_count,
                "documents_new": len({r.number for r in todo if r.action.startswith("create document")}),
                "revisions_new": len(todo), "already_imported": sum(1 for r in self.rows if r.action == "skip"),
            },
        }


def report_texts(plan) -> dict:
    """A plan's file-level errors and notices for its report, each list with its `_i18n` beside it."""
    return {"errors": plan.errors, "errors_i18n": as_data_list(plan.errors),
            "notices": plan.notices, "notices_i18n": as_data_list(plan.notices)}


class _People:
    """Users by username, e-mail and name (one query), for owners and distribution."""

    def __init__(self):
        self.by_key: dict[str, list[User]] = defaultdict(list)
        for u in User.objects.filter(is_active=True).only("id", "username", "email", "full_name", "first_name",
                                                            "last_name"):
            keys = {u.username.casefold(), (u.email or "").casefold(), (u.full_name or "").casefold(),
                    f"{u.first_name} {u.last_name}".strip().casefold()}
            for k in keys - {""}:
                self.by_key[k].append(u)

    def find(self, text: str) -> tuple[User | None, str | None]:
        found = {u.pk: u for u in self.by_key.get(text.strip().casefold(), [])}
        if len(found) == 1:
            return next(iter(found.values())), None
        if not found:
            return None, said(gettext_noop("no active user “%(name)s” (by username, e-mail or name)"), name=text)
        return None, said(gettext_noop("“%(name)s” names %(count)s users; use the username"),
                          name=text, count=len(found))


def _split(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[;,\n]", text or "") if p.strip()]


def plan(table: Table, source, *, actor, today: date | None = None) -> Plan:
    """The dry run: nothing is written."""
    today = today or timezone.localdate()
    result = Plan(errors=list(table.errors), notices=list(table.notices))
    if table.errors:
        return result
    cols = {key: column(table.headers, *names) for key, names in COLUMNS.items()}
    missing = [k for k in REQUIRED if not cols[k]]
    if missing:
        headers = ", ".join(h for h in table.headers if h)
        result.errors.append(said(gettext_noop("The register has no column for: %(missing)s. Its columns are: "
                                               "%(columns)s."),
                                  missing=", ".join(k.replace("_", " ") for k in missing),
                                  columns=headers or said(gettext_noop("none"))))
        return result
    types = {t.code.casefold(): t for t in DocumentType.objects.all()}
    types.update({t.name.casefold(): t for t in types.values()})
    depts = {d.code.casefold(): d for d in Department.objects.all()}
    depts.update({d.name.casefold(): d for d in list(depts.values())})
    clauses = {c.number: c for c in Clause.objects.all()}
    groups = {g.name.casefold(): g for g in Group.objects.all()}
    people = _People()
    numbers = [(row.get(cols["number"]) or "").strip() for row in table.rows]
    existing = {d.number.casefold(): d for d in Document.objects.filter(number__in=[n for n in numbers if n])
                .select_related("doc_type", "department")}
    imported_docs = set(ImportedItem.objects.filter(kind=KIND, key__in=[f"doc:{n}" for n in numbers if n])
                        .values_list("key", flat=True))
    existing_labels = defaultdict(dict)
    for doc_id, label, seq in Revision.objects.filter(document__in=existing.values()).values_list(
            "document_id", "label", "seq"):
        existing_labels[doc_id][label] = seq
    seen: dict[tuple[str, str], int] = {}
    first_of: dict[str, RowPlan] = {}

    def get(row, key):
        return (row.get(cols[key]) or "").strip() if cols[key] else ""

    for index, row in enumerate(table.rows):
        if not row:
            continue
        rp = RowPlan(row=table.row_number(index))
        p = rp.problems
        rp.warnings.extend(table.row_notices.get(rp.row, []))
        for header, value in row.items():
            if looks_like_formula(value):
                p.append(formula_problem(header, value))
        rp.number, rp.title, rp.label = get(row, "number"), get(row, "title"), get(row, "revision")
        rp.file, rp.approver, rp.change_summary = get(row, "file"), get(row, "approver"), get(row, "change_summary")
        for key in REQUIRED:
            if not get(row, key):
                p.append(said(gettext_noop("“%(column)s” is empty."), column=cols[key]))
        if rp.number and (not NUMBER_CHARS.match(rp.number) or len(rp.number) > 40):
            p.append(said(gettext_noop("Number “%(number)s”: a number may hold only %(allowed)s, at most 40 "
                                       "characters."), number=rp.number, allowed=NUMBER_CHARS_TEXT))
        if len(rp.title) > 200:
            p.append(said(gettext_noop("The title is longer than 200 characters.")))
        # type and revision label
        rp.doc_type = types.get(get(row, "type").casefold()) if get(row, "type") else None
        if get(row, "type") and rp.doc_type is None:
            p.append(said(gettext_noop("Unknown document type “%(type)s” (known: %(known)s)."),
                          type=get(row, "type"), known=", ".join(sorted(t.code for t in set(types.values())))))
        if rp.doc_type and rp.label:
            rp.order = label_order(rp.doc_type.revision_scheme, rp.label)
            if rp.order is None:
                p.append(said(gettext_noop("Revision “%(label)s” does not fit the scheme of type %(type)s: %(hint)s."),
                              label=rp.label, type=rp.doc_type.code, hint=SCHEME_HINT[rp.doc_type.revision_scheme]))
        # department, owner, distribution, clauses
        if get(row, "department"):
            rp.department = depts.get(get(row, "department").casefold())
            if rp.department is None:
                p.append(said(gettext_noop("Unknown department “%(department)s”."), department=get(row, "department")))
        if get(row, "owner"):
            rp.owner, why = people.find(get(row, "owner"))
            if why:
                p.append(said(gettext_noop("Owner: %(why)s."), why=why))
        else:
            rp.warnings.append(said(gettext_noop("No owner: %(name)s (the importer) becomes the owner."),
                                    name=actor.display_name))
        for part in _split(get(row, "clauses")):
            part = part.removeprefix("ISO 9001").strip().removeprefix("§").strip()
            if part in clauses:
                rp.clauses.append(clauses[part])
            else:
                p.append(said(gettext_noop("Unknown ISO 9001 clause “%(clause)s”."), clause=part))
        for part in _split(get(row, "distribution")):
            if part.casefold() in groups:
                rp.dist_groups.append(groups[part.casefold()])
            else:
                user, why = people.find(part)
                if user:
                    rp.dist_users.append(user)
                else:
                    p.append(said(gettext_noop("Distribution: “%(name)s” is neither a group nor a user (%(why)s)."),
                                  name=part, why=why))
        # dates
        for key, attr, label in (("effective_date", "effective_date", said(gettext_noop("Effective date"))),
                                 ("approval_date", "approval_date", said(gettext_noop("Approval date")))):
            text = get(row, key)
            if not text:
                continue
            value = parse_date(text)
            if value is None:
                p.append(said(gettext_noop("%(what)s “%(text)s” is not a date (use YYYY-MM-DD or DD.MM.YYYY)."),
                              what=label, text=text))
            elif value > today:
                p.append(said(gettext_noop("%(what)s %(date)s is in the future: only revisions already in force "
                                           "are imported."), what=label, date=f"{value:%Y-%m-%d}"))
            elif value < HISTORIC_EARLIEST:
                p.append(said(gettext_noop("%(what)s %(date)s is before %(year)s."),
                              what=label, date=f"{value:%Y-%m-%d}", year=f"{HISTORIC_EARLIEST:%Y}"))
            else:
                setattr(rp, attr, value)
        if rp.approval_date and rp.effective_date and rp.approval_date > rp.effective_date:
            p.append(said(gettext_noop("Approved on %(approved)s, after it became effective (%(effective)s)."),
                          approved=f"{rp.approval_date:%Y-%m-%d}", effective=f"{rp.effective_date:%Y-%m-%d}"))
        if rp.approver and not rp.approval_date:
            rp.approval_date = rp.effective_date
            if rp.effective_date:
                rp.warnings.append(said(gettext_noop(
                    "No approval date: the effective date is recorded as the approval date.")))
        if not rp.approver:
            rp.warnings.append(said(gettext_noop(
                "No approver named: the revision is imported without an approval record.")))
        if len(rp.approver) > 150:
            p.append(said(gettext_noop("The approver's name is longer than 150 characters.")))
        # the file
        if rp.file:
            _check_file(rp, source)
        # duplicates and what exists already
        key = (rp.number.casefold(), rp.label)
        if rp.number and rp.label:
            if key in seen:
                p.append(said(gettext_noop("%(number)s revision %(label)s appears twice in the register (also row "
                                           "%(row)s)."), number=rp.number, label=rp.label, row=seen[key]))
            seen.setdefault(key, rp.row)
        first = first_of.setdefault(rp.number.casefold(), rp)
        if first is not rp and rp.number:
            if first.doc_type and rp.doc_type and first.doc_type != rp.doc_type:
                p.append(said(gettext_noop("%(number)s has type %(type)s on row %(row)s but %(here)s here."),
                              number=rp.number, type=first.doc_type.code, row=first.row, here=rp.doc_type.code))
            if first.department and rp.department and first.department != rp.department:
                p.append(said(gettext_noop("%(number)s belongs to %(department)s on row %(row)s but to %(here)s "
                                           "here."), number=rp.number, department=first.department.code,
                              row=first.row, here=rp.department.code))
        doc = existing.get(rp.number.casefold())
        if doc is not None:
            if f"doc:{doc.number}" not in imported_docs:
                p.append(said(gettext_noop("Number %(number)s is already used in this system (not by an import): "
                                           "numbers are never reused. Give the row its document's number only if "
                                           "it is the same document."), number=rp.number))
            elif rp.label in existing_labels[doc.pk]:
                rp.action = "skip"
            else:
                rp.action = said(gettext_noop("add revision %(label)s to %(number)s"), label=rp.label, number=doc.number)
        elif rp.number:
            rp.action = said(gettext_noop("create document %(number)s, revision %(label)s"),
                             number=rp.number, label=rp.label)
        result.rows.append(rp)
    _order_checks(result, existing, existing_labels)
    return result


def formula_problem(header: str, value: str) -> str:
    """A cell a spreadsheet would run as a formula (CSV injection): a problem of its row."""
    return said(gettext_noop("Column “%(column)s” holds “%(value)s”, which a spreadsheet would run as a formula; "
                             "remove the leading character."), column=header, value=value[:40])


def _check_file(rp: RowPlan, source) -> None:
    member = source.find(rp.file)
    rp.ext = extension_of(rp.file)
    if member is None:
        rp.problems.append(
            said(gettext_noop("File “%(name)s” is not in the folder."), name=rp.file) if hasattr(source, "root")
            else said(gettext_noop("File “%(name)s” is not in the ZIP file."), name=rp.file))
        return
    rp.member = member
    if rp.ext not in SUPPORTED:
        rp.problems.append(said(gettext_noop("“%(name)s”: .%(ext)s files cannot be imported (only .docx, converted "
                                             "to editable text, and .pdf)."), name=rp.file, ext=rp.ext or "?"))
        return
    try:
        data = source.read(member)
    except SourceError as exc:
        rp.problems.append(message_of(exc))
        return
    if rp.ext == "docx":
        problem = docx_problem(data, rp.file)
        if problem:
            rp.problems.append(problem)
        elif len(data) > 0:
            try:
                validate_upload(ContentFile(data, name=rp.file), allowed=SOURCE_FILES)
            except ValidationError as exc:
                rp.problems.append(from_validation_error(exc))
    else:
        try:
            validate_upload(ContentFile(data, name=rp.file), allowed=PDF_ONLY)
        except ValidationError as exc:
            rp.problems.append(from_validation_error(exc))


def _order_checks(result: Plan, existing, existing_labels) -> None:
    """New labels of an already imported document must come after the ones it has."""
    for rp in result.rows:
        doc = existing.get(rp.number.casefold())
        if doc is None or rp.action == "skip" or rp.problems or rp.order is None:
            continue
        orders = [label_order(doc.doc_type.revision_scheme, lab) for lab in existing_labels[doc.pk]]
        orders = [o for o in orders if o is not None]
        if orders and rp.order < max(orders):
            rp.problems.append(said(gettext_noop("%(number)s already has later revisions than %(label)s in this "
                                                 "system; older history cannot be added after newer."),
                                    number=rp.number, label=rp.label))


# ------------------------------------------------------------------ the real run
def _aware(d: date | None):
    return timezone.make_aware(datetime.combine(d, time(12))) if d else None


def execute(result: Plan, source, *, actor, run, progress=None) -> dict:
    """Write the plan, one document per transaction; returns counts. Refuses a plan with problems."""
    if result.error_count:
        raise ValueError("A plan with problems is never executed.")
    groups = result.groups()
    counts = {"documents": 0, "revisions": 0, "signatures": 0}
    for done, (number, rows) in enumerate(groups.items(), start=1):
        stored: list[str] = []
        try:
            with transaction.atomic():
                _import_document(number, rows, source, actor=actor, run=run, counts=counts, stored=stored)
        except Exception:
            for name in stored:  # the transaction rolled back: its files go too
                default_storage.delete(name)
            raise
        if progress:
            progress(done, len(groups))
    return counts


def _store(data: bytes, name: str, folder: str, allowed, stored: list[str]):
    try:
        f = store_upload(ContentFile(data, name=name), folder=folder, allowed=allowed)
    except ValidationError as exc:
        raise SourceError(from_validation_error(exc)) from exc
    stored.append(f.name)
    return f


def _import_document(number, rows, source, *, actor, run, counts, stored) -> None:
    first, last = rows[0], rows[-1]
    reason = f"Imported (import {run.pk}, {run.register_name or 'register'})"
    doc = Document.objects.select_for_update().filter(number=number).first()
    doc_ct = ContentType.objects.get_for_model(Document)
    rev_ct = ContentType.objects.get_for_model(Revision)
    created = doc is None
    if created:
        doc = Document(number=number, title=last.title, doc_type=first.doc_type, owner=last.owner or actor,
                       department=first.department)
        attribute(doc, actor, reason)
        doc.skip_history_when_saving = True  # its history starts with one row, its finished state (below)
        doc.save()
        doc.clauses.set({c.pk for r in rows for c in r.clauses})
        doc.distribution_users.set({u.pk for r in rows for u in r.dist_users})
        doc.distribution_groups.set({g.pk for r in rows for g in r.dist_groups})
        ImportedItem.objects.create(run=run, kind=KIND, key=f"doc:{number}", row=first.row, content_type=doc_ct,
                                    object_id=doc.pk, data={"register_row": first.row})
        record_event(actor=actor, verb="document.imported", obj=doc, comment=reason)
        counts["documents"] += 1
        _advance_counter(doc)
    seq = (doc.revisions.order_by("-seq").values_list("seq", flat=True).first() or 0)
    previous = doc.revisions.filter(status=S.EFFECTIVE).first()
    folder = f"documents/{doc.pk}"
    for i, rp in enumerate(rows):
        seq += 1
        newest = i == len(rows) - 1
        nxt = rows[i + 1] if not newest else None
        rev = Revision(
            document=doc, seq=seq, label=rp.label, created_by=actor,
            status=S.EFFECTIVE if newest else S.SUPERSEDED,
            change_summary=rp.change_summary or ("Initial issue (imported)" if seq == 1 else
                                                 f"Revision {rp.label} (imported)"),
            change_reason="" if seq == 1 else "Imported from the previous system",
            significance=Revision.Significance.SIGNIFICANT,
            effective_date=rp.effective_date, effective_at=_aware(rp.effective_date),
            approved_at=_aware(rp.approval_date or rp.effective_date), submitted_at=_aware(rp.approval_date),
            retired_at=_aware(nxt.effective_date) if nxt else None,
            retire_reason=f"Superseded by revision {nxt.label}" if nxt else "",
        )
        data = source.read(rp.member)
        if rp.ext == "docx":
            rev.content, warnings = docx_to_markdown(data)
            f = _store(data, rp.file, folder, SOURCE_FILES, stored)
            rev.source_file, rev.source_original_name, rev.source_sha256 = f.name, f.original_name, f.sha256
            rev.source_size, rev.source_content_type = f.size, f.content_type
        else:
            f = _store(data, rp.file, folder, PDF_ONLY, stored)
            rev.pdf_file, rev.pdf_original_name, rev.pdf_sha256, rev.pdf_size = f.name, f.original_name, f.sha256, f.size
        if newest and previous is not None:
            previous.status, previous.retired_at = S.SUPERSEDED, rev.effective_at
            previous.retire_reason = f"Superseded by revision {rp.label}"
            attribute(previous, actor, reason)
            previous.save()
        attribute(rev, actor, reason)
        rev.save()
        ImportedItem.objects.create(run=run, kind=KIND, key=f"rev:{number}:{rp.label}", row=rp.row,
                                    content_type=rev_ct, object_id=rev.pk,
                                    data={"file": rp.file, "sha256": f.sha256, "approver": rp.approver,
                                          "approval_date": rp.approval_date.isoformat() if rp.approval_date else ""})
        record_event(actor=actor, verb="revision.imported", obj=rev, to_state=rev.status,
                     comment=f"{rp.file} (register row {rp.row})", data={"sha256": f.sha256})
        counts["revisions"] += 1
        if rp.approver:
            Signature.objects.create(
                signer=actor, printed_name=rp.approver[:150], signed_at=_aware(rp.approval_date),
                meaning=Signature.Meaning.IMPORTED, content_type=rev_ct, object_id=rev.pk,
                content_hash=content_hash(rev.signature_content()), method="imported",
                comment=(f"Approved outside this system by {rp.approver} on {rp.approval_date:%Y-%m-%d}; "
                         f"recorded by {actor.display_name} at import {run.pk} (register row {rp.row}). "
                         f"Not an electronic signature."),
            )
            counts["signatures"] += 1
    doc.refresh_from_db()
    newest_rev = doc.revisions.order_by("-seq").first()
    doc.effective_revision = newest_rev
    doc.latest_revision = newest_rev
    doc.title = last.title
    doc.next_review_date = add_months(newest_rev.effective_date, doc.interval_months)
    attribute(doc, actor, reason)
    doc.save()
    if created:
        created_in_one_row(doc)


def _advance_counter(doc: Document) -> None:
    found = number_seq(doc.doc_type, doc.department, doc.number)
    if not found:
        return
    scope, seq = found
    NumberCounter.objects.bulk_create([NumberCounter(doc_type=doc.doc_type, scope=scope)], ignore_conflicts=True)
    counter = NumberCounter.objects.select_for_update().get(doc_type=doc.doc_type, scope=scope)
    if counter.last_seq < seq:
        counter.last_seq = seq
        counter.save(update_fields=["last_seq"])
