"""Reads for quality records, also used by other apps (audits, readiness, digest).

- `records_for_user(user)`: the records a user may read (same rule as
  qms.permissions.can_view_record, as a queryset).
- `record_counts_by_clause(since)`: submitted records per ISO clause.
- `records_for_clause(user, number, since=, until=)`: readable records under a clause.
- `register(user, filters)`: the filtered register queryset (list columns only).
"""

from __future__ import annotations

from datetime import datetime, time

from django.db import connection
from django.db.models import BooleanField, Count, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone, translation

from qms import permissions, scope
from qms.models import User
from records.forms import display_value
from records.models import Evidence, FormVersion, Record, RecordType
from records.rules import is_record_verifier


def records_for_user(user) -> QuerySet[Record]:
    """Records `user` may read: all for the quality manager and auditors;
    otherwise their own, plus submitted records for verifiers."""
    qs = Record.objects.all()
    if not getattr(user, "is_active", False) or not getattr(user, "pk", None):
        return qs.none()
    if permissions.can_read_everything(user):
        return scope.narrow(qs, user)  # e.g. an external auditor's grant
    visible = Q(created_by=user)
    if is_record_verifier(user):
        visible |= Q(status=Record.Status.SUBMITTED)
    return qs.filter(visible)


def record_counts_by_clause(since=None) -> dict[str, int]:
    """{clause number: number of submitted (not void, not disposed) records}."""
    qs = Record.objects.filter(status=Record.Status.SUBMITTED)
    if since is not None:
        qs = qs.filter(submitted_at__gte=_start_of(since))
    rows = qs.values("record_type__clauses__number").annotate(n=Count("id")).order_by()
    return {r["record_type__clauses__number"]: r["n"] for r in rows if r["record_type__clauses__number"]}


def records_for_clause(user, clause_number: str, *, since=None, until=None) -> QuerySet[Record]:
    """Records `user` may read whose type covers `clause_number` or a sub-clause
    (for audits sampling evidence and the readiness map); list columns only."""
    types = RecordType.objects.filter(
        Q(clauses__number=clause_number) | Q(clauses__number__startswith=f"{clause_number}.")
    ).values("pk")
    qs = records_for_user(user).filter(record_type__in=types).for_list()
    if since is not None:
        qs = qs.filter(created_at__gte=_start_of(since))
    if until is not None:
        qs = qs.filter(created_at__lt=_start_of(until) + timezone.timedelta(days=1))
    return qs.order_by("-created_at", "-id")


def _start_of(day):
    if isinstance(day, datetime):
        return day
    return timezone.make_aware(datetime.combine(day, time.min))


FILE_MATCHES_LISTED = 500


def _file_text_matches(text: str) -> RawSQL:
    """An evidence file whose extracted text matches `text` (PostgreSQL: its GIN-indexed text_vector, migration 0011)."""
    return RawSQL("records_evidence.text_vector @@ plainto_tsquery('simple'::regconfig, %s)", [text],
                  output_field=BooleanField())


def search(qs: QuerySet[Record], text: str) -> QuerySet[Record]:
    """Full-text search over field values. PostgreSQL: the stored, GIN-indexed
    tsvector generated from `search_text` (migration 0007), or its evidence files' text (0011);
    elsewhere: every word must occur."""
    text = (text or "").strip()
    if not text:
        return qs
    if connection.vendor == "postgresql":
        match = RawSQL(
            "records_record.search_vector @@ plainto_tsquery('simple'::regconfig, %s)",
            [text], output_field=BooleanField(),
        )
        # The records whose evidence files' text matches (qms.textract), through the files' own GIN
        # index (migration 0011), read first: they are few, and written into the query as a list
        # the planner ORs them with the GIN scan of the fields and the number's unique index (a
        # BitmapOr). As a subquery inside the OR it could not: every search was a sequential scan
        # of the whole register (136 ms at 200,000 records, growing with them). More than
        # FILE_MATCHES_LISTED such records: the subquery, which is exact whatever the number.
        matching = Evidence.objects.filter(_file_text_matches(text), disposed_at__isnull=True)
        listed = list(matching.values_list("record_id", flat=True).distinct().order_by()[: FILE_MATCHES_LISTED + 1])
        files = Q(pk__in=listed) if len(listed) <= FILE_MATCHES_LISTED else Q(pk__in=matching.values("record_id"))
        return qs.filter(Q(match) | files | Q(number__in={text, text.upper()}))
    cond, in_files = Q(), Q()
    for word in text.split()[:10]:
        cond &= Q(search_text__icontains=word)
        in_files &= Q(text__icontains=word)
    files = Evidence.objects.filter(in_files, disposed_at__isnull=True).values("record_id")
    return qs.filter(cond | Q(pk__in=files) | Q(number__in={text, text.upper()}))


def evidence_texts(record_ids, text: str) -> dict[int, str]:
    """{record id: the text of its files that matches `text`} for one page of hits (one query)."""
    if not record_ids or not (text or "").strip():
        return {}
    qs = Evidence.objects.filter(record_id__in=list(record_ids), disposed_at__isnull=True).exclude(text="")
    if connection.vendor == "postgresql":
        qs = qs.filter(_file_text_matches(text))
    out: dict[int, str] = {}
    for record_id, body in qs.order_by("record_id", "uploaded_at", "id").values_list("record_id", "text"):
        out.setdefault(record_id, body)
    return out


def register(user, filters: dict) -> QuerySet[Record]:
    """The register: what `user` may read, filtered, newest first, list columns only."""
    qs = records_for_user(user).for_list()
    if filters.get("type"):
        qs = qs.filter(record_type=filters["type"])
    if filters.get("clause"):
        qs = qs.filter(record_type__in=RecordType.objects.filter(clauses__number=filters["clause"]).values("pk"))
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("submitter"):
        qs = qs.filter(created_by=filters["submitter"])
    if filters.get("since"):
        qs = qs.filter(created_at__gte=_start_of(filters["since"]))
    if filters.get("until"):
        qs = qs.filter(created_at__lt=_start_of(filters["until"]) + timezone.timedelta(days=1))
    if filters.get("verified") == "yes":
        qs = qs.filter(verified_at__isnull=False)
    elif filters.get("verified") == "no":
        qs = qs.awaiting_verification()
    qs = search(qs, filters.get("q", ""))
    return qs.order_by("-created_at", "-id")


def export_rows(qs: QuerySet[Record]):
    return export_rows_of(qs.iterator(chunk_size=2000))


def export_rows_of(records):
    """The export columns of `records` (register rows: `for_list()`)."""
    for r in records:
        with translation.override(None):  # the export stays English whatever the reader's language
            status = str(r.get_status_display())
        yield [
            r.number, r.record_type.code, r.record_type.name, status,
            r.verification_label, "yes" if r.is_amended else "", r.created_by.display_name,
            r.created_at, r.submitted_at, r.retain_until or "permanent", "yes" if r.legal_hold else "",
        ]


EXPORT_HEADERS = ["Number", "Type code", "Type", "Status", "Verification", "Amended", "Created by",
                  "Created (UTC)", "Submitted (UTC)", "Retain until", "Legal hold"]


def record_detail(number: str) -> Record:
    return Record.objects.select_related(
        "record_type", "record_type__form_document", "form_version", "form_revision", "created_by", "submitted_by",
        "verified_by", "voided_by", "disposed_by",
    ).get(number=number)


def rendered_values(record: Record, values: dict | None = None) -> list[dict]:
    """[{key, label, type, value}] in the order of the record's own form version."""
    values = record.values if values is None else values
    defs = record.form_version.fields or []
    user_ids = [values.get(d["key"]) for d in defs if d["type"] == "user" and values.get(d["key"])]
    users = {u.pk: u for u in User.objects.filter(pk__in=user_ids)} if user_ids else {}
    out = []
    for d in defs:
        out.append({"key": d["key"], "label": d["label"], "type": d["type"],
                    "value": "" if d["type"] == "file" else display_value(d, values.get(d["key"]), users)})
    return out


def rendered_amendments(record: Record) -> list[dict]:
    defs = {d["key"]: d for d in record.form_version.fields or []}
    amendments = list(record.amendments.select_related("amended_by").order_by("seq"))
    user_ids = set()
    for a in amendments:
        for vals in (a.old_values, a.new_values):
            user_ids |= {v for k, v in vals.items() if defs.get(k, {}).get("type") == "user" and v}
    users = {u.pk: u for u in User.objects.filter(pk__in=user_ids)} if user_ids else {}
    out = []
    for a in amendments:
        changes = []
        for key in sorted(set(a.old_values) | set(a.new_values)):
            d = defs.get(key, {"label": key, "type": "text"})
            changes.append({"label": d["label"], "old": display_value(d, a.old_values.get(key), users),
                            "new": display_value(d, a.new_values.get(key), users)})
        out.append({"amendment": a, "changes": changes})
    return out


def current_form_revision(record_type: RecordType):
    """The effective revision of the controlled form document, if any."""
    if not record_type.form_document_id:
        return None
    from documents.models import Revision

    return Revision.objects.filter(document_id=record_type.form_document_id, status="effective").first()


def past_retention(user) -> QuerySet[Record]:
    return records_for_user(user).past_retention().for_list().order_by("retain_until", "id")


def record_detail_by_pk(pk) -> Record:
    return Record.objects.select_related(
        "record_type", "record_type__form_document", "form_version", "form_revision", "created_by", "submitted_by",
        "verified_by", "voided_by", "disposed_by",
    ).get(pk=pk)


# ------------------------------------------------------------------ records naming another app's object
def reference_fields(kind: str) -> dict[int, list[str]]:
    """{form version id: keys of its Reference fields of `kind`} (qms.references).
    Form versions are few (one per edit of a type's form); read them once."""
    out: dict[int, list[str]] = {}
    for pk, fields in FormVersion.objects.values_list("pk", "fields"):
        keys = [d["key"] for d in fields or [] if d.get("type") == "reference" and d.get("ref_kind") == kind]
        if keys:
            out[pk] = keys
    return out


def records_naming(user, kind: str, identifiers, *, since=None, until=None) -> QuerySet[Record]:
    """Records `user` may read (drafts and submitted, not void) whose Reference
    field of `kind` holds one of `identifiers`: the inspection records of a
    supplier, the measurements made with an instrument. List columns only.
    `user` None: every record (for compiled reports such as a review input)."""
    identifiers = [str(i) for i in ([identifiers] if isinstance(identifiers, str) else identifiers)]
    q = Q(pk__in=[])
    for version_id, keys in reference_fields(kind).items():
        for key in keys:
            q |= Q(form_version_id=version_id, **{f"values__{key}__in": identifiers})
    base = Record.objects.all() if user is None else records_for_user(user)
    qs = base.filter(q, status__in=[Record.Status.DRAFT, Record.Status.SUBMITTED]).for_list()
    if since is not None:
        qs = qs.filter(created_at__gte=_start_of(since))
    if until is not None:
        qs = qs.filter(created_at__lt=_start_of(until) + timezone.timedelta(days=1))
    return qs.order_by("-created_at", "-id")
