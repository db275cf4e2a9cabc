"""Who may do what with competence and training: this app's rules (qms.rules).

The quality manager defines job roles and competences, assigns people and
reads the whole matrix; auditors read it (an external auditor within the
grant, through the scope hook); a trainer records and signs the training they
gave; the trainee signs their own record and reads their own qualifications.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from qms import scope
from qms.permissions import Role, can_read_everything, can_write, has_a_role, has_role, is_quality_manager
from qms.rules import predicate, rule
from training.models import TrainingRecord

S = TrainingRecord.Status


@predicate
def can_manage_training(user) -> bool:
    return can_write(user) and is_quality_manager(user)


@predicate
def can_view_matrix(user) -> bool:
    return can_read_everything(user)


@predicate
def can_view_catalogue(user) -> bool:
    """Job roles and competences: everyone with a role (what a job needs is no secret)."""
    return has_a_role(user)


def _is_trainee(user, record) -> bool:
    return record.person.user_id is not None and record.person.user_id == user.pk


@predicate
def can_view_record(user, record) -> bool:
    if not getattr(user, "is_active", False):
        return False
    if can_read_everything(user):
        return scope.contains(user, record)
    return record.trainer_id == user.pk or _is_trainee(user, record) or record.created_by_id == user.pk


@predicate
def can_create_record(user) -> bool:
    return can_write(user) and has_role(user, Role.QUALITY_MANAGER, Role.STAFF, Role.APPROVER)


@predicate
def can_sign_record(user, record) -> bool:
    """The trainer and the trainee each sign once, while the record awaits signatures."""
    if not can_write(user) or record.status != S.DRAFT:
        return False
    if record.trainer_id == user.pk and record.trainer_signature_id is None:
        return True
    return _is_trainee(user, record) and record.trainee_signature_id is None


@predicate
def can_add_evidence(user, record) -> bool:
    return can_write(user) and record.status == S.DRAFT and (
        record.trainer_id == user.pk or record.created_by_id == user.pk or is_quality_manager(user))


@predicate
def can_download_evidence(user, evidence) -> bool:
    return can_view_record(user, evidence.record)


@predicate
def can_evaluate_record(user, record) -> bool:
    """7.2 c: someone other than the trainee evaluates effectiveness, once, on a signed record."""
    return (can_write(user) and record.status == S.SIGNED and not record.effectiveness_result
            and not _is_trainee(user, record)
            and (is_quality_manager(user) or record.trainer_id == user.pk))


@predicate
def can_void_record(user, record) -> bool:
    return can_write(user) and is_quality_manager(user) and record.status != S.VOID


@predicate
def can_view_own_training(user) -> bool:
    return bool(getattr(user, "is_active", False)) and has_a_role(user)


rule("training.manage", can_manage_training, _("Only the quality manager defines job roles, competences and people."))
rule("training.view_matrix", can_view_matrix, _("Only the quality manager and auditors read the training matrix."))
rule("training.view_catalogue", can_view_catalogue, _("You cannot see job roles and competences."))
rule("training.view_record", can_view_record, _("You cannot view this training record."))
rule("training.create_record", can_create_record, _("You cannot record training."))
rule("training.sign_record", can_sign_record,
     _("Only the trainer and the trainee sign a training record, each once, while it awaits signatures."))
rule("training.add_evidence", can_add_evidence, _("You cannot add evidence to this training record."))
rule("training.download_evidence", can_download_evidence, _("You cannot download this training evidence."))
rule("training.evaluate_record", can_evaluate_record,
     _("Effectiveness is evaluated once, on a signed record, by the trainer or the quality manager (never the trainee)."))
rule("training.void_record", can_void_record, _("Only the quality manager voids a training record, and only one that is not void already."))
rule("training.view_own", can_view_own_training, _("You cannot see training."))
