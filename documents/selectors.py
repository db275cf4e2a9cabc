"""Reads for controlled documents, usable by other apps (records, audits, PDF).

    effective_revision(document)            the revision in force now (or None)
    revision_in_force_on(document, date)    the revision that was in force on a date (auditor's as-of view)
    documents_for_user(user)                the documents a user may see (staff: effective ones only)
    render_markdown(text)                   sanitised HTML of a revision's Markdown
    register(user, filters)                 the register (page, CSV/XLSX export and PDF job alike)
    compare_metadata(a, b)                  the details of two revisions, side by side (documents.redline: their text)
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

import markdown
import nh3
from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, TextField, Value
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from documents.forms import SORTS
from documents.models import Acknowledgement, Document, Revision, RouteStep, StepSigner
from qms import paging, permissions, scope, search
from qms.rules import allowed
from qms.search import highlight

S = Revision.Status
EVER_EFFECTIVE = (S.EFFECTIVE, S.SUPERSEDED, S.OBSOLETE)


# ------------------------------------------------------------------ revisions in force
def effective_revision(document: Document) -> Revision | None:
    return Revision.objects.filter(document=document, status=S.EFFECTIVE).first()


def revision_in_force_on(document: Document, on: date) -> Revision | None:
    """The revision that was effective on `on` (a revision is in force from its
    effective date until the day the next one took over or it was made obsolete)."""
    candidate = (
        Revision.objects.filter(document=document, status__in=EVER_EFFECTIVE, effective_date__lte=on)
        .order_by("-effective_date", "-seq")
        .first()
    )
    if candidate and candidate.status == S.OBSOLETE and candidate.retired_at and timezone.localdate(candidate.retired_at) <= on:
        return None
    return candidate


def documents_for_user(user) -> QuerySet[Document]:
    """Documents `user` may see: everything for QM, auditors, authors and approvers;
    for staff only documents with an effective revision (DOC-08)."""
    if not allowed("documents.view_documents", user):
        return Document.objects.none()
    qs = scope.narrow(Document.objects.all(), user)  # e.g. an external auditor's grant
    if allowed("documents.view_drafts", user):
        return qs
    return qs.filter(Q(effective_revision__isnull=False) | Q(owner=user))


def visible_revisions(user, document: Document) -> QuerySet[Revision]:
    qs = document.revisions.select_related("created_by").defer("content", "search_vector", "extracted_text").order_by("-seq")
    if allowed("documents.view_drafts", user, document):
        return qs
    return qs.filter(status=S.EFFECTIVE)


# ------------------------------------------------------------------ Markdown
ALLOWED_TAGS = nh3.ALLOWED_TAGS | {"table", "thead", "tbody", "tr", "th", "td", "hr", "pre", "code"}


def render_markdown(text: str) -> SafeString:
    """Markdown → HTML, then sanitised with nh3: authors cannot inject scripts."""
    html = markdown.markdown(text or "", extensions=["tables", "fenced_code", "sane_lists"], output_format="html")
    return mark_safe(nh3.clean(html, tags=ALLOWED_TAGS))  # noqa: S308 - sanitised just above


# ------------------------------------------------------------------ search
def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _unsegmented(q: str) -> bool:
    """Text in scripts written without spaces (Chinese, Japanese, Thai…): the
    English text-search configuration cannot split it into words, so such a
    query is matched as a substring (trigram-indexed on PostgreSQL)."""
    return any(ord(ch) >= 0x0E00 and not ch.isspace() for ch in q)


def _searchable_statuses(user, document_field=None):
    return None if allowed("documents.view_drafts", user) else (S.EFFECTIVE,)


def search_filter(qs: QuerySet[Document], user, q: str) -> QuerySet[Document]:
    """Documents whose number, title or (visible) revision content match `q`.

    PostgreSQL: full-text search on the stored, GIN-indexed `search_vector`
    columns (kept by triggers, migration 0006); each side is an uncorrelated
    `id IN (subquery)` that the planner runs once through the index, so no
    tsvector is read row by row. SQLite: icontains."""
    statuses = _searchable_statuses(user)
    revs = Revision.objects.all()
    if statuses:
        revs = revs.filter(status__in=statuses)
    if is_postgres():
        if _unsegmented(q):
            # LIKE (no case to fold in these scripts), which the trigram indexes serve (migration 0008).
            rev_docs = revs.filter(Q(content__contains=q) | Q(extracted_text__contains=q)).values("document_id")
            return qs.filter(Q(pk__in=rev_docs) | Q(title__contains=q) | Q(number__icontains=q))
        query = SearchQuery(q, config="english", search_type="websearch")
        # A document's own vector covers its number, title and effective
        # revision (migration 0013): a reader's search is that one GIN index.
        # Those who see drafts also search every other revision.
        match = Q(search_vector=query) | Q(number__icontains=q)
        if statuses != (S.EFFECTIVE,):
            match |= Q(pk__in=revs.filter(search_vector=query).values("document_id"))
        return qs.filter(match)
    rev_docs = revs.filter(Q(content__icontains=q) | Q(extracted_text__icontains=q)).values("document_id")
    return qs.filter(Q(number__icontains=q) | Q(title__icontains=q) | Q(pk__in=rev_docs))


def snippets(user, document_ids: list[int], q: str) -> dict[int, str]:
    """Highlighted snippets for one page of search results, in one query: the
    newest matching revision the user may read, as a reader sees it (its rendered
    text, Revision.plain_text, then the text read from its files), cut at word
    boundaries and marked by qms.search.highlight — never the Markdown source."""
    if not q or not document_ids:
        return {}
    revs = Revision.objects.filter(document_id__in=document_ids)
    statuses = _searchable_statuses(user)
    if statuses:
        revs = revs.filter(status__in=statuses)
    if is_postgres() and not _unsegmented(q):
        revs = revs.filter(search_vector=SearchQuery(q, config="english", search_type="websearch"))
    else:
        revs = revs.filter(Q(content__icontains=q) | Q(extracted_text__icontains=q))
    out: dict[int, str] = {}
    for doc_id, text, extracted in revs.order_by("document_id", "-seq").values_list(
            "document_id", "plain_text", "extracted_text"):
        if doc_id not in out:
            out[doc_id] = highlight(f"{text} {extracted}" if extracted else text, q)
    return out


# ------------------------------------------------------------------ register
REGISTER_HEADERS = ["Number", "Title", "Type", "Owner", "Department", "Revision", "Status", "Effective date",
                    "Next review"]


def register(user, filters: dict) -> QuerySet[Document]:
    """The register as `user` sees it, with the cleaned filters of a
    RegisterFilterForm ({} when they did not validate), sorted, list columns only.
    A draft status is a filter only for those who may see drafts."""
    qs = documents_for_user(user)
    if filters.get("q"):
        qs = search_filter(qs, user, filters["q"])
    if filters.get("type"):
        qs = qs.filter(doc_type=filters["type"])
    if filters.get("status") and (filters["status"] == S.EFFECTIVE or allowed("documents.view_drafts", user)):
        status = filters["status"]
        qs = qs.filter(effective_revision__isnull=False) if status == S.EFFECTIVE else qs.filter(
            latest_revision__status=status
        )
    if filters.get("owner"):
        qs = qs.filter(owner=filters["owner"])
    if filters.get("department"):
        qs = qs.filter(department=filters["department"])
    if filters.get("clause"):
        qs = qs.filter(clauses=filters["clause"])
    if filters.get("overdue"):
        qs = qs.review_overdue(timezone.localdate())
    sort = SORTS.get(filters.get("sort") or "number", "number")
    return with_list_columns(qs).order_by(sort, "id")


def with_list_columns(qs: QuerySet[Document]) -> QuerySet[Document]:
    """The register's columns: the joined rows and the fields a register row shows."""
    return qs.select_related("doc_type", "owner", "department", "effective_revision", "latest_revision").only(
        "id", "number", "title", "next_review_date", "doc_type", "owner", "department", "effective_revision",
        "latest_revision", "doc_type__code", "doc_type__name", "owner__username", "owner__full_name",
        "owner__first_name", "owner__last_name", "department__code", "department__name",
        "effective_revision__label", "effective_revision__status", "effective_revision__effective_date",
        "effective_revision__seq", "latest_revision__label", "latest_revision__status", "latest_revision__seq",
    )


# A search counts its matches up to this many: an exact count of 25,000 matches
# reads 25,000 rows, and "more than 1,000" is what a reader needs (they narrow
# the search; the export lists every match).
SEARCH_COUNT_CAP = search.COUNT_CAP  # the one search box's cap (qms.search), so both say the same
# The register without a search counts up to the registers' cap (qms.paging, issue 21:
# flat from 10,000 to 100,000 documents): past it the page says "more than 10,000".
REGISTER_COUNT_CAP = paging.REGISTER_COUNT_CAP


def page_of(qs: QuerySet[Document], offset: int, limit: int, cap: int | None = None, *,
            along_order: bool = False) -> tuple[list[Document], int, bool]:
    """One page of a search (or of the register), its total and whether the total was capped.

    Each part gets its own plan: the page's ids from the ordered match (for a
    common word the order's index, stopping after one page; for a rare word the
    text index and a sort of the few matches), the total by counting at most
    SEARCH_COUNT_CAP + 1 matches, then the page's rows with their columns by id,
    in the same order. So the time stays flat however many documents match.

    `along_order` (a search): the capped count keeps the page's order, so it
    walks the same index as the page and reads the rows the page reads. Without
    it a common word's count was a sequential scan, and once the table is larger
    than a quarter of shared_buffers PostgreSQL runs such a scan through a small
    ring buffer, rereading its ~1,000 rows from the operating system on every
    search: 1-12 ms at 100,000 documents against 2 ms from shared buffers. The
    register without a search keeps the bare count (an index-only scan)."""
    cap = SEARCH_COUNT_CAP if cap is None else cap
    ids = list(qs.values_list("pk", flat=True)[offset : offset + limit])
    counted = (qs if along_order else qs.order_by()).values("pk")[: cap + 1].count()
    capped = counted > cap
    if not ids:
        return [], min(counted, cap), capped
    by_id = with_list_columns(Document.objects.filter(pk__in=ids)).in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id], min(counted, cap), capped


def register_row(doc: Document, show_drafts: bool) -> dict:
    """What the register shows of a document: the revision in force, and for
    those who see drafts the latest revision's status and a pending one."""
    eff, latest = doc.effective_revision, doc.latest_revision
    shown = latest if show_drafts and latest is not None else eff
    return {
        "doc": doc,
        "revision": (eff or latest).label if (eff or latest) else "",
        "status": shown.status if shown else "",
        "status_label": shown.get_status_display() if shown else "",
        "effective_date": eff.effective_date if eff else None,
        "pending": bool(show_drafts and eff and latest and latest.pk != eff.pk),
        "pending_label": latest.label if latest else "",
    }


def _register_row_in_source_language(doc: Document, show_drafts: bool) -> dict:
    with override(None):  # exports stay in one language (ISO exports are compared across time)
        return register_row(doc, show_drafts)


def register_export_rows(qs: QuerySet[Document], show_drafts: bool):
    """Register rows with human labels, for CSV, XLSX and PDF."""
    return (
        [r["doc"].number, r["doc"].title, r["doc"].doc_type.code, r["doc"].owner.display_name,
         r["doc"].department.code, r["revision"], r["status_label"], r["effective_date"], r["doc"].next_review_date]
        for r in (_register_row_in_source_language(d, show_drafts) for d in qs.iterator(chunk_size=2000))
    )


# ------------------------------------------------------------------ route and signatures
def user_group_ids(user) -> list[int]:
    cached = getattr(user, "_qms_group_ids", None)
    if cached is None:
        cached = list(user.groups.values_list("id", flat=True))
        user._qms_group_ids = cached
    return cached


def is_route_signer(user, revision: Revision) -> bool:
    """Named on any step of the revision's route, directly or through a group."""
    return StepSigner.objects.filter(step__revision=revision).filter(
        Q(user=user) | Q(group_id__in=user_group_ids(user))
    ).exists()


def active_step(revision: Revision) -> RouteStep | None:
    return revision.route_steps.filter(status=RouteStep.Status.ACTIVE).order_by("-round", "order").first()


def open_signer_entries(user, revision: Revision) -> list[StepSigner]:
    """The signer entries of the active step that `user` may still sign for."""
    step = active_step(revision)
    if step is None:
        return []
    if step.kind == RouteStep.Kind.APPROVE and (revision.created_by_id == user.pk or not allowed("documents.approve", user)):
        return []
    if step.decisions.filter(user=user).exists():
        return []
    entries = step.signers.filter(Q(user=user) | Q(group_id__in=user_group_ids(user))).exclude(
        decisions__isnull=False
    )
    # A named entry first: the user's one decision must satisfy their own line before a group's.
    return list(entries.order_by(F("user_id").asc(nulls_last=True), "id"))


def waiting_for_signature(user) -> QuerySet[StepSigner]:
    """Signer entries on active steps that wait for `user` (the dashboard inbox). One query."""
    decided = RouteStep.objects.filter(pk=OuterRef("step_id"), decisions__user=user)
    qs = StepSigner.objects.all()
    if not allowed("documents.approve", user):
        qs = qs.exclude(step__kind=RouteStep.Kind.APPROVE)  # a group member without the role cannot sign it
    return (
        qs.filter(step__status=RouteStep.Status.ACTIVE, step__revision__status=S.IN_REVIEW)
        .filter(Q(user=user) | Q(group__user=user))
        .filter(decisions__isnull=True)
        .exclude(Exists(decided))
        .exclude(step__kind=RouteStep.Kind.APPROVE, step__revision__created_by=user)
        .select_related("step__revision__document")
        .only(
            "id", "step__id", "step__kind", "step__revision__id", "step__revision__seq", "step__revision__label",
            "step__revision__submitted_at", "step__revision__document__number", "step__revision__document__title",
        )
        .order_by("step__revision__submitted_at", "id")
    )


def route_template_for(document: Document):
    """The active route template of the document's type for its department, else for every department."""
    from documents.models import RouteTemplate

    found = [t for t in RouteTemplate.objects.filter(doc_type_id=document.doc_type_id, active=True).filter(
        Q(department_id=document.department_id) | Q(department__isnull=True))]
    found.sort(key=lambda t: t.department_id is None)  # the department's own first
    return found[0] if found else None


def template_initial(template, revision: Revision) -> dict:
    """The route form's values from a template: the author is never offered as a
    signer, nor anyone outside the signer pool (external auditors; non-approvers on an approval step)."""
    from documents.models import RouteTemplateStep

    steps = list(RouteTemplateStep.objects.filter(template=template).prefetch_related("users__groups", "groups")
                 .order_by("order")[:3])
    initial: dict = {}
    for i, step in enumerate(steps, start=1):
        users = [u for u in step.users.all() if u.is_active and u.pk != revision.created_by_id
                 and not permissions.is_external_auditor(u)
                 and (step.kind != RouteStep.Kind.APPROVE or permissions.has_role(u, permissions.Role.APPROVER,
                                                                                  permissions.Role.QUALITY_MANAGER))]
        initial[f"step{i}_kind"] = step.kind
        initial[f"step{i}_mode"] = step.mode
        initial[f"step{i}_users"] = [u.pk for u in users]
        initial[f"step{i}_groups"] = [g.pk for g in step.groups.all() if g.name != permissions.Role.EXTERNAL_AUDITOR]
    for i in range(len(steps) + 1, 4):
        initial[f"step{i}_kind"] = ""
    return initial


def previous_route_initial(revision: Revision) -> dict:
    """Route form defaults: the last round of this revision if it was rejected;
    else the document type's route template (issue 18.5); else carried forward
    from the previous revision (DOC-07: a change is approved by the function
    that approved the original)."""
    source = revision.route_steps.order_by("-round").values_list("round", flat=True).first()
    steps = RouteStep.objects.none()
    template = None if source else route_template_for(revision.document)
    if template is not None:
        return template_initial(template, revision)
    if source:
        steps = revision.route_steps.filter(round=source)
    else:
        prev = Revision.objects.filter(document_id=revision.document_id, seq__lt=revision.seq).order_by("-seq").first()
        last = prev.route_steps.order_by("-round").values_list("round", flat=True).first() if prev else None
        if last:
            steps = prev.route_steps.filter(round=last)
    initial: dict = {}
    for i, step in enumerate(steps.prefetch_related("signers").order_by("order")[:3], start=1):
        signers = list(step.signers.all())
        initial[f"step{i}_kind"] = step.kind
        initial[f"step{i}_mode"] = step.mode
        initial[f"step{i}_users"] = [s.user_id for s in signers if s.user_id and s.user_id != revision.created_by_id]
        initial[f"step{i}_groups"] = [s.group_id for s in signers if s.group_id]
    if initial:
        for i in range(len([k for k in initial if k.endswith("_kind")]) + 1, 4):
            initial[f"step{i}_kind"] = ""
    return initial


def approvers_by_revision(document: Document) -> dict[int, list[str]]:
    """Who approved each revision of a document (two queries), for the revision history:
    the approvals signed here, and those recorded by an import (approved outside this
    system, named as such: they are not electronic signatures)."""
    from django.contrib.contenttypes.models import ContentType

    from documents.models import Decision
    from qms.models import Signature

    out: dict[int, list[str]] = {}
    for rev_id, name in Decision.objects.filter(
        step__revision__document=document, outcome=Decision.Outcome.APPROVED
    ).order_by("decided_at").values_list("step__revision_id", "signature__printed_name"):
        out.setdefault(rev_id, []).append(name)
    imported = Signature.objects.filter(
        content_type=ContentType.objects.get_for_model(Revision), meaning=Signature.Meaning.IMPORTED,
        object_id__in=Revision.objects.filter(document=document).values("pk"),
    ).order_by("signed_at", "pk").values_list("object_id", "printed_name", "signed_at")
    for rev_id, name, signed_at in imported:
        when = f" on {timezone.localtime(signed_at):%Y-%m-%d}" if signed_at else ""
        out.setdefault(rev_id, []).append(f"{name} (approved outside this system{when}, imported)")
    return out


def route_for(revision: Revision) -> list[RouteStep]:
    """All steps of all rounds with signers and decisions, newest round first (3 queries)."""
    return list(
        revision.route_steps.prefetch_related("signers__user", "signers__group", "decisions__user")
        .order_by("-round", "order")
    )


# ------------------------------------------------------------------ reviews and acknowledgements
def review_overdue(user, today: date | None = None) -> QuerySet[Document]:
    today = today or timezone.localdate()
    qs = Document.objects.review_overdue(today).select_related("doc_type").only(
        "id", "number", "title", "next_review_date", "doc_type__review_interval_months", "owner_id"
    )
    if permissions.is_quality_manager(user):
        return qs.order_by("next_review_date", "number")
    return qs.filter(owner=user).order_by("next_review_date", "number")


def open_acknowledgements(user) -> QuerySet[Acknowledgement]:
    """My open read tasks; `since_seq`: the revision I last acknowledged of the same document (the redline's start)."""
    return (
        Acknowledgement.objects.filter(user=user, acknowledged_at__isnull=True, cancelled_at__isnull=True)
        .select_related("revision__document")
        .only("id", "due_date", "revision__id", "revision__label", "revision__seq",
              "revision__document__number", "revision__document__title")
        .annotate(since_seq=since_acknowledged())
        .order_by("due_date", "id")
    )


def overdue_acknowledgements(today: date | None = None) -> QuerySet[Acknowledgement]:
    today = today or timezone.localdate()
    return (
        Acknowledgement.objects.filter(acknowledged_at__isnull=True, cancelled_at__isnull=True, due_date__lt=today)
        .select_related("revision__document", "user")
        .only("id", "due_date", "user__id", "user__username", "user__full_name", "revision__id", "revision__label",
              "revision__seq", "revision__document__number", "revision__document__title")
        .order_by("due_date", "id")
    )


def acknowledgements_for_document(document: Document) -> QuerySet[Acknowledgement]:
    return (
        Acknowledgement.objects.filter(revision__document=document)
        .select_related("user", "revision")
        .order_by("-revision__seq", "user__full_name", "user__username")
    )


def acknowledgements_for_user(user) -> QuerySet[Acknowledgement]:
    return (
        Acknowledgement.objects.filter(user=user)
        .select_related("revision__document")
        .annotate(since_seq=since_acknowledged())
        .order_by(F("acknowledged_at").desc(nulls_first=True), "due_date")
    )


def acknowledgement_summary(document: Document) -> dict | None:
    """Read-and-understood counts of the revision in force (one query): total, done, overdue."""
    if not document.effective_revision_id:
        return None
    return document.effective_revision.acknowledgements.aggregate(
        total=Count("id", filter=Q(cancelled_at__isnull=True)),
        done=Count("id", filter=Q(acknowledged_at__isnull=False)),
        overdue=Count("id", filter=Q(acknowledged_at__isnull=True, cancelled_at__isnull=True,
                                     due_date__lt=timezone.localdate())),
    )


def distribution_users(document: Document):
    """Active users on the distribution, directly or through a group, and the readers other apps add."""
    from django.contrib.auth import get_user_model

    from qms import readers

    User = get_user_model()
    who = Q(distributed_documents=document) | Q(groups__distributed_documents=document)
    for ids in readers.extra_reader_ids(document):  # e.g. the job roles that need it (qms.readers)
        who |= Q(pk__in=ids)
    return User.objects.filter(is_active=True).filter(who).distinct()


def text_of(value) -> Value:
    return Value(value, output_field=TextField())


# ------------------------------------------------------------------ compare (the redline: documents.redline)
COMPARE_FIELDS = [
    (_("Label"), "label"), (_("Status"), "get_status_display"), (_("Author"), "created_by"), (_("Created"), "created_at"),
    (_("Change summary"), "change_summary"), (_("Change reason"), "change_reason"),
    (_("Significance"), "get_significance_display"), (_("Effective date"), "effective_date"), ("PDF", "pdf_original_name"),
    ("PDF SHA-256", "pdf_sha256"), (_("Source file"), "source_original_name"), (_("Source SHA-256"), "source_sha256"),
]
DOCUMENT_FIELDS = [_("Title"), _("Type"), _("Department"), _("Process"), _("Owner"), _("ISO clauses"), _("Review period")]


def _compare_value(revision: Revision, attr: str) -> str:
    value = getattr(revision, attr)
    value = value() if callable(value) else value
    if hasattr(value, "astimezone"):
        return f"{value:%Y-%m-%d %H:%M} UTC"
    return "" if value in (None, "") else str(value)


def _document_values(document: Document, when) -> list[str]:
    """The document's details as they stood at `when` (from its history; None: as they are now),
    in the order of DOCUMENT_FIELDS. Two queries."""
    state = document
    if when is not None:
        state = (
            document.history.filter(history_date__lte=when)
            .select_related("doc_type", "owner", "department", "process")
            .order_by("-history_date", "-history_id")
            .first()
        ) or document
    if state is document:
        clauses = [c.number for c in document.clauses.order_by("number")]
    else:
        clauses = sorted(row.clause.number for row in state.clauses.select_related("clause"))
    months = state.review_interval_months or state.doc_type.review_interval_months
    return [state.title, state.doc_type.name, str(state.department), str(state.process or ""),
            state.owner.display_name, ", ".join(clauses), f"{months} months"]


def compare_metadata(a: Revision, b: Revision, document: Document | None = None) -> list[tuple[str, str, str]]:
    """(label, value in a, value in b) for the document's details (each as it stood when that
    revision came into force; a revision not yet in force: as they are now) and each
    revision's own fields. A fixed number of queries."""
    document = document or b.document
    rows = [(label, _compare_value(a, attr), _compare_value(b, attr)) for label, attr in COMPARE_FIELDS]
    old, new = _document_values(document, a.effective_at), _document_values(document, b.effective_at)
    return rows[:1] + list(zip(DOCUMENT_FIELDS, old, new, strict=True)) + rows[1:]


class RevisionPair(NamedTuple):
    """Two revisions of one document to compare (the object of the rule documents.compare_pair)."""

    a: Revision
    b: Revision


def is_distributed(user, document: Document) -> bool:
    """On the document's distribution now, or was given one of its revisions to read."""
    if not getattr(user, "pk", None):
        return False
    return (
        Acknowledgement.objects.filter(user=user, revision__document=document).exists()
        or distribution_users(document).filter(pk=user.pk).exists()
    )


def comparable_revisions(user, document: Document) -> QuerySet[Revision]:
    """The revisions `user` may compare, oldest first (content not loaded): every one for the
    readers of drafts; for staff the effective one, and the superseded ones of a document
    they are distributed."""
    qs = document.revisions.select_related("created_by").defer("content", "search_vector").order_by("seq")
    if allowed("documents.view_drafts", user, document):
        return qs
    statuses = [S.EFFECTIVE, S.SUPERSEDED] if is_distributed(user, document) else [S.EFFECTIVE]
    return qs.filter(status__in=statuses)


def last_acknowledged_seq(user, document: Document, before_seq: int) -> int | None:
    """The revision of `document` that `user` last acknowledged, before `before_seq`."""
    return (
        Acknowledgement.objects.filter(user=user, revision__document=document, acknowledged_at__isnull=False,
                                       revision__seq__lt=before_seq)
        .order_by("-revision__seq").values_list("revision__seq", flat=True).first()
    )


def since_acknowledged():
    """An annotation for acknowledgement querysets: `since_seq`, the seq of the revision of the same
    document its person last acknowledged before this one (None: nothing to compare with)."""
    return Subquery(
        Acknowledgement.objects.filter(user=OuterRef("user"), revision__document=OuterRef("revision__document"),
                                       acknowledged_at__isnull=False, revision__seq__lt=OuterRef("revision__seq"))
        .order_by("-revision__seq").values("revision__seq")[:1]
    )
