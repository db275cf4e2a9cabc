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
    """The full audit trail of any object: quality manager and auditors."""
    return can_read_everything(user)


def can_export_trail(user) -> bool:
    return can_read_everything(user)


def can_view_clauses(user) -> bool:
    return bool(getattr(user, "is_active", False))


def can_view_job(user, job: Job) -> bool:
    return job.requested_by_id == user.pk or is_quality_manager(user)


def can_retry_job(user, job: Job) -> bool:
    return can_view_job(user, job) and can_write(user)


def can_administer(user: User) -> bool:
    return bool(user.is_active and user.is_staff)


# ------------------------------------------------------------------ documents


# ------------------------------------------------------------------ records


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
    return can_read_everything(user) or _is_on_audit_team(user, audit) or _is_auditee(user, audit)


def can_manage_programme(user, programme=None) -> bool:
    return can_write(user) and is_quality_manager(user)


def can_schedule_audit(user) -> bool:
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
    if can_read_everything(user) or capa.owner_id == user.pk or capa.raised_by_id == user.pk:
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
