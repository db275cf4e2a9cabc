"""Every permission decision, as a predicate: `can_<verb>(user, obj)`.

Views, services, templates (via the `perms` template tags) and the admin all
ask these functions; hiding a button is never the check. Sections per app
below; keep each predicate small and named for the action it guards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from qms.models import Job, User


class Role:
    """Django group names. A user may hold several."""

    QUALITY_MANAGER = "Quality Manager"
    AUTHOR = "Author"
    APPROVER = "Approver"
    STAFF = "Staff"
    AUDITOR = "Auditor"
    EXTERNAL_AUDITOR = "External Auditor"

    ALL = (QUALITY_MANAGER, AUTHOR, APPROVER, STAFF, AUDITOR, EXTERNAL_AUDITOR)


def roles(user) -> frozenset[str]:
    """The user's role names, read once per user object (one query)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_qms_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._qms_roles = cached
    return cached


def has_role(user, *names: str) -> bool:
    return bool(roles(user).intersection(names))


# ------------------------------------------------------------------ core
def is_quality_manager(user) -> bool:
    return has_role(user, Role.QUALITY_MANAGER)


def is_external_auditor(user) -> bool:
    return has_role(user, Role.EXTERNAL_AUDITOR)


# ------------------------------------------------------------------ certification auditor access
def can_manage_auditor_access(user) -> bool:
    """Invite, scope and revoke external auditors; read their access logs."""
    return is_quality_manager(user)


def can_request_evidence(user) -> bool:
    return has_role(user, Role.EXTERNAL_AUDITOR, Role.AUDITOR)


def can_view_evidence_request(user, req) -> bool:
    return req.requested_by_id == user.pk or req.assigned_to_id == user.pk or is_quality_manager(user)


def can_answer_evidence_request(user, req) -> bool:
    return (req.assigned_to_id == user.pk or is_quality_manager(user)) and can_write(user)


def can_close_evidence_request(user, req) -> bool:
    return req.requested_by_id == user.pk or is_quality_manager(user)


def can_verify_pack(user) -> bool:
    return can_read_everything(user)


def can_build_pack(user) -> bool:
    return can_read_everything(user)


def can_view_readiness(user) -> bool:
    """The readiness map shows where the system is weak: for the quality manager and internal auditors."""
    return is_quality_manager(user) or has_role(user, Role.AUDITOR)


def can_view_as_of(user) -> bool:
    """The point-in-time ("as of a date") view: the quality manager and auditors,
    internal or external (read-only GET pages; an external auditor's scope applies)."""
    return is_quality_manager(user) or has_role(user, Role.AUDITOR, Role.EXTERNAL_AUDITOR)


def in_auditor_scope(user, obj) -> bool:
    """External auditors see only what their grant's clauses or processes cover;
    everyone else is not narrowed here (ACC-08)."""
    if not is_external_auditor(user):
        return True
    from auditor.scope import object_in_scope

    return object_in_scope(user, obj)


def is_auditor(user) -> bool:
    """Internal or external auditor: reads evidence across the system."""
    return has_role(user, Role.AUDITOR, Role.EXTERNAL_AUDITOR)


def can_read_everything(user) -> bool:
    """Quality manager and auditors see drafts, voided and superseded items."""
    return is_quality_manager(user) or is_auditor(user)


def can_write(user) -> bool:
    """External auditors are read-only everywhere; inactive users can do nothing."""
    return bool(getattr(user, "is_active", False)) and not is_external_auditor(user)


def can_view_trail(user, obj=None) -> bool:
    """The full audit trail of any object: quality manager and auditors; an
    external auditor only for objects inside their grant (the same scope hook
    as the object's own page)."""
    return can_read_everything(user) and (obj is None or in_auditor_scope(user, obj))


def is_scoped_external_auditor(user) -> bool:
    """An external auditor whose grant covers only some clauses or processes."""
    if not is_external_auditor(user):
        return False
    from auditor.scope import scope_for

    return scope_for(user) is not None


def can_view_aggregates(user) -> bool:
    """Pages that compile everything at once (the audit programme, the
    compiled quality manual): not for an auditor whose grant is limited to
    part of the system, since they cannot be cut to a scope."""
    return can_read_everything(user) and not is_scoped_external_auditor(user)


def can_export_trail(user) -> bool:
    """The whole audit trail: QM and auditors; an external auditor only with a
    grant over everything (the trail is not narrowed by clause or process)."""
    if is_external_auditor(user):
        from auditor.scope import scope_for

        return scope_for(user) is None
    return can_read_everything(user)


def can_view_clauses(user) -> bool:
    return bool(getattr(user, "is_active", False))


def can_view_job(user, job: Job) -> bool:
    return job.requested_by_id == user.pk or is_quality_manager(user)


def can_retry_job(user, job: Job) -> bool:
    return can_view_job(user, job) and can_write(user)


def can_administer(user: User) -> bool:
    return bool(user.is_active and user.is_staff)


# ------------------------------------------------------------------ documents: controlled PDFs and the manual (issue 4)
def can_print_revision(user, revision) -> bool:
    """Effective revisions: anyone with a role. Drafts, approved, superseded and
    obsolete ones: the quality manager, auditors, the document owner, the
    revision's author and approvers (the documents app may narrow approvers to
    the route's signers)."""
    if not roles(user):
        return False
    if revision.status == "effective":
        return True
    return (
        can_read_everything(user)
        or revision.document.owner_id == user.pk
        or revision.created_by_id == user.pk
        or has_role(user, Role.APPROVER)
    )


def can_view_manual(user) -> bool:
    """The manual builds page and their downloads: quality manager and auditors
    (not an external auditor with a limited grant: the manual holds every clause)."""
    return can_view_aggregates(user)


def can_build_manual(user) -> bool:
    return is_quality_manager(user) and can_write(user)


# ------------------------------------------------------------------ documents
# Staff read effective revisions; drafts, superseded and obsolete revisions are
# for owners, authors, approvers, the quality manager and auditors (DOC-08/09).
def can_view_documents(user) -> bool:
    return bool(roles(user))


def can_view_drafts(user, document=None) -> bool:
    if not can_view_documents(user):
        return False
    if can_read_everything(user) or has_role(user, Role.AUTHOR, Role.APPROVER):
        return True
    return document is not None and document.owner_id == user.pk


def can_view_document(user, document) -> bool:
    return (
        can_view_documents(user)
        and (bool(document.effective_revision_id) or can_view_drafts(user, document))
        and in_auditor_scope(user, document)
    )


def can_view_revision(user, revision) -> bool:
    """Effective: every reader. Others: draft readers, and anyone named on its route."""
    if not in_auditor_scope(user, revision.document):
        return False
    if revision.status == "effective":
        return can_view_documents(user)
    if can_view_drafts(user, revision.document):
        return True
    from documents.selectors import is_route_signer

    return can_view_documents(user) and is_route_signer(user, revision)


def can_export_register(user) -> bool:
    return can_view_documents(user)


def can_create_document(user) -> bool:
    return can_write(user) and has_role(user, Role.QUALITY_MANAGER, Role.AUTHOR)


def can_assign_number(user) -> bool:
    """Choosing a number by hand (e.g. migrating legacy documents): quality manager only."""
    return can_write(user) and is_quality_manager(user)


def _is_owner_or_qm(user, document) -> bool:
    return document.owner_id == user.pk or is_quality_manager(user)


def can_edit_revision(user, revision) -> bool:
    """Only drafts are editable (approved content is frozen), by their author, the owner or the QM."""
    return (
        can_write(user)
        and revision.status == "draft"
        and (revision.created_by_id == user.pk or _is_owner_or_qm(user, revision.document))
    )


def can_submit_revision(user, revision) -> bool:
    return can_edit_revision(user, revision)


def can_start_revision(user, document) -> bool:
    return (
        can_write(user)
        and bool(document.effective_revision_id)
        and (has_role(user, Role.AUTHOR) or _is_owner_or_qm(user, document))
    )


def can_manage_route(user, revision) -> bool:
    """Add signers while the route runs: the revision's author, the owner or the QM."""
    return (
        can_write(user)
        and revision.status == "in_review"
        and (revision.created_by_id == user.pk or _is_owner_or_qm(user, revision.document))
    )


def can_approve(user) -> bool:
    """Who may hold an approval step (DOC-02): approvers and the quality manager."""
    return can_write(user) and has_role(user, Role.APPROVER, Role.QUALITY_MANAGER)


def can_sign_revision(user, revision) -> bool:
    """A signer on the revision's active step who has not decided yet (DOC-04: never the author on approval)."""
    if not can_write(user) or revision.status != "in_review":
        return False
    from documents.selectors import open_signer_entries

    return bool(open_signer_entries(user, revision))


def can_make_obsolete(user, document) -> bool:
    return can_write(user) and bool(document.effective_revision_id) and _is_owner_or_qm(user, document)


def can_review_document(user, document) -> bool:
    """Periodic review (DOC-14): the owner or the quality manager."""
    return can_write(user) and bool(document.effective_revision_id) and _is_owner_or_qm(user, document)


def can_acknowledge(user, document=None) -> bool:
    return can_write(user) and can_view_documents(user)


def can_view_acknowledgements(user, document) -> bool:
    return can_read_everything(user) or has_role(user, Role.APPROVER) or document.owner_id == user.pk


def can_compare_revisions(user, document) -> bool:
    return can_view_drafts(user, document)


def can_edit_document(user, document) -> bool:
    """Metadata (title, owner, clauses, distribution, review interval): owner or QM."""
    return can_write(user) and _is_owner_or_qm(user, document)


# ------------------------------------------------------------------ records
# Staff (and the quality manager) submit records; approvers and the quality
# manager verify them; the quality manager configures types and disposes.
def can_configure_record_types(user) -> bool:
    return can_write(user) and is_quality_manager(user)


def can_view_record_types(user) -> bool:
    return bool(getattr(user, "is_active", False) and roles(user))


def can_view_records(user) -> bool:
    """The register: everyone with a role; it lists only what they may read."""
    return bool(getattr(user, "is_active", False) and roles(user))


def can_create_record(user, record_type=None) -> bool:
    if not can_write(user) or not has_role(user, Role.STAFF, Role.QUALITY_MANAGER):
        return False
    return record_type is None or record_type.is_active


def is_record_verifier(user) -> bool:
    return has_role(user, Role.APPROVER, Role.QUALITY_MANAGER)


def can_view_record(user, record) -> bool:
    """Quality manager and auditors read every record (voided ones flagged);
    the creator reads their own; verifiers read submitted records."""
    if not getattr(user, "is_active", False):
        return False
    if can_read_everything(user) or record.created_by_id == user.pk:
        return in_auditor_scope(user, record)
    return record.status == "submitted" and is_record_verifier(user)


def can_edit_record(user, record) -> bool:
    """Only a draft is edited in place, by its creator."""
    return can_write(user) and record.status == "draft" and record.created_by_id == user.pk


def can_amend_record(user, record) -> bool:
    """Corrections of a submitted record: the submitter or the quality manager."""
    if not can_write(user) or record.status != "submitted":
        return False
    return record.created_by_id == user.pk or is_quality_manager(user)


def can_add_evidence(user, record) -> bool:
    return can_edit_record(user, record) or can_amend_record(user, record)


def can_supersede_evidence(user, evidence) -> bool:
    return can_amend_record(user, evidence.record)


def can_download_evidence(user, evidence) -> bool:
    return evidence.disposed_at is None and can_view_record(user, evidence.record)


def can_verify_record(user, record) -> bool:
    """A second person: never the submitter (the service says so clearly)."""
    return (
        can_write(user)
        and is_record_verifier(user)
        and record.status == "submitted"
        and record.record_type.verification_required
        and record.verified_at is None
        and record.created_by_id != user.pk
    )


def can_void_record(user, record) -> bool:
    if not can_write(user) or record.status not in ("draft", "submitted"):
        return False
    return is_quality_manager(user) or (record.status == "draft" and record.created_by_id == user.pk)


def can_set_legal_hold(user, record=None) -> bool:
    return can_write(user) and is_quality_manager(user)


def can_view_retention(user) -> bool:
    return is_quality_manager(user) or is_auditor(user)


def can_dispose_record(user, record=None) -> bool:
    return can_write(user) and is_quality_manager(user)


def can_export_records(user) -> bool:
    return can_view_records(user)


def can_request_record_pdf(user, record) -> bool:
    return can_view_record(user, record) and record.status != "disposed"



# ------------------------------------------------------------------ audits and CAPA
# Auditors edit only the audits they are assigned to (lead or team); external
# auditors read only; auditees see their own audits; staff see the CAPAs and
# actions assigned to them.
def _is_on_audit_team(user, audit) -> bool:
    if audit.lead_auditor_id == user.pk:
        return True
    cached = getattr(audit, "_team_ids", None)
    if cached is None:
        cached = {u.pk for u in audit.team.all()}
    return user.pk in cached


def _is_auditee(user, audit) -> bool:
    cached = getattr(audit, "_auditee_ids", None)
    if cached is None:
        cached = {u.pk for u in audit.auditees.all()}
    return user.pk in cached


def can_view_audits(user) -> bool:
    return bool(getattr(user, "is_active", False)) and bool(roles(user))


def can_view_audit(user, audit) -> bool:
    if not can_view_audits(user):
        return False
    if can_read_everything(user):
        return in_auditor_scope(user, audit)
    return _is_on_audit_team(user, audit) or _is_auditee(user, audit)


def can_manage_programme(user, programme=None) -> bool:
    return can_write(user) and is_quality_manager(user)


def can_schedule_audit(user) -> bool:
    return can_write(user) and is_quality_manager(user)


def can_view_question_library(user) -> bool:
    """The audit question library: the quality manager and the internal
    auditors, who build checklists from it."""
    return bool(getattr(user, "is_active", False)) and has_role(user, Role.QUALITY_MANAGER, Role.AUDITOR)


def can_manage_question_library(user) -> bool:
    """Adding, editing and deactivating library questions."""
    return can_write(user) and is_quality_manager(user)


def can_edit_audit(user, audit) -> bool:
    """Plan, checklist and findings: the quality manager or the assigned auditors."""
    if not can_write(user) or audit.status == "closed":
        return False
    return is_quality_manager(user) or (has_role(user, Role.AUDITOR) and _is_on_audit_team(user, audit))


def can_record_findings(user, audit) -> bool:
    return can_edit_audit(user, audit) and audit.status == "in_progress"


def can_issue_report(user, audit) -> bool:
    """ISO 19011 6.5.1: the audit team leader issues the report."""
    return can_write(user) and audit.lead_auditor_id == user.pk and audit.status == "in_progress"


def can_close_audit(user, audit) -> bool:
    return can_write(user) and is_quality_manager(user) and audit.status == "reported"


def can_view_capas(user) -> bool:
    return can_view_audits(user)


def can_view_capa(user, capa) -> bool:
    if not can_view_capas(user):
        return False
    if can_read_everything(user):
        return in_auditor_scope(user, capa)
    if capa.owner_id == user.pk or capa.raised_by_id == user.pk:
        return True
    return any(a.owner_id == user.pk for a in capa.actions.all())


def can_raise_capa(user) -> bool:
    """Anyone with a role who can write may raise a nonconformity (ISO 9001 10.2)."""
    return can_write(user) and bool(roles(user))


def can_edit_capa(user, capa) -> bool:
    if not can_write(user) or capa.status in ("effective", "closed"):
        return False
    return is_quality_manager(user) or capa.owner_id == user.pk


def can_complete_action(user, action) -> bool:
    return can_write(user) and action.status == "open" and (action.owner_id == user.pk or is_quality_manager(user))


def can_verify_capa(user, capa) -> bool:
    """The effectiveness check: quality manager or an internal auditor (the
    service also refuses anyone who implemented an action)."""
    return can_write(user) and has_role(user, Role.QUALITY_MANAGER, Role.AUDITOR) and capa.status == "verifying"


def can_close_capa(user, capa) -> bool:
    return can_write(user) and is_quality_manager(user) and capa.status == "effective"
