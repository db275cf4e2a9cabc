"""Who may do what with audits and CAPA: this app's rules, registered with qms.rules.

Each rule is named `audits.<action>`; services `require()` it once, views and
templates ask `allowed()` / `{% can %}`. The refusal message sits beside the rule.
Auditors edit only the audits they are assigned to (lead or team); external
auditors read only; auditees see their own audits; staff see the CAPAs and
actions assigned to them.
"""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audits.models import Audit, AuditReport, Capa, CapaAction, Finding
from qms import scope
from qms.i18n import in_sentence
from qms.lifecycle import in_state, may_become
from qms.permissions import (
    Role,
    can_read_everything,
    can_write,
    has_a_role,
    has_role,
    is_quality_manager,
)
from qms.rules import predicate, rule


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


# ------------------------------------------------------------------ small predicates
@predicate
def is_internal_auditor(user) -> bool:
    return has_role(user, Role.AUDITOR)


@predicate
def is_on_team(user, audit) -> bool:
    return _is_on_audit_team(user, audit)


@predicate
def is_lead_auditor(user, audit) -> bool:
    return audit.lead_auditor_id == user.pk


@predicate
def is_capa_owner(user, capa) -> bool:
    return capa.owner_id == user.pk


@predicate
def is_action_owner(user, action) -> bool:
    return action.owner_id == user.pk


@predicate
def can_view_audit(user, audit) -> bool:
    if can_read_everything(user):
        return scope.contains(user, audit)
    return _is_on_audit_team(user, audit) or _is_auditee(user, audit)


@predicate
def can_view_capa(user, capa) -> bool:
    if can_read_everything(user):
        return scope.contains(user, capa)
    if capa.owner_id == user.pk or capa.raised_by_id == user.pk:
        return True
    return any(a.owner_id == user.pk for a in capa.actions.all())


quality_manager_writes = can_write & is_quality_manager
audit_open = ~in_state(Audit.Status.CLOSED)
# Plan, checklist and findings: the quality manager or the assigned auditors, until the audit closes.
can_edit_audit = can_write & audit_open & (is_quality_manager | (is_internal_auditor & is_on_team))
capa_changeable = ~in_state(Capa.Status.EFFECTIVE, Capa.Status.CLOSED)


@predicate
def can_add_finding_evidence(user, finding) -> bool:
    return can_edit_audit(user, finding.audit) and not finding.audit.is_done


@predicate
def can_close_finding(user, finding) -> bool:
    return can_write(user) and (is_quality_manager(user) or can_edit_audit(user, finding.audit))


@predicate
def report_not_issued(user, audit) -> bool:
    try:
        report = audit.report  # cached on the audit: a page asking twice queries once
    except AuditReport.DoesNotExist:
        return True
    return report.status != AuditReport.Status.ISSUED


@predicate
def audit_not_done(user, audit) -> bool:
    return not audit.is_done


def capa_action_refusal(capa) -> str | None:
    """Why no action can be added to `capa` now (None: it can). One home for the
    service's refusal and for the page that offers the form."""
    if capa.status == Capa.Status.CLOSED:
        return gettext("The CAPA is closed.")
    if capa.status not in (Capa.Status.OPEN, Capa.Status.ANALYSED, Capa.Status.IMPLEMENTING):
        # A plan changed after its check would make the check meaningless (and block closing).
        return gettext("Actions are planned before the effectiveness check; this CAPA is %(status)s.") % {
            "status": in_sentence(capa.get_status_display())}
    if capa.status != Capa.Status.OPEN and capa.ca_needed is False:
        return gettext("The analysis decided that no corrective action is needed.")
    if not capa.root_cause.strip() or capa.status == Capa.Status.OPEN:
        return gettext("No action plan without a root cause: analyse the nonconformity first.")
    return None


@predicate
def capa_accepts_actions(user, capa) -> bool:
    return capa_action_refusal(capa) is None


def capa_check_refusal(capa) -> str | None:
    """Why the effectiveness check cannot be planned yet (None: it can): every
    planned action done, or no corrective action needed and the correction made."""
    if capa.actions.filter(status=CapaAction.Status.OPEN).exists():
        return gettext("Actions are still open.")
    if capa.status == Capa.Status.ANALYSED and capa.ca_needed:
        return gettext("Corrective action is needed: plan and complete the actions first.")
    if capa.status == Capa.Status.ANALYSED and not capa.correction.strip():
        return gettext("Record the correction before its check.")
    return None


@predicate
def capa_ready_for_check(user, capa) -> bool:
    return capa_check_refusal(capa) is None


@predicate
def ca_needed(user, capa) -> bool:
    return bool(capa.ca_needed)


# ------------------------------------------------------------------ the rules, with their messages
rule("audits.view_audits", has_a_role, _("You have no access to audits."))
rule("audits.view_audit", has_a_role & can_view_audit, _("You are not on this audit's team or among its auditees."))
rule("audits.manage_programme", quality_manager_writes, _("Only the quality manager manages the audit programme."))
rule("audits.schedule_audit", quality_manager_writes, _("Only the quality manager schedules audits."))
rule("audits.edit_audit", can_edit_audit,
     _("Only the quality manager and the audit team edit this audit, and not once it is closed."))
rule("audits.edit_audit_plan", can_edit_audit & in_state(Audit.Status.PLANNED, Audit.Status.PREPARED),
     _("An audit is edited before it starts, by the quality manager or its audit team."))
rule("audits.change_lead_auditor", quality_manager_writes, _("Only the quality manager changes the lead auditor."))
rule("audits.issue_plan", can_edit_audit & may_become(Audit.Status.PREPARED),
     _("The quality manager or the audit team issues the plan of a planned audit."))
rule("audits.start_audit", can_edit_audit & may_become(Audit.Status.IN_PROGRESS),
     _("The quality manager or the audit team starts an audit once its plan is issued."))
rule("audits.answer_checklist", can_edit_audit & in_state(Audit.Status.IN_PROGRESS),
     _("Answers are recorded by the audit team while the audit is in progress."))
rule("audits.edit_checklist", can_edit_audit & audit_not_done,
     _("Only the audit team edits the checklist, and only before the report is issued."))
rule("audits.add_audit_evidence", can_edit_audit & audit_not_done,
     _("Evidence is added by the quality manager or the audit team while the audit is open."))
rule("audits.edit_report", can_edit_audit & report_not_issued,
     _("The report is written by the quality manager or the audit team until it is issued; then it is locked."))
rule("audits.record_findings", can_edit_audit & in_state(Audit.Status.IN_PROGRESS),
     _("Findings are recorded by the audit team while the audit is in progress."))
rule("audits.add_finding_evidence", can_add_finding_evidence,
     _("Evidence for a finding is added by the quality manager or the audit team while the audit is open."))
rule("audits.close_finding", can_close_finding & in_state(Finding.Status.OPEN),
     _("Only the quality manager or the audit team closes an open finding."))
# ISO 19011 6.5.1: the audit team leader issues the report.
rule("audits.issue_report", can_write & is_lead_auditor & may_become(Audit.Status.REPORTED),
     _("The lead auditor issues the report, while the audit is in progress."))
rule("audits.close_audit", quality_manager_writes & may_become(Audit.Status.CLOSED),
     _("The quality manager closes an audit once its report is issued."))
# The audit question library: the quality manager and the internal auditors, who build checklists from it.
rule("audits.view_question_library", has_a_role & (is_quality_manager | is_internal_auditor),
     _("The question library is for the quality manager and internal auditors."))
rule("audits.manage_question_library", quality_manager_writes, _("Only the quality manager edits the question library."))
rule("audits.view_capas", has_a_role, _("You have no access to nonconformities."))
rule("audits.view_capa", has_a_role & can_view_capa, _("You are not involved in this nonconformity."))
# Anyone with a role who can write may raise a nonconformity (ISO 9001 10.2).
rule("audits.raise_capa", can_write & has_a_role, _("You cannot raise nonconformities."))
rule("audits.edit_capa", can_write & capa_changeable & (is_quality_manager | is_capa_owner),
     _("Only the owner or the quality manager changes this CAPA, and not once it is effective or closed."))
rule("audits.reassign_capa", can_write & capa_changeable & is_quality_manager,
     _("Only the quality manager gives a CAPA a new owner, and not once it is effective or closed."))
# The plan's state rules (closed, past its check) are the service's, each with its own reason.
rule("audits.plan_capa_actions", can_write & (is_quality_manager | is_capa_owner),
     _("Only the CAPA owner or the quality manager plans its actions."))
rule("audits.add_capa_action", can_write & (is_quality_manager | is_capa_owner) & capa_accepts_actions,
     _("Actions are added by the CAPA owner or the quality manager, after the analysis and before the check."))
rule("audits.analyse_capa", can_write & capa_changeable & (is_quality_manager | is_capa_owner)
     & may_become(Capa.Status.ANALYSED),
     _("The owner or the quality manager records the analysis of an open CAPA."))
rule("audits.start_capa_actions", can_write & capa_changeable & (is_quality_manager | is_capa_owner) & ca_needed
     & may_become(Capa.Status.IMPLEMENTING),
     _("The owner or the quality manager agrees the action plan of an analysed CAPA."))
rule("audits.submit_capa_for_check", can_write & capa_changeable & (is_quality_manager | is_capa_owner)
     & may_become(Capa.Status.VERIFYING) & capa_ready_for_check,
     _("The owner or the quality manager plans the effectiveness check once every action is done."))
rule("audits.complete_action", can_write & in_state(CapaAction.Status.OPEN) & (is_action_owner | is_quality_manager),
     _("Only the action owner completes an open action."))
rule("audits.add_action_evidence",
     can_write & ((in_state(CapaAction.Status.OPEN) & is_quality_manager) | is_action_owner),
     _("Only the action owner or the quality manager adds evidence to this action."))
# The effectiveness check: quality manager or an internal auditor (the service also
# refuses anyone who implemented an action).
rule("audits.verify_capa", can_write & (is_quality_manager | is_internal_auditor) & in_state(Capa.Status.VERIFYING),
     _("The effectiveness check is made by the quality manager or an internal auditor, once the CAPA is being verified."))
rule("audits.close_capa", quality_manager_writes & may_become(Capa.Status.CLOSED),
     _("The quality manager closes a CAPA once it has been found effective."))
