"""Reads for controlled documents, usable by other apps (records, audits, PDF).

    effective_revision(document)            the revision in force now (or None)
    revision_in_force_on(document, date)    the revision that was in force on a date (auditor's as-of view)
    documents_for_user(user)                the documents a user may see (staff: effective ones only)
    render_markdown(text)                   sanitised HTML of a revision's Markdown
"""

from __future__ import annotations

from datetime import date

import markdown
import nh3
from django.contrib.postgres.search import SearchHeadline, SearchQuery
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, TextField, Value
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from documents.models import Acknowledgement, Document, Revision, RouteStep, StepSigner
from qms import permissions, scope
from qms.rules import allowed

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
    qs = document.revisions.select_related("created_by").defer("content", "search_vector").order_by("-seq")
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
            rev_docs = revs.filter(content__contains=q).values("document_id")
            return qs.filter(Q(pk__in=rev_docs) | Q(title__contains=q) | Q(number__icontains=q))
        query = SearchQuery(q, config="english", search_type="websearch")
        rev_docs = revs.filter(search_vector=query).values("document_id")
        title_docs = Document.objects.filter(search_vector=query).values("id")
        return qs.filter(Q(pk__in=rev_docs) | Q(pk__in=title_docs) | Q(number__icontains=q))
    rev_docs = revs.filter(content__icontains=q).values("document_id")
    return qs.filter(Q(number__icontains=q) | Q(title__icontains=q) | Q(pk__in=rev_docs))


def snippets(user, document_ids: list[int], q: str) -> dict[int, str]:
    """Highlighted snippets (SearchHeadline) for one page of search results: one query."""
    if not q or not document_ids:
        return {}
    revs = Revision.objects.filter(document_id__in=document_ids)
    statuses = _searchable_statuses(user)
    if statuses:
        revs = revs.filter(status__in=statuses)
    if is_postgres() and not _unsegmented(q):
        query = SearchQuery(q, config="english", search_type="websearch")
        rows = (
            revs.filter(search_vector=query)
            .annotate(
                snippet=SearchHeadline(
                    "content", query, config="english", start_sel="<mark>", stop_sel="</mark>",
                    max_words=30, min_words=12, max_fragments=2,
                )
            )
            .order_by("document_id", "-seq")
            .distinct("document_id")
            .values_list("document_id", "snippet")
        )
        # The headline is built from author text: escape it, then restore only our <mark> tags.
        from django.utils.html import escape

        return {
            doc_id: escape(snip).replace("&lt;mark&gt;", "<mark>").replace("&lt;/mark&gt;", "</mark>")
            for doc_id, snip in rows
        }
    out: dict[int, str] = {}
    from django.utils.html import escape

    for doc_id, content in revs.filter(content__icontains=q).order_by("document_id", "-seq").values_list(
        "document_id", "content"
    ):
        if doc_id in out:
            continue
        i = content.lower().find(q.lower())
        start = max(i - 80, 0)
        piece = content[start : i + len(q) + 80]
        out[doc_id] = escape(piece).replace(escape(content[i : i + len(q)]), f"<mark>{escape(content[i:i + len(q)])}</mark>", 1)
    return out


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


def previous_route_initial(revision: Revision) -> dict:
    """Route form defaults carried forward (DOC-07: a change is approved by the
    function that approved the original): the last round of this revision if it
    was rejected, else the last round of the previous revision."""
    source = revision.route_steps.order_by("-round").values_list("round", flat=True).first()
    steps = RouteStep.objects.none()
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
    """Who approved each revision of a document (one query), for the revision history."""
    from documents.models import Decision

    out: dict[int, list[str]] = {}
    for rev_id, name in Decision.objects.filter(
        step__revision__document=document, outcome=Decision.Outcome.APPROVED
    ).order_by("decided_at").values_list("step__revision_id", "signature__printed_name"):
        out.setdefault(rev_id, []).append(name)
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
    return (
        Acknowledgement.objects.filter(user=user, acknowledged_at__isnull=True, cancelled_at__isnull=True)
        .select_related("revision__document")
        .only("id", "due_date", "revision__id", "revision__label", "revision__seq",
              "revision__document__number", "revision__document__title")
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
        .order_by(F("acknowledged_at").desc(nulls_first=True), "due_date")
    )


def distribution_users(document: Document):
    """Active users on the distribution, directly or through a group."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    return (
        User.objects.filter(is_active=True)
        .filter(Q(distributed_documents=document) | Q(groups__distributed_documents=document))
        .distinct()
    )


def text_of(value) -> Value:
    return Value(value, output_field=TextField())
