"""Who may do what with external providers: this app's rules (qms.rules).

Everyone with a role reads the register (buyers and inspectors need the
approved supplier list); the quality manager keeps it and decides approval;
approvers may also evaluate; staff enter on-time delivery figures.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from qms import scope
from qms.permissions import Role, can_read_everything, can_write, has_a_role, has_role, is_quality_manager
from qms.rules import predicate, rule


@predicate
def can_view_supplier(user, supplier=None) -> bool:
    return has_a_role(user) and (supplier is None or scope.contains(user, supplier))


@predicate
def can_manage_suppliers(user) -> bool:
    return can_write(user) and is_quality_manager(user)


@predicate
def can_evaluate(user, supplier=None) -> bool:
    return can_write(user) and has_role(user, Role.QUALITY_MANAGER, Role.APPROVER)


@predicate
def can_enter_deliveries(user, supplier=None) -> bool:
    return can_write(user) and has_role(user, Role.QUALITY_MANAGER, Role.STAFF)


@predicate
def can_raise_supplier_capa(user, supplier=None) -> bool:
    return can_write(user) and has_a_role(user)


@predicate
def can_view_performance(user, supplier=None) -> bool:
    """Scorecards: the quality manager, approvers and auditors (an external one inside the grant)."""
    if not has_a_role(user):
        return False
    if not (can_read_everything(user) or has_role(user, Role.APPROVER)):
        return False
    return supplier is None or scope.contains(user, supplier)


rule("suppliers.view_suppliers", has_a_role, _("You cannot view the supplier register."))
rule("suppliers.view_supplier", can_view_supplier, _("You cannot view this supplier."))
rule("suppliers.manage_suppliers", can_manage_suppliers, _("Only the quality manager keeps the supplier register."))
rule("suppliers.change_status", can_manage_suppliers, _("Only the quality manager approves, suspends or disqualifies suppliers."))
rule("suppliers.evaluate", can_evaluate, _("Only the quality manager and approvers evaluate suppliers."))
rule("suppliers.configure_criteria", can_manage_suppliers, _("Only the quality manager sets the evaluation criteria."))
rule("suppliers.enter_deliveries", can_enter_deliveries, _("Only the quality manager and staff enter delivery figures."))
rule("suppliers.raise_capa", can_raise_supplier_capa, _("You cannot raise a nonconformity against this supplier."))
rule("suppliers.view_performance", can_view_performance,
     _("Supplier scorecards are for the quality manager, approvers and auditors."))
rule("suppliers.download_certificate", can_view_supplier, _("You cannot download this supplier certificate."))
