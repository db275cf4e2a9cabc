"""Who may do what with measuring equipment: this app's rules (qms.rules).

Everyone with a role reads the register (an inspector checks an instrument's
status before use); the quality manager keeps it; an instrument's owner and
the quality manager record its calibrations and move it in and out of use."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from qms import scope
from qms.permissions import can_write, has_a_role, is_quality_manager
from qms.rules import predicate, rule


@predicate
def can_view_instrument(user, instrument=None) -> bool:
    return has_a_role(user) and (instrument is None or scope.contains(user, instrument))


@predicate
def can_manage_equipment(user) -> bool:
    return can_write(user) and is_quality_manager(user)


@predicate
def is_owner_or_qm(user, instrument=None) -> bool:
    if not can_write(user) or not has_a_role(user):
        return False
    return is_quality_manager(user) or (instrument is not None and instrument.owner_id == user.pk)


rule("equipment.view_equipment", has_a_role, _("You cannot view the equipment register."))
rule("equipment.view_instrument", can_view_instrument, _("You cannot view this instrument."))
rule("equipment.manage_equipment", can_manage_equipment, _("Only the quality manager keeps the equipment register."))
rule("equipment.change_status", is_owner_or_qm,
     _("Only the instrument's owner and the quality manager move it in or out of use."))
rule("equipment.record_calibration", is_owner_or_qm,
     _("Only the instrument's owner and the quality manager record its calibrations."))
rule("equipment.download_certificate", can_view_instrument, _("You cannot download this calibration certificate."))
