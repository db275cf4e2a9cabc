"""Who may do what with the certification auditor's access: this app's rules, registered with qms.rules.

Each rule is named `auditor.<action>`; services `require()` it once, views and
templates ask `allowed()` / `{% can %}`. The refusal message sits beside the rule.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from auditor.models import EvidenceRequest
from qms.lifecycle import may_become
from qms.permissions import (
    Role,
    can_read_everything,
    can_write,
    has_role,
    is_quality_manager,
)
from qms.rules import predicate, rule


@predicate
def can_manage_auditor_access(user) -> bool:
    """Invite, scope and revoke external auditors; read their access logs."""
    return is_quality_manager(user)


@predicate
def can_request_evidence(user) -> bool:
    return has_role(user, Role.EXTERNAL_AUDITOR, Role.AUDITOR)


@predicate
def can_view_evidence_request(user, req) -> bool:
    return req.requested_by_id == user.pk or req.assigned_to_id == user.pk or is_quality_manager(user)


@predicate
def can_answer_evidence_request(user, req) -> bool:
    return (req.assigned_to_id == user.pk or is_quality_manager(user)) and can_write(user)


@predicate
def can_close_evidence_request(user, req) -> bool:
    return req.requested_by_id == user.pk or is_quality_manager(user)


@predicate
def can_verify_pack(user) -> bool:
    return can_read_everything(user)


@predicate
def can_build_pack(user) -> bool:
    return can_read_everything(user)


@predicate
def can_view_readiness(user) -> bool:
    """The readiness map shows where the system is weak: for the quality manager and internal auditors."""
    return is_quality_manager(user) or has_role(user, Role.AUDITOR)


@predicate
def can_view_as_of(user) -> bool:
    """The point-in-time ("as of a date") view: the quality manager and auditors,
    internal or external (read-only GET pages; an external auditor's scope applies)."""
    return is_quality_manager(user) or has_role(user, Role.AUDITOR, Role.EXTERNAL_AUDITOR)


# ------------------------------------------------------------------ the rules, with their messages
rule("auditor.manage_auditor_access", can_manage_auditor_access, _("Only the quality manager manages external auditor access."))
rule("auditor.request_evidence", can_request_evidence, _("Only auditors raise evidence requests."))
rule("auditor.view_evidence_request", can_view_evidence_request, _("Only the auditor who asked, the person it is assigned to and the quality manager see this request."))
rule("auditor.answer_evidence_request", can_answer_evidence_request, _("Only the quality manager or the person it is assigned to can answer."))
rule("auditor.close_evidence_request",
     can_close_evidence_request & may_become(EvidenceRequest.Status.CLOSED), _("Only the auditor who asked, or the quality manager, can close a request."))
rule("auditor.verify_pack", can_verify_pack, _("Only the quality manager and auditors verify evidence packs."))
rule("auditor.build_pack", can_build_pack, _("Only the quality manager and auditors build evidence packs."))
rule("auditor.print_readiness", can_view_readiness & can_write,
     _("Only the quality manager and internal auditors can print the readiness summary."))
rule("auditor.view_readiness", can_view_readiness, _("The readiness map is for the quality manager and internal auditors."))
rule("auditor.export_readiness", can_view_as_of,
     _("The readiness export is for the quality manager and auditors (an external auditor gets the clauses in scope)."))
rule("auditor.view_as_of", can_view_as_of, _("The point-in-time view is for the quality manager and auditors."))
