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
    """The manual builds page and their downloads: quality manager and auditors."""
    return can_read_everything(user)


def can_build_manual(user) -> bool:
    return is_quality_manager(user) and can_write(user)


# ------------------------------------------------------------------ documents


# ------------------------------------------------------------------ records


# ------------------------------------------------------------------ audits and CAPA
