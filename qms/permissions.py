"""Roles, the role predicates every app composes its rules from, and the core's own rules.

Each app's rules live in `<app>/rules.py` (see qms.rules): the core knows no
app. The predicates here are django-rules predicates, so apps compose them
(`can_write & is_quality_manager`); hiding a button is never the check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from qms import scope
from qms.rules import predicate, rule

if TYPE_CHECKING:  # pragma: no cover
    from qms.models import Job


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
@predicate
def has_a_role(user) -> bool:
    """An active user holding at least one role: the base of every "may see" rule."""
    return bool(roles(user))  # roles() is empty for inactive and anonymous users


@predicate
def is_quality_manager(user) -> bool:
    return has_role(user, Role.QUALITY_MANAGER)


@predicate
def is_external_auditor(user) -> bool:
    return has_role(user, Role.EXTERNAL_AUDITOR)


@predicate
def is_auditor(user) -> bool:
    """Internal or external auditor: reads evidence across the system."""
    return has_role(user, Role.AUDITOR, Role.EXTERNAL_AUDITOR)


@predicate
def can_read_everything(user) -> bool:
    """Quality manager and auditors see drafts, voided and superseded items."""
    return is_quality_manager(user) or is_auditor(user)


@predicate
def can_write(user) -> bool:
    """External auditors are read-only everywhere; inactive users can do nothing."""
    return bool(getattr(user, "is_active", False)) and not is_external_auditor(user)


@predicate
def can_view_trail(user, obj=None) -> bool:
    """The full audit trail of any object: quality manager and auditors; an
    external auditor only for objects inside their grant (the same scope hook
    as the object's own page)."""
    return can_read_everything(user) and (obj is None or scope.contains(user, obj))


@predicate
def can_view_aggregates(user) -> bool:
    """Pages that compile everything at once (the audit programme, the
    compiled quality manual): not for an auditor whose grant is limited to
    part of the system, since they cannot be cut to a scope."""
    return can_read_everything(user) and not scope.limited(user)


@predicate
def can_view_clauses(user) -> bool:
    return bool(getattr(user, "is_active", False))


@predicate
def can_view_job(user, job: Job) -> bool:
    return job.requested_by_id == user.pk or is_quality_manager(user)


@predicate
def can_retry_job(user, job: Job) -> bool:
    return can_view_job(user, job) and can_write(user)


# ------------------------------------------------------------------ the core's rules, with their messages
rule("qms.view_trail", can_view_trail, _("Only the quality manager and auditors can read the full audit trail."))
# The trail is not narrowed by clause or process: exporting it needs a grant over everything.
rule("qms.export_trail", can_view_aggregates,
     _("Only the quality manager and auditors with a grant over everything can export the audit trail."))
rule("qms.view_aggregates", can_view_aggregates,
     _("This page compiles the whole system: it is for the quality manager and auditors with a grant over everything."))
rule("qms.view_clauses", can_view_clauses, _("You cannot view the clause catalogue."))
rule("qms.view_job", can_view_job, _("Only the person who asked for this job and the quality manager see it."))
rule("qms.retry_job", can_retry_job, _("You cannot retry this job."))
