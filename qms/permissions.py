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
        return True
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
