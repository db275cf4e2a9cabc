"""Point-in-time reads ("as of a date") for the certification auditor.

Everything here answers "how did it stand at the END of day D (UTC)?" from the
history the system already keeps; nothing is recomputed from today's rows
except where the history deliberately leaves a column out (record values, see
`record_values_as_of`).

Which source is authoritative
-----------------------------
* Documents: the simple-history table of Document (`documents_historicaldocument`)
  gives the number, title, owner, type, department and review date as they were.
  A document with no history row by the cut-off did not exist yet.
* The revision in force: the simple-history table of **Revision** is
  authoritative. The revision whose own history says `status == "effective"`
  at the cut-off was in force. Reasons: (1) the status history is written in
  the same transaction as the transition (documents.services._make_effective),
  so it records when a revision really took force, including a future-dated
  revision switched by the hourly beat; (2) `Revision.effective_date` is a
  date the author chose and `documents.selectors.revision_in_force_on` derives
  from it, which cannot tell the hour, a release that happened later than the
  planned date, or a revision made obsolete; (3) Document.effective_revision in
  the document history is a denormalised pointer the same service writes — it
  agrees with the revision history by construction, but the regulated object
  whose state we are asked about is the revision.
* Acknowledgements and signatures are append-only rows with their own UTC
  timestamps (`acknowledged_at`, `signed_at`): filtered by time directly.
* Records: the history of Record gives status, verification, void and hold as
  they were. Values are excluded from that history on purpose (disposition
  must be able to remove them), so values as of a date are rebuilt from the
  current values by undoing, newest first, every Amendment made after the
  cut-off (its `old_values`). A disposed record no longer holds values.

Latest-row-per-object is computed with DISTINCT ON (id) ordered by
history_date and history_id, so two saves in the same instant resolve to the
later row (simple-history's `latest_of_each` keeps both in that case).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from django.db import connection
from django.db.models import OuterRef, Q, QuerySet, Subquery

from auditor.scope import restrict
from documents.models import Acknowledgement, Document, Revision
from qms import permissions
from qms.models import Signature
from records.models import Amendment, Evidence, Record

HistoricalDocument = Document.history.model
HistoricalRevision = Revision.history.model
HistoricalRecord = Record.history.model


def end_of_day(on: date) -> datetime:
    """The last instant of `on` in UTC: everything stamped up to it counts."""
    return datetime.combine(on, time.max, tzinfo=UTC)


def _latest_rows(history_qs: QuerySet, cutoff: datetime) -> QuerySet:
    """History rows that were current at `cutoff`, one per object, deletions excluded.

    PostgreSQL picks them with DISTINCT ON; other databases (the SQLite
    default) with a correlated subquery, which gives the same rows."""
    if connection.vendor == "postgresql":
        latest = (
            history_qs.filter(history_date__lte=cutoff)
            .order_by("id", "-history_date", "-history_id")
            .distinct("id")
            .values("history_id")
        )
        return history_qs.model.objects.filter(history_id__in=latest).exclude(history_type="-")
    newest = (
        history_qs.model.objects.filter(id=OuterRef("id"), history_date__lte=cutoff)
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    return (
        history_qs.filter(history_date__lte=cutoff)
        .filter(history_id=Subquery(newest))
        .exclude(history_type="-")
    )


# ------------------------------------------------------------------ documents
def visible_document_ids(user) -> QuerySet:
    """Ids of today's documents the user may browse (an external auditor's scope applies)."""
    return restrict(Document.objects.all(), user).values("pk")


def document_register(user, on: date, *, doc_type_id: int | None = None, q: str = "") -> QuerySet:
    """The document register as it stood at the end of `on`: historical rows
    (number, title, type, owner as they were), ordered by number. `q` matches
    the number or the title as they were then."""
    rows = _latest_rows(HistoricalDocument.objects.all(), end_of_day(on))
    if permissions.is_external_auditor(user):
        rows = rows.filter(id__in=visible_document_ids(user))
    if doc_type_id:
        rows = rows.filter(doc_type_id=doc_type_id)
    q = (q or "").strip()
    if q:
        rows = rows.filter(Q(number__icontains=q) | Q(title__icontains=q))
    return rows.select_related("doc_type", "owner", "department").only(
        "history_id", "id", "number", "title", "next_review_date", "created_at",
        "doc_type__id", "doc_type__code", "doc_type__name",
        "owner__id", "owner__username", "owner__full_name", "owner__first_name", "owner__last_name",
        "department__id", "department__code", "department__name",
    ).order_by("number")


def revisions_as_of(document_ids, on: date, *, with_content: bool = False) -> QuerySet:
    """Every revision of the documents that existed at the end of `on`, in its state then."""
    qs = _latest_rows(HistoricalRevision.objects.filter(document_id__in=list(document_ids)), end_of_day(on))
    if not with_content:
        qs = qs.defer("content", "change_reason", "retire_reason")
    return qs.order_by("document_id", "seq")


def revisions_in_force(document_ids, on: date) -> dict[int, object]:
    """{document id: historical revision row in force at the end of `on`} — one query."""
    rows = revisions_as_of(document_ids, on).filter(status=Revision.Status.EFFECTIVE)
    return {row.document_id: row for row in rows}


def document_as_of(user, number: str, on: date):
    """(current document, historical row as it was or None if it did not exist yet).
    Returns (None, None) when the user may not see the document (or it never existed)."""
    document = Document.objects.filter(number=number, pk__in=visible_document_ids(user)).first()
    if document is None:
        return None, None
    then = (
        _latest_rows(HistoricalDocument.objects.filter(id=document.pk), end_of_day(on))
        .select_related("doc_type", "owner", "department", "process")
        .first()
    )
    return document, then


def signatures_as_of(revision_ids, on: date) -> QuerySet[Signature]:
    """Signatures on these revisions made by the end of `on` (review, approval, read …)."""
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(Revision)
    return (
        Signature.objects.filter(content_type=ct, object_id__in=list(revision_ids), signed_at__lte=end_of_day(on))
        .select_related("signer")
        .order_by("signed_at", "id")
    )


def acknowledgements_as_of(revision_id: int, on: date) -> tuple[list[Acknowledgement], list[Acknowledgement]]:
    """(acknowledged by then, still open then) for the revision in force.

    Open then = assigned by the cut-off, not acknowledged by it, and not
    cancelled by it (a later significant revision cancels open tasks)."""
    cutoff = end_of_day(on)
    rows = (
        Acknowledgement.objects.filter(revision_id=revision_id, assigned_at__lte=cutoff)
        .select_related("user")
        .order_by("user__full_name", "user__username")
    )
    done, pending = [], []
    for ack in rows:
        if ack.acknowledged_at is not None and ack.acknowledged_at <= cutoff:
            done.append(ack)
        elif ack.cancelled_at is None or ack.cancelled_at > cutoff:
            pending.append(ack)
    return done, pending


# ------------------------------------------------------------------ records
NOT_YET_RECORDS = (Record.Status.DRAFT,)


def _submitted(rows: QuerySet) -> QuerySet:
    """Drafts are not records yet, nor is a draft voided before it was ever submitted."""
    return rows.exclude(status__in=NOT_YET_RECORDS).filter(submitted_at__isnull=False)


def visible_record_ids(user) -> QuerySet:
    return restrict(Record.objects.all(), user, clauses="record_type__clauses", process=None).values("pk")


def record_register(user, on: date, *, record_type_id: int | None = None, q: str = "") -> QuerySet[Record]:
    """Records that had been submitted by the end of `on` (a draft is not a record
    yet), newest first. The set comes from today's rows because what defines it
    never changes after submission (number, type, submitted_at/by: set once by
    records.services.record_submit); the state then (status, verification,
    amendments, hold) comes from the history, one page at a time
    (`record_states_as_of`), so the register does not sort the whole history table."""
    qs = Record.objects.filter(submitted_at__lte=end_of_day(on))
    if permissions.is_external_auditor(user):
        qs = qs.filter(pk__in=visible_record_ids(user))
    if record_type_id:
        qs = qs.filter(record_type_id=record_type_id)
    q = (q or "").strip()
    if q:
        qs = qs.filter(number__icontains=q)
    return qs.select_related("record_type", "submitted_by").only(
        "id", "number", "submitted_at",
        "record_type__id", "record_type__code", "record_type__name", "record_type__verification_required",
        "submitted_by__id", "submitted_by__username", "submitted_by__full_name",
        "submitted_by__first_name", "submitted_by__last_name",
    ).order_by("-submitted_at", "-id")


def record_states_as_of(record_ids, on: date) -> dict[int, object]:
    """{record id: historical row as it stood at the end of `on`} — one query."""
    rows = _latest_rows(HistoricalRecord.objects.filter(id__in=list(record_ids)), end_of_day(on)).only(
        "history_id", "id", "status", "verified_at", "amendment_count", "legal_hold", "submitted_at"
    )
    return {row.id: row for row in rows}


def record_as_of(user, number: str, on: date):
    """(current record, historical row as it stood or None if not yet submitted).
    (None, None) when the user may not see the record."""
    record = (
        Record.objects.filter(number=number, pk__in=visible_record_ids(user))
        .select_related("record_type", "form_version")
        .first()
    )
    if record is None:
        return None, None
    then = (
        _submitted(_latest_rows(HistoricalRecord.objects.filter(id=record.pk), end_of_day(on)))
        .select_related("submitted_by", "verified_by")
        .first()
    )
    return record, then


def record_values_as_of(record: Record, on: date) -> dict:
    """The record's field values at the end of `on`: today's values with every
    later amendment undone, newest first (values are not in the history table)."""
    values = dict(record.values or {})
    later = Amendment.objects.filter(record=record, amended_at__gt=end_of_day(on)).order_by("-seq")
    for amendment in later:
        for key, old in (amendment.old_values or {}).items():
            if old is None:
                values.pop(key, None)
            else:
                values[key] = old
    return values


def amendments_as_of(record: Record, on: date) -> QuerySet[Amendment]:
    return record.amendments.filter(amended_at__lte=end_of_day(on)).select_related("amended_by").order_by("seq")


def evidence_as_of(record: Record, on: date) -> list[Evidence]:
    """Evidence files uploaded by the end of `on`; `superseded_then` tells whether
    a file had already been superseded at that time."""
    cutoff = end_of_day(on)
    rows = list(record.evidence.filter(uploaded_at__lte=cutoff).select_related("uploaded_by").order_by("uploaded_at", "id"))
    for ev in rows:
        ev.superseded_then = ev.superseded_at is not None and ev.superseded_at <= cutoff
    return rows
