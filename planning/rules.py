"""Who may do what with the context register, risks and objectives: this
app's rules, registered with qms.rules. Services `require()` each once; views
and templates ask `allowed()` / `{% can %}`.

Everyone with a role reads the registers (an external auditor only inside
their grant); the quality manager keeps the context and the objectives; risk
owners assess and treat their own risks; KPI owners record measurements.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from qms import scope
from qms.permissions import Role, can_write, has_a_role, has_role, is_quality_manager
from qms.rules import allowed, predicate, rule


@predicate
def can_manage(user) -> bool:
    return can_write(user) and is_quality_manager(user)


@predicate
def can_view(user, obj=None) -> bool:
    return has_a_role(user) and (obj is None or scope.contains(user, obj))


@predicate
def can_edit_entry(user, entry) -> bool:
    """A context issue or interested party: the quality manager or its owner."""
    return can_write(user) and entry is not None and (is_quality_manager(user) or entry.owner_id == user.pk)


@predicate
def can_create_risk(user) -> bool:
    return can_write(user) and has_role(user, Role.QUALITY_MANAGER, Role.APPROVER, Role.AUTHOR)


@predicate
def can_edit_risk(user, risk) -> bool:
    if not can_write(user) or risk is None or risk.status == "closed":
        return False
    return is_quality_manager(user) or risk.owner_id == user.pk


@predicate
def can_close_risk(user, risk) -> bool:
    return can_manage(user) and risk is not None and risk.status != "closed"


@predicate
def can_reopen_risk(user, risk) -> bool:
    return can_manage(user) and risk is not None and risk.status == "closed"


@predicate
def can_complete_action(user, action) -> bool:
    if not can_write(user) or action is None or action.status != "open":
        return False
    return is_quality_manager(user) or action.owner_id == user.pk or action.risk.owner_id == user.pk


@predicate
def can_raise_capa(user, risk) -> bool:
    return (risk is not None and risk.kind == "risk" and risk.status != "closed" and allowed("audits.raise_capa", user)
            and can_view(user, risk) and can_write(user))


@predicate
def can_edit_objective(user, objective) -> bool:
    if not can_write(user) or objective is None or objective.status != "active":
        return False
    return is_quality_manager(user) or objective.owner_id == user.pk


@predicate
def can_record_measurement(user, kpi) -> bool:
    if not can_write(user) or kpi is None or kpi.source != "entered" or not kpi.is_active:
        return False
    if kpi.objective.status != "active":  # a closed objective's results are evaluated: no more values
        return False
    return is_quality_manager(user) or kpi.owner_id == user.pk


@predicate
def can_refresh_kpi(user, kpi) -> bool:
    return can_manage(user) and kpi is not None and kpi.source == "computed" and kpi.objective.status == "active"


_CLOSED_OBJECTIVE = _("The objective is closed: its KPIs take no more values.")

rule("planning.view_context", can_view, _("You cannot read the context register."))
rule("planning.manage_context", can_manage, _("Only the quality manager keeps the context register."))
rule("planning.edit_context_entry", can_edit_entry, _("Only the quality manager or the entry's owner changes it."))
rule("planning.view_risks", can_view, _("You cannot read the risk register."))
rule("planning.configure_scale", can_manage, _("Only the quality manager sets the risk scale and its bands."))
rule("planning.create_risk", can_create_risk, _("Only the quality manager, approvers and authors record risks."))
rule("planning.edit_risk", can_edit_risk,
     lambda user, risk: _("This risk is closed: reopen it first.") if risk is not None and risk.status == "closed"
     else _("Only the quality manager or the risk's owner changes it."))
rule("planning.close_risk", can_close_risk, _("Only the quality manager closes a risk that is open."))
rule("planning.reopen_risk", can_reopen_risk, _("Only the quality manager reopens a closed risk."))
rule("planning.complete_risk_action", can_complete_action,
     _("Only the action's owner, the risk's owner or the quality manager completes an open action."))
rule("planning.raise_capa", can_raise_capa,
     lambda user, risk: _("This risk is closed: reopen it first.") if risk is not None and risk.status == "closed"
     else _("You cannot raise a nonconformity from this entry."))
rule("planning.view_objectives", can_view, _("You cannot read the quality objectives."))
rule("planning.manage_objectives", can_manage, _("Only the quality manager sets quality objectives and KPIs."))
rule("planning.edit_objective", can_edit_objective, _("Only the quality manager or the owner changes an active objective."))
rule("planning.record_measurement", can_record_measurement,
     lambda user, kpi: _("This KPI is computed by the QMS: nothing to enter.") if kpi is not None and kpi.source == "computed"
     else _CLOSED_OBJECTIVE if kpi is not None and kpi.objective.status != "active"
     else _("Only the KPI's owner or the quality manager records its measurements."))
rule("planning.refresh_kpi", can_refresh_kpi,
     lambda user, kpi: _CLOSED_OBJECTIVE if kpi is not None and kpi.objective.status != "active"
     else _("Only the quality manager recomputes a computed KPI."))
