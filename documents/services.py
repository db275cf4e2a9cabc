"""Writes for controlled documents (ISO 9001 7.5). One service per transition.

Every service is keyword-only, takes `actor`, runs in a transaction, checks
the permission predicate itself (views also ask it, but hiding a button is
never the check), writes an AuditEvent per transition, and sets the
simple-history user and reason before saving a tracked model. Nothing else
sets `Revision.status`.

Signing services call `authenticate_signer` before their transaction opens, so
a refused attempt is recorded even though the transition rolls back.
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from documents import selectors
from documents.lifecycles import REVISION
from documents.models import (
    NUMBER_CHARS,
    NUMBER_CHARS_TEXT,
    Acknowledgement,
    Decision,
    Document,
    DocumentType,
    NumberCounter,
    PeriodicReview,
    Revision,
    RouteStep,
    StepSigner,
    revision_label,
)
from qms import bulk, permissions, stored_text
from qms.audit import attribute, record_event
from qms.concurrency import Stamp, check_unchanged
from qms.dates import HISTORIC_EARLIEST, check_in_window
from qms.errors import DomainError, IllegalTransition
from qms.i18n import in_sentence, language_codes
from qms.lifecycle import transition
from qms.models import Department, Notification, Signature
from qms.notifications import notify
from qms.rules import require
from qms.signatures import authenticate_signer, check_shown, sign
from qms.uploads import PDF_ONLY, SOURCE_FILES, store_upload

log = logging.getLogger(__name__)
S = Revision.Status
ACK_DUE_DAYS = getattr(settings, "DOCUMENTS_ACK_DUE_DAYS", 14)


def today() -> date:
    return timezone.localdate()


def add_months(d: date, months: int) -> date:
    month = d.month - 1 + months
    year, month = d.year + month // 12, month % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _save_revision(revision: Revision, actor, reason: str) -> None:
    attribute(revision, actor, reason)
    revision.save()


def _save_document(document: Document, actor, reason: str) -> None:
    attribute(document, actor, reason)
    document.save()


def _release_count(document: Document, exclude_pk=None) -> int:
    qs = document.revisions.filter(status__in=(S.APPROVED, S.EFFECTIVE, S.SUPERSEDED, S.OBSOLETE))
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.count()


def _draft_label(document: Document, seq: int, draft_round: int = 1) -> str:
    return revision_label(
        document.doc_type.revision_scheme, seq, released=False,
        releases_before=_release_count(document), draft_round=draft_round,
    )


# ------------------------------------------------------------------ numbering
def format_number(doc_type: DocumentType, department: Department, seq: int) -> str:
    try:
        return doc_type.numbering_pattern.format(type=doc_type.code, dept=department.code, seq=seq)
    except (KeyError, IndexError, ValueError) as exc:
        raise DomainError(
            gettext("The numbering pattern of type %(type)s (%(pattern)s) is not valid: %(error)s.")
            % {"type": doc_type.code, "pattern": doc_type.numbering_pattern, "error": exc}
        ) from exc


def next_number(doc_type: DocumentType, department: Department) -> str:
    """Take the next number from the (type, department) counter, locked FOR UPDATE
    so concurrent creators queue; numbers already used (chosen by hand) are skipped,
    and a counter never goes back, so a number is never reused."""
    scope = department.code if "{dept" in doc_type.numbering_pattern else ""
    NumberCounter.objects.bulk_create([NumberCounter(doc_type=doc_type, scope=scope)], ignore_conflicts=True)
    counter = NumberCounter.objects.select_for_update().get(doc_type=doc_type, scope=scope)
    while True:
        counter.last_seq += 1
        number = format_number(doc_type, department, counter.last_seq)
        if not Document.objects.filter(number=number).exists():
            break
    counter.save(update_fields=["last_seq"])
    return number


# ------------------------------------------------------------------ files
def _attach_files(revision: Revision, *, pdf=None, source=None, remove_pdf=False, remove_source=False) -> None:
    folder = f"documents/{revision.document_id}"
    try:
        if pdf is not None:
            stored = store_upload(pdf, folder=folder, allowed=PDF_ONLY)
            revision.pdf_file, revision.pdf_original_name = stored.name, stored.original_name
            revision.pdf_sha256, revision.pdf_size = stored.sha256, stored.size
        elif remove_pdf:
            revision.pdf_file = revision.pdf_original_name = revision.pdf_sha256 = ""
            revision.pdf_size = None
        if source is not None:
            stored = store_upload(source, folder=folder, allowed=SOURCE_FILES)
            revision.source_file, revision.source_original_name = stored.name, stored.original_name
            revision.source_sha256, revision.source_size = stored.sha256, stored.size
            revision.source_content_type = stored.content_type
        elif remove_source:
            revision.source_file = revision.source_original_name = revision.source_sha256 = ""
            revision.source_content_type = ""
            revision.source_size = None
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from exc


# ------------------------------------------------------------------ creation and drafts
@transaction.atomic
def document_create(
    *,
    actor,
    doc_type: DocumentType,
    department: Department,
    title: str,
    owner=None,
    process=None,
    clauses=(),
    distribution_users=(),
    distribution_groups=(),
    review_interval_months: int | None = None,
    issuer: str = "",
    external_reference: str = "",
    external_date: date | None = None,
    language: str = "",
    number: str = "",
    content: str = "",
    pdf=None,
    source=None,
) -> Document:
    """Create a document and its first draft revision. The number comes from the
    type's pattern (or, for the quality manager only, is chosen by hand)."""
    require("documents.create_document", actor)
    title = (title or "").strip()
    if not title:
        raise DomainError(gettext("A document needs a title."))
    if doc_type.external_origin and not (issuer.strip() and external_reference.strip()):
        raise DomainError(gettext("An external document needs its issuer and its edition or reference (ISO 9001 7.5.3.2)."))
    check_in_window(external_date, "The edition date", earliest=HISTORIC_EARLIEST)
    number = (number or "").strip()
    if number:
        require("documents.assign_number", actor)
        if not NUMBER_CHARS.match(number):
            raise DomainError(gettext("A document number may hold only %(chars)s (it appears in links).") % {
                "chars": NUMBER_CHARS_TEXT})
        if Document.objects.filter(number__iexact=number).exists():
            raise DomainError(gettext("Number %(number)s is already used; document numbers are never reused.") % {
                "number": number})
    else:
        number = next_number(doc_type, department)
    document = Document(
        number=number, title=title, doc_type=doc_type, owner=owner or actor, department=department, process=process,
        review_interval_months=review_interval_months, issuer=issuer.strip(),
        external_reference=external_reference.strip(), external_date=external_date,
        language=check_language(language or settings.LANGUAGE_CODE),
    )
    try:
        document.full_clean()
        with transaction.atomic():
            _save_document(document, actor, "Document created")
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages)) from exc
    except IntegrityError as exc:
        raise DomainError(gettext("Number %(number)s is already used; document numbers are never reused.") % {
            "number": number}) from exc
    document.clauses.set(clauses)
    document.distribution_users.set(distribution_users)
    document.distribution_groups.set(distribution_groups)
    revision = Revision(
        document=document, seq=1, label=_draft_label(document, 1), content=content or "",
        change_summary="Initial issue", created_by=actor,
    )
    _attach_files(revision, pdf=pdf, source=source)
    _save_revision(revision, actor, "First draft")
    document.latest_revision = revision
    _save_document(document, actor, "First draft")
    record_event(actor=actor, verb="document.created", obj=document, to_state="draft")
    record_event(actor=actor, verb="revision.created", obj=revision, to_state=S.DRAFT)
    return document


def check_language(code: str) -> str:
    """The language a document is written in is one the QMS has (every caller, not only the page's form)."""
    if code not in language_codes():
        raise DomainError(gettext("%(code)s is not a language of this QMS.") % {"code": code})
    return code


def document_details(document: Document) -> dict:
    """The details the edit form shows; a change to them meanwhile is a conflict."""
    return {
        "title": document.title, "owner": str(document.owner), "process": str(document.process or ""),
        "clauses": sorted(str(c) for c in document.clauses.all()),
        "distribution_users": sorted(str(u) for u in document.distribution_users.all()),
        "distribution_groups": sorted(g.name for g in document.distribution_groups.all()),
        "review_interval_months": document.review_interval_months, "issuer": document.issuer,
        "external_reference": document.external_reference, "external_date": document.external_date,
        "language": document.language,
    }


@transaction.atomic
def document_update(*, actor, document: Document, reason: str, opened: Stamp | None = None, **fields) -> Document:
    """Change a document's metadata (title, owner, interval, clauses, distribution…) with a reason.

    `opened` is the stamp of the details the form showed: a save over details
    changed meanwhile is refused (EditConflict says what changed)."""
    require("documents.edit_document", actor, document)
    locked = Document.objects.select_for_update().get(pk=document.pk)  # compare what is stored now
    check_unchanged(opened, document_details(locked), what=f"{document.number}'s details",
                    action="your changes were not saved (they are still in the form below)")
    if not (reason or "").strip():
        raise DomainError(gettext("Say why the details change."))
    m2m = {k: fields.pop(k) for k in ("clauses", "distribution_users", "distribution_groups") if k in fields}
    check_in_window(fields.get("external_date"), "The edition date", earliest=HISTORIC_EARLIEST)
    check_language(fields.get("language", settings.LANGUAGE_CODE))
    for name, value in fields.items():
        setattr(document, name, value)
    if document.doc_type.external_origin and not (document.issuer.strip() and document.external_reference.strip()):
        raise DomainError(gettext("An external document needs its issuer and its edition or reference."))
    if "review_interval_months" in fields and document.effective_revision_id and document.effective_revision.effective_date:
        document.next_review_date = add_months(document.effective_revision.effective_date, document.interval_months)
    _save_document(document, actor, reason.strip())
    for name, value in m2m.items():
        getattr(document, name).set(value)
    record_event(actor=actor, verb="document.updated", obj=document, comment=reason.strip())
    if document.effective_revision_id and ("distribution_users" in m2m or "distribution_groups" in m2m):
        _assign_to_newcomers(actor, document)
    return document


def _assign_to_newcomers(actor, document: Document) -> int:
    """People added to the distribution must read the revision in force (they never have)."""
    revision = document.effective_revision
    has_task = Acknowledgement.objects.filter(revision=revision).values("user_id")
    users = list(selectors.distribution_users(document).exclude(pk__in=has_task))
    now, due = timezone.now(), today() + timedelta(days=ACK_DUE_DAYS)
    Acknowledgement.objects.bulk_create(
        [Acknowledgement(revision=revision, user=u, assigned_at=now, due_date=due) for u in users],
        ignore_conflicts=True,
    )
    if users:
        record_event(actor=actor, verb="acknowledgements.assigned", obj=revision,
                     data={"count": len(users), "reason": "added to the distribution"})
    return len(users)


def assign_new_readers(*, actor, document: Document) -> int:
    """Readers another app added (qms.readers, e.g. a new holder of a job role
    that needs this document) get the read-and-understood task of the revision
    in force, as people added to the distribution do. Returns how many."""
    with transaction.atomic():
        if not document.effective_revision_id:
            return 0
        return _assign_to_newcomers(actor, document)


@transaction.atomic
def revision_update_draft(
    *,
    actor,
    revision: Revision,
    content: str | None = None,
    change_summary: str | None = None,
    change_reason: str | None = None,
    pdf=None,
    source=None,
    remove_pdf: bool = False,
    remove_source: bool = False,
    opened: Stamp | None = None,
) -> Revision:
    """Save a draft. Anything past Draft is frozen (DOC-05): edit attempts are refused.

    `opened` is the stamp of the draft the form showed: when the draft was
    saved meanwhile (another tab, a co-author), nothing is saved and
    EditConflict says what changed, so no paragraph silently disappears."""
    revision = Revision.objects.select_for_update().select_related("document__doc_type").get(pk=revision.pk)
    if revision.status != S.DRAFT:
        raise IllegalTransition(
            gettext("%(revision)s is %(status)s: its content is frozen. Start a new revision to change it.")
            % {"revision": revision, "status": in_sentence(revision.get_status_display())}
        )
    require("documents.edit_revision", actor, revision)
    check_unchanged(opened, revision.signature_content(), what=f"Draft {revision}",
                    action="your changes were not saved (they are still in the form below)")
    if content is not None:
        revision.content = content
    if change_summary is not None:
        revision.change_summary = change_summary.strip()
    if change_reason is not None:
        revision.change_reason = change_reason.strip()
    _attach_files(revision, pdf=pdf, source=source, remove_pdf=remove_pdf, remove_source=remove_source)
    _save_revision(revision, actor, "Draft saved")
    return revision


@transaction.atomic
def revision_create_new(*, actor, document: Document, change_summary: str, change_reason: str) -> Revision:
    """Start a new draft from the effective revision; summary and reason required (DOC-06)."""
    document = Document.objects.select_for_update().select_related("doc_type").get(pk=document.pk)
    require("documents.start_revision", actor, document)
    open_rev = document.revisions.filter(status__in=(S.DRAFT, S.IN_REVIEW, S.APPROVED)).first()
    if open_rev is not None:
        raise DomainError(gettext("%(revision)s is still %(status)s; finish it first.") % {
            "revision": open_rev, "status": in_sentence(open_rev.get_status_display())})
    change_summary, change_reason = (change_summary or "").strip(), (change_reason or "").strip()
    if not change_summary:
        raise DomainError(gettext("Describe the change (change summary)."))
    if document.doc_type.change_reason_required and not change_reason:
        raise DomainError(gettext("Documents of type %(type)s need a reason for the change.") % {
            "type": document.doc_type.code})
    base = document.revisions.get(status=S.EFFECTIVE)
    seq = (document.revisions.aggregate(m=Max("seq"))["m"] or 0) + 1
    revision = Revision(
        document=document, seq=seq, label=_draft_label(document, seq), content=base.content,
        change_summary=change_summary, change_reason=change_reason, created_by=actor,
        pdf_file=base.pdf_file, pdf_original_name=base.pdf_original_name, pdf_sha256=base.pdf_sha256,
        pdf_size=base.pdf_size, source_file=base.source_file, source_original_name=base.source_original_name,
        source_sha256=base.source_sha256, source_size=base.source_size, source_content_type=base.source_content_type,
    )
    _save_revision(revision, actor, change_reason or change_summary)
    document.latest_revision = revision
    _save_document(document, actor, f"New revision {revision.label}")
    record_event(actor=actor, verb="revision.created", obj=revision, to_state=S.DRAFT, comment=change_summary)
    return revision


# ------------------------------------------------------------------ review and approval route
@dataclass
class StepSpec:
    kind: str
    mode: str = RouteStep.Mode.ALL
    users: list = field(default_factory=list)
    groups: list = field(default_factory=list)


def _check_approver(user, revision: Revision) -> None:
    """A user named on an approval step: holds the role and is not the author (DOC-04)."""
    require("documents.hold_approval_step", user, revision)


def _check_fixed_route(revision: Revision, steps: list[StepSpec]) -> None:
    """A type whose route template the author may not edit: the submission must
    be exactly the template's route (as offered, without the author)."""
    template = selectors.route_template_for(revision.document)
    if template is None or template.author_may_edit:
        return
    initial = selectors.template_initial(template, revision)
    wanted = [(initial[f"step{i}_kind"], initial[f"step{i}_mode"], sorted(initial[f"step{i}_users"]),
               sorted(initial[f"step{i}_groups"])) for i in range(1, 4) if initial.get(f"step{i}_kind")]
    given = [(s.kind, s.mode, sorted(u.pk for u in s.users), sorted(g.pk for g in s.groups)) for s in steps]
    if given != wanted:
        raise DomainError(gettext("Documents of type %(type)s follow the fixed route “%(route)s”; it cannot be changed "
                                  "on submission.") % {"type": revision.document.doc_type.code, "route": template.name})


@transaction.atomic
def revision_submit(*, actor, revision: Revision, steps: list[StepSpec], effective_date: date | None = None) -> Revision:
    """Draft → In review: start the route. Steps run in order; each is all-of or any-of."""
    revision = Revision.objects.select_for_update().select_related("document__doc_type").get(pk=revision.pk)
    REVISION.check(revision, S.IN_REVIEW)
    require("documents.submit_revision", actor, revision)
    document = revision.document
    if not revision.content.strip() and not revision.pdf_file:
        raise DomainError(gettext("The revision is empty: write its content or upload a PDF."))
    if revision.seq > 1:
        if not revision.change_summary.strip():
            raise DomainError(gettext("Describe the change (change summary) before submitting."))
        if document.doc_type.change_reason_required and not revision.change_reason.strip():
            raise DomainError(gettext("Documents of type %(type)s need a reason for the change.") % {
                "type": document.doc_type.code})
    if not steps:
        raise DomainError(gettext("Choose at least one approver."))
    if not any(s.kind == RouteStep.Kind.APPROVE for s in steps):
        raise DomainError(gettext("The route needs at least one approval step."))
    if effective_date and effective_date < today():
        raise DomainError(gettext("The effective date cannot be in the past."))
    check_in_window(effective_date, "The effective date")
    _check_fixed_route(revision, steps)
    for spec in steps:
        if not spec.users and not spec.groups:
            raise DomainError(gettext("Every step needs at least one signer (a user or a group)."))
        if any(permissions.is_external_auditor(u) for u in spec.users) or any(
                g.name == permissions.Role.EXTERNAL_AUDITOR for g in spec.groups):
            raise DomainError(gettext("External auditors cannot review or approve documents."))
        if spec.kind == RouteStep.Kind.APPROVE:
            for user in spec.users:
                _check_approver(user, revision)
    round_no = (revision.route_steps.aggregate(m=Max("round"))["m"] or 0) + 1
    for order, spec in enumerate(steps, start=1):
        step = RouteStep.objects.create(
            revision=revision, round=round_no, order=order, kind=spec.kind, mode=spec.mode,
            status=RouteStep.Status.ACTIVE if order == 1 else RouteStep.Status.WAITING,
        )
        StepSigner.objects.bulk_create(
            [StepSigner(step=step, user=u, added_by=actor) for u in dict.fromkeys(spec.users)]
            + [StepSigner(step=step, group=g, added_by=actor) for g in dict.fromkeys(spec.groups)]
        )
    revision.submitted_at = timezone.now()
    revision.effective_date = effective_date
    if document.doc_type.revision_scheme == "decimal":
        revision.label = _draft_label(document, revision.seq, draft_round=round_no)
    transition(revision, S.IN_REVIEW, actor=actor, verb="revision.submitted", reason="Submitted for review and approval",
               data={"round": round_no, "steps": len(steps)})
    _notify_step(revision, revision.route_steps.get(round=round_no, order=1))
    return revision


@transaction.atomic
def revision_withdraw(*, actor, revision: Revision, reason: str) -> Revision:
    """In review → Draft at the author's request (e.g. a wrong signer was chosen);
    the running round is cancelled, decisions already signed stay on record."""
    revision = Revision.objects.select_for_update().select_related("document").get(pk=revision.pk)
    REVISION.check(revision, S.DRAFT)
    require("documents.manage_route", actor, revision)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(gettext("Say why the revision is withdrawn from review."))
    revision.route_steps.filter(status__in=(RouteStep.Status.ACTIVE, RouteStep.Status.WAITING)).update(
        status=RouteStep.Status.CANCELLED
    )
    revision.effective_date = None
    transition(revision, S.DRAFT, actor=actor, verb="revision.withdrawn", reason=f"Withdrawn: {reason}"[:100],
                 comment=reason)
    return revision


def _notify_step(revision: Revision, step: RouteStep) -> None:
    url = revision.get_absolute_url()
    title = stored_text.text(gettext_noop("Waiting for your signature: %(number)s %(title)s"),
                             number=revision.document.number, title=revision.document.title)
    body = stored_text.text(gettext_noop("%(step)s of revision %(label)s"),
                            step=stored_text.lazy(RouteStep.Kind(step.kind).label), label=revision.label)
    users = {s.user for s in step.signers.select_related("user") if s.user_id}
    for s in step.signers.filter(group__isnull=False).prefetch_related("group__user_set"):
        users.update(u for u in s.group.user_set.all() if u.is_active)
    for user in users:
        notify(user, title=title, body=body, url=url)


@transaction.atomic
def route_add_signer(*, actor, revision: Revision, step: RouteStep, user=None, group: Group | None = None) -> StepSigner:
    """Add a signer to a step that has not finished yet, while the route runs."""
    revision = Revision.objects.select_for_update().get(pk=revision.pk)
    require("documents.manage_route", actor, revision)
    step = RouteStep.objects.select_for_update().get(pk=step.pk, revision=revision)
    if step.status not in (RouteStep.Status.ACTIVE, RouteStep.Status.WAITING):
        raise DomainError(gettext("This step has finished; signers can only be added to running or waiting steps."))
    if (user is None) == (group is None):
        raise DomainError(gettext("Choose a user or a group."))
    if user is not None and step.kind == RouteStep.Kind.APPROVE:
        _check_approver(user, revision)
    if step.signers.filter(user=user, group=group).exists():
        raise DomainError(gettext("This signer is already on the step."))
    signer = StepSigner.objects.create(step=step, user=user, group=group, added_by=actor)
    record_event(actor=actor, verb="route.signer_added", obj=revision, comment=f"Step {step.order}: {signer}")
    if step.status == RouteStep.Status.ACTIVE:
        _notify_step(revision, step)
    return signer


def revision_decide(
    *, actor, revision: Revision, password: str, outcome: str, comment: str = "", significance: str = ""
) -> Decision:
    """A signer's decision on the active step, as an electronic signature
    (reviewed / approved / rejected). A rejection returns the revision to Draft;
    the last approval makes it Approved, then Effective unless its date is later."""
    if outcome not in Decision.Outcome.values:
        raise DomainError(gettext("Choose a decision."))
    if outcome == Decision.Outcome.REJECTED and not (comment or "").strip():
        raise DomainError(gettext("Say why you reject the revision: the author needs your comments."))
    authenticate_signer(actor, password, obj=revision, meaning=outcome)
    return _decide(actor=actor, revision=revision, password=password, outcome=outcome, comment=comment,
                   significance=significance)


@transaction.atomic
def _decide(*, actor, revision, password, outcome, comment, significance) -> Decision:
    revision = Revision.objects.select_for_update().select_related("document__doc_type").get(pk=revision.pk)
    if revision.status != S.IN_REVIEW:
        raise IllegalTransition(gettext("%(revision)s is %(status)s, not in review.") % {
            "revision": revision, "status": in_sentence(revision.get_status_display())})
    step = selectors.active_step(revision)
    if step is None:
        raise IllegalTransition(gettext("This revision has no running step."))
    step = RouteStep.objects.select_for_update().get(pk=step.pk)
    require("documents.sign_revision", actor, revision)  # never the author on approval (DOC-04)
    entries = selectors.open_signer_entries(actor, revision)
    if step.kind == RouteStep.Kind.REVIEW and outcome == Decision.Outcome.APPROVED:
        outcome = Decision.Outcome.REVIEWED
    if step.kind == RouteStep.Kind.APPROVE and outcome == Decision.Outcome.REVIEWED:
        outcome = Decision.Outcome.APPROVED
    if outcome == Decision.Outcome.APPROVED:
        if significance not in Revision.Significance.values:
            raise DomainError(gettext("Mark the change as significant or editorial."))
        from documents.renditions import render_problem

        if problem := render_problem(revision):  # not approved until its controlled PDF can be made
            raise DomainError(problem)
    meaning = {"reviewed": Signature.Meaning.REVIEWED, "approved": Signature.Meaning.APPROVED,
               "rejected": Signature.Meaning.REJECTED}[outcome]
    signature = sign(signer=actor, password=password, obj=revision, meaning=meaning, comment=comment or "")
    decision = Decision.objects.create(
        step=step, signer=entries[0], user=actor, outcome=outcome, comment=(comment or "").strip(),
        signature=signature, decided_at=signature.signed_at,
    )
    record_event(actor=actor, verb=f"route.{outcome}", obj=revision, comment=comment,
                 data={"step": step.order, "round": step.round})
    if outcome == Decision.Outcome.REJECTED:
        _reject(actor, revision, step, comment)
        return decision
    if outcome == Decision.Outcome.APPROVED:
        revision.significance = significance
    if _step_complete(step):
        step.status, step.completed_at = RouteStep.Status.DONE, timezone.now()
        step.save(update_fields=["status", "completed_at"])
        following = revision.route_steps.filter(round=step.round, order__gt=step.order).order_by("order").first()
        if following is not None:
            following.status = RouteStep.Status.ACTIVE
            following.save(update_fields=["status"])
            if outcome == Decision.Outcome.APPROVED:
                _save_revision(revision, actor, "Significance marked")
            _notify_step(revision, following)
        else:
            _approve(actor, revision)
    elif outcome == Decision.Outcome.APPROVED:
        _save_revision(revision, actor, "Significance marked")
    return decision


def _step_complete(step: RouteStep) -> bool:
    if step.mode == RouteStep.Mode.ANY:
        return True
    return not step.signers.filter(decisions__isnull=True).exists()


def _reject(actor, revision: Revision, step: RouteStep, comment: str) -> None:
    REVISION.check(revision, S.DRAFT)
    revision.route_steps.filter(round=step.round, status__in=(RouteStep.Status.ACTIVE, RouteStep.Status.WAITING)).update(
        status=RouteStep.Status.CANCELLED
    )
    revision.effective_date = None
    transition(revision, S.DRAFT, actor=actor, verb="revision.rejected", reason=f"Rejected: {comment}"[:100],
               comment=comment)
    notify(revision.created_by, title=stored_text.text(gettext_noop("%(revision)s was rejected"), revision=str(revision)),
           body=comment, url=revision.get_absolute_url())


def _approve(actor, revision: Revision) -> None:
    REVISION.check(revision, S.APPROVED)
    document = revision.document
    revision.approved_at = timezone.now()
    revision.label = revision_label(
        document.doc_type.revision_scheme, revision.seq, released=True,
        releases_before=_release_count(document, exclude_pk=revision.pk),
    )
    if not revision.significance:
        revision.significance = Revision.Significance.SIGNIFICANT
    transition(revision, S.APPROVED, actor=actor, verb="revision.approved", reason="Approved")
    # Render and store the controlled PDF in the background (enqueued on commit;
    # a broker that is down leaves the job pending for the sweep).
    from documents.renditions import on_revision_approved

    on_revision_approved(revision=revision, actor=actor)
    if revision.effective_date is None or revision.effective_date <= today():
        _make_effective(actor, revision)


# ------------------------------------------------------------------ effective, superseded, obsolete
def _make_effective(actor, revision: Revision) -> None:
    """Approved → Effective; the previous effective revision becomes Superseded
    first (the one-effective constraint is checked per statement)."""
    document = Document.objects.select_for_update().select_related("doc_type").get(pk=revision.document_id)
    revision = Revision.objects.select_for_update().get(pk=revision.pk)
    REVISION.check(revision, S.EFFECTIVE)
    now = timezone.now()
    previous = document.revisions.select_for_update().filter(status=S.EFFECTIVE).first()
    if previous is not None:
        previous.retired_at = now
        previous.retire_reason = f"Superseded by revision {revision.label}"
        transition(previous, S.SUPERSEDED, actor=actor, verb="revision.superseded", reason=previous.retire_reason,
                   comment=previous.retire_reason)
    revision.effective_at = now
    if revision.effective_date is None or revision.effective_date > today():
        revision.effective_date = today()
    transition(revision, S.EFFECTIVE, actor=actor, verb="revision.effective", reason="Effective")
    document.effective_revision = revision
    document.latest_revision = document.revisions.order_by("-seq").first()
    document.next_review_date = add_months(revision.effective_date, document.interval_months)
    _save_document(document, actor, f"Revision {revision.label} effective")
    _assign_acknowledgements(actor, document, revision)


def _assign_acknowledgements(actor, document: Document, revision: Revision) -> int:
    """Read-and-understood tasks for the distribution (ISO 9001 7.5.3.2a, 7.3).
    Editorial changes ask no re-read; a significant one replaces open tasks."""
    if revision.significance == Revision.Significance.EDITORIAL and revision.seq > 1:
        return 0
    now = timezone.now()
    Acknowledgement.objects.filter(
        revision__document=document, acknowledged_at__isnull=True, cancelled_at__isnull=True
    ).exclude(revision=revision).update(cancelled_at=now)
    due = today() + timedelta(days=ACK_DUE_DAYS)
    users = list(selectors.distribution_users(document))
    Acknowledgement.objects.bulk_create(
        [Acknowledgement(revision=revision, user=u, assigned_at=now, due_date=due) for u in users],
        ignore_conflicts=True,
    )
    texts = {
        **stored_text.fields("title", stored_text.text(gettext_noop("Please read %(number)s %(title)s (revision %(label)s)"),
                                                       number=document.number, title=document.title, label=revision.label),
                             limit=200),
        **stored_text.fields("body", stored_text.text(gettext_noop("Acknowledge by %(date)s."), date=f"{due:%Y-%m-%d}")),
    }
    Notification.objects.bulk_create([Notification(user=u, url=document.get_absolute_url(), **texts) for u in users])
    if users:
        record_event(actor=actor, verb="acknowledgements.assigned", obj=revision, data={"count": len(users)})
    return len(users)


def revision_make_effective(*, actor, revision: Revision) -> Revision:
    """Approved → Effective now (used by the date switch; also callable by the QM)."""
    with transaction.atomic():
        if actor is not None:  # the date switch (beat) has no actor
            require("documents.release_early", actor, revision)
        _make_effective(actor, revision)
    revision.refresh_from_db()
    return revision


def apply_due_effective_dates(on: date | None = None) -> int:
    """Switch approved revisions whose effective date has come (DOC-09): until
    then the previous revision stays in force. Idempotent; run daily by beat and
    by `manage.py apply_effective_dates`. Returns how many were switched."""
    on = on or today()
    switched = 0
    for rev_id in Revision.objects.filter(status=S.APPROVED, effective_date__lte=on).values_list("id", flat=True):
        try:
            with transaction.atomic():
                revision = Revision.objects.select_for_update(skip_locked=True).filter(pk=rev_id, status=S.APPROVED).first()
                if revision is None:
                    continue  # someone else switched it
                _make_effective(None, revision)
                switched += 1
        except DomainError:
            log.exception("Could not make revision %s effective", rev_id)
    return switched


@transaction.atomic
def document_make_obsolete(*, actor, document: Document, reason: str) -> Document:
    """Effective → Obsolete: the document is withdrawn; a reason is required."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    require("documents.make_obsolete", actor, document)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(gettext("Making a document obsolete needs a reason."))
    pending = document.revisions.filter(status__in=(S.IN_REVIEW, S.APPROVED)).first()
    if pending is not None:
        raise DomainError(gettext("%(revision)s is %(status)s; withdraw or finish it first.") % {
            "revision": pending, "status": in_sentence(pending.get_status_display())})
    revision = document.revisions.select_for_update().filter(status=S.EFFECTIVE).first()
    if revision is None:
        raise IllegalTransition(gettext("%(number)s has no effective revision to make obsolete.") % {
            "number": document.number})
    revision.retired_at, revision.retire_reason = timezone.now(), reason
    transition(revision, S.OBSOLETE, actor=actor, verb="revision.obsolete", reason=reason[:100], comment=reason)
    document.effective_revision = None
    document.next_review_date = None
    document.obsolete_reason = reason
    _save_document(document, actor, reason[:100])
    Acknowledgement.objects.filter(revision__document=document, acknowledged_at__isnull=True,
                                   cancelled_at__isnull=True).update(cancelled_at=timezone.now())
    record_event(actor=actor, verb="document.obsolete", obj=document, comment=reason)
    return document


# ------------------------------------------------------------------ periodic review
def document_periodic_review(*, actor, document: Document, password: str, outcome: str, comment: str = "") -> PeriodicReview:
    """A signed periodic review (DOC-14): "no change needed" resets the clock;
    "revise" opens a new draft from the effective revision."""
    if outcome not in PeriodicReview.Outcome.values:
        raise DomainError(gettext("Choose an outcome."))
    if outcome == PeriodicReview.Outcome.REVISE and not (comment or "").strip():
        raise DomainError(gettext("Say what needs revising."))
    authenticate_signer(actor, password, obj=document, meaning=Signature.Meaning.PERIODIC_REVIEW)
    with transaction.atomic():
        document = Document.objects.select_for_update().select_related("doc_type").get(pk=document.pk)
        require("documents.review_document", actor, document)
        revision = document.revisions.get(status=S.EFFECTIVE)
        check_shown(revision)  # also for "revise", which is not signed: the reviewer judged what was shown
        review = PeriodicReview(document=document, revision=revision, outcome=outcome, reviewer=actor,
                                reviewed_at=timezone.now(), comment=(comment or "").strip())
        if outcome == PeriodicReview.Outcome.NO_CHANGE:
            review.signature = sign(signer=actor, password=password, obj=revision,
                                    meaning=Signature.Meaning.PERIODIC_REVIEW, comment=comment or "")
            document.next_review_date = add_months(today(), document.interval_months)
            review.next_review_date = document.next_review_date
            _save_document(document, actor, "Periodic review: no change needed")
            review.save()
            record_event(actor=actor, verb="document.reviewed", obj=document, comment=comment,
                         data={"outcome": outcome, "next_review_date": str(document.next_review_date)})
        else:
            review.save()
            record_event(actor=actor, verb="document.reviewed", obj=document, comment=comment,
                         data={"outcome": outcome})
            if not document.revisions.filter(status__in=(S.DRAFT, S.IN_REVIEW, S.APPROVED)).exists():
                revision_create_new(actor=actor, document=document, change_summary="Periodic review: revision",
                                    change_reason=comment)
        return review


# ------------------------------------------------------------------ read and understood
NOTHING_TO_ACKNOWLEDGE = gettext_lazy("There is nothing for you to acknowledge on this document.")


def acknowledge(*, actor, document: Document, password: str, comment: str = "") -> Acknowledgement:
    """Read and understood: a signature with meaning "read" on the effective revision."""
    authenticate_signer(actor, password, obj=document, meaning=Signature.Meaning.READ)
    with transaction.atomic():
        ack = (
            Acknowledgement.objects.select_for_update()
            .select_related("revision")
            .filter(user=actor, revision__document=document, revision__status=S.EFFECTIVE,
                    acknowledged_at__isnull=True, cancelled_at__isnull=True)
            .first()
        )
        if ack is None:
            raise DomainError(NOTHING_TO_ACKNOWLEDGE)
        ack.signature = sign(signer=actor, password=password, obj=ack.revision, meaning=Signature.Meaning.READ,
                             comment=comment or "")
        ack.acknowledged_at = ack.signature.signed_at
        ack.save(update_fields=["signature", "acknowledged_at"])
        record_event(actor=actor, verb="acknowledgement.signed", obj=ack.revision, comment=comment)
        return ack


# ------------------------------------------------------------------ bulk actions (qms.bulk: per-row results)
def acknowledge_many(*, actor, documents, form, comment: str = "") -> list[bulk.RowResult]:
    """Read and understood for several documents with one signature: `form` is
    the posted qms.signatures.BulkSignatureForm (inside its `signing()` block),
    whose stamp lists each document's effective revision and its hash. The
    signer is proved once (refused: nothing signed); then each document goes
    through `acknowledge`, and its revision gets its own "read" signature."""
    form.prove(Signature.Meaning.READ)
    password = form.cleaned_data.get("password", "")

    def one(document):
        with form.signing_item(document.pk):
            acknowledge(actor=actor, document=document, password=password, comment=comment)

    return bulk.run(sorted(documents, key=lambda d: d.pk), one)


def documents_reassign(*, actor, documents, owner, reason: str) -> list[bulk.RowResult]:
    """Give several documents a new owner, each through `document_update` with
    the same reason; a document the rules refuse (not the actor's, obsolete) is reported."""
    if not (reason or "").strip():
        raise DomainError(gettext("Say why the details change."))
    return bulk.run(sorted(documents, key=lambda d: d.pk),
                    lambda document: document_update(actor=actor, document=document, reason=reason, owner=owner))
