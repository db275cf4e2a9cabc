"""Who may do what with quality records: this app's rules, registered with qms.rules.

Each rule is named `records.<action>`; services `require()` it once, views and
templates ask `allowed()` / `{% can %}`. The refusal message sits beside the rule.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext

from qms import scope
from qms.errors import IllegalTransition
from qms.permissions import (
    Role,
    can_read_everything,
    can_write,
    has_a_role,
    has_role,
    is_auditor,
    is_quality_manager,
)
from qms.rules import predicate, rule
from records.models import Record

S = Record.Status


@predicate
def can_configure_record_types(user) -> bool:
    return can_write(user) and is_quality_manager(user)


can_view_record_types = has_a_role


# The register: everyone with a role; it lists only what they may read.
can_view_records = has_a_role


@predicate
def can_create_record(user, record_type=None) -> bool:
    if not can_write(user) or not has_role(user, Role.STAFF, Role.QUALITY_MANAGER):
        return False
    return record_type is None or record_type.is_active


def is_record_verifier(user) -> bool:
    return has_role(user, Role.APPROVER, Role.QUALITY_MANAGER)


@predicate
def can_view_record(user, record) -> bool:
    """Quality manager and auditors read every record (voided ones flagged);
    the creator reads their own; verifiers read submitted records."""
    if not getattr(user, "is_active", False):
        return False
    if can_read_everything(user) or record.created_by_id == user.pk:
        return scope.contains(user, record)
    return record.status == S.SUBMITTED and is_record_verifier(user)


@predicate
def can_edit_record(user, record) -> bool:
    """Only a draft is edited in place, by its creator."""
    return can_write(user) and record.status == S.DRAFT and record.created_by_id == user.pk


@predicate
def can_amend_record(user, record) -> bool:
    """Corrections of a submitted record: the submitter or the quality manager."""
    if not can_write(user) or record.status != S.SUBMITTED:
        return False
    return record.created_by_id == user.pk or is_quality_manager(user)


@predicate
def can_add_evidence(user, record) -> bool:
    return can_edit_record(user, record) or can_amend_record(user, record)


@predicate
def can_supersede_evidence(user, evidence) -> bool:
    return can_amend_record(user, evidence.record)


@predicate
def can_download_evidence(user, evidence) -> bool:
    return evidence.disposed_at is None and can_view_record(user, evidence.record)


@predicate
def can_verify_record(user, record) -> bool:
    """A second person: never the submitter (the service says so clearly)."""
    return (
        can_write(user)
        and is_record_verifier(user)
        and record.status == S.SUBMITTED
        and record.record_type.verification_required
        and record.verified_at is None
        and record.created_by_id != user.pk
    )


@predicate
def can_void_record(user, record) -> bool:
    if not can_write(user) or record.status not in (S.DRAFT, S.SUBMITTED):
        return False
    return is_quality_manager(user) or (record.status == S.DRAFT and record.created_by_id == user.pk)


@predicate
def can_set_legal_hold(user, record=None) -> bool:
    """The quality manager; never on a disposed record (nothing is left to hold)."""
    return can_write(user) and is_quality_manager(user) and (record is None or record.status != S.DISPOSED)


@predicate
def can_view_retention(user) -> bool:
    return is_quality_manager(user) or is_auditor(user)


def check_editable(record) -> None:
    """A record is edited in place only while it is a draft (IllegalTransition: 409)."""
    if record.status != S.DRAFT:
        raise IllegalTransition(gettext("This record is submitted and locked; correct it with an amendment and a reason."))


def _evidence_frozen(record) -> str:
    """Why a record's evidence no longer changes, as a whole sentence per status."""
    return {
        S.DRAFT: gettext("The record is draft: its evidence no longer changes."),
        S.SUBMITTED: gettext("The record is submitted: its evidence no longer changes."),
        S.VOID: gettext("The record is void: its evidence no longer changes."),
        S.DISPOSED: gettext("The record is disposed: its evidence no longer changes."),
    }.get(record.status, gettext("The evidence of this record no longer changes."))


def disposal_refusal(record) -> str | None:
    """Why `record` cannot be disposed now (None: it can), for the service and the page."""
    if record.status not in (S.SUBMITTED, S.VOID):
        if record.status == S.DRAFT:
            return gettext("A draft record cannot be disposed.")
        return gettext("A disposed record cannot be disposed.")
    if record.legal_hold:
        return gettext("This record is under legal hold: disposition is blocked.")
    if record.retain_until is None:
        return gettext("This record is kept permanently.")
    if record.retain_until >= timezone.localdate():
        return gettext("This record must be kept until %(date)s.") % {"date": f"{record.retain_until:%Y-%m-%d}"}
    return None


@predicate
def can_approve_disposition(user) -> bool:
    return can_write(user) and is_quality_manager(user)


@predicate
def can_dispose_record(user, record=None) -> bool:
    """The quality manager, once the record's retention has passed (the list of such records: no record)."""
    return can_approve_disposition(user) and (record is None or disposal_refusal(record) is None)


@predicate
def can_export_records(user) -> bool:
    return can_view_records(user)


@predicate
def can_request_record_pdf(user, record) -> bool:
    return can_view_record(user, record) and record.status != S.DISPOSED


# ------------------------------------------------------------------ the rules, with their messages
rule("records.configure_record_types", can_configure_record_types, lambda user, obj: gettext("Only the quality manager configures record types and their forms."))
rule("records.view_record_types", can_view_record_types, lambda user, obj: gettext("You cannot see record types."))
rule("records.view_records", can_view_records, lambda user, obj: gettext("You cannot read the records register."))
rule("records.create_record", can_create_record, lambda user, obj: gettext("You cannot create records of this type."))
rule("records.view_record", can_view_record, lambda user, obj: gettext("You cannot view this record."))
rule("records.submit_record", can_edit_record, lambda user, obj: gettext("Only the creator submits a draft."))
rule("records.edit_record", can_edit_record, lambda user, obj: gettext("Only the creator edits a draft."))
rule("records.amend_record", can_amend_record, lambda user, obj: gettext("Only the submitter or the quality manager may amend a submitted record."))
rule("records.add_evidence", can_add_evidence, lambda user, obj: gettext("You cannot add evidence to this record."))
rule("records.supersede_evidence", can_supersede_evidence,
     lambda user, evidence: _evidence_frozen(evidence.record)
     if evidence is not None and evidence.record.status != S.SUBMITTED
     else gettext("Only the submitter or the quality manager marks evidence superseded."))
rule("records.download_evidence", can_download_evidence, lambda user, obj: gettext("You cannot download this file."))
rule("records.verify_record", can_verify_record, lambda user, obj: gettext("You cannot verify records."))
rule("records.void_record", can_void_record, lambda user, obj: gettext("You cannot void this record."))
rule("records.set_legal_hold", can_set_legal_hold,
     lambda user, record: gettext("A disposed record cannot be held: nothing of it is left to keep.")
     if record is not None and record.status == S.DISPOSED else gettext("Only the quality manager sets a legal hold."))
rule("records.view_retention", can_view_retention, lambda user, obj: gettext("Only the quality manager and auditors see the retention list."))
rule("records.approve_disposition", can_approve_disposition, lambda user, obj: gettext("Only the quality manager approves disposition."))
# What the page offers: the service gives the precise reason (disposal_refusal) when it cannot.
rule("records.dispose_record", can_dispose_record,
     lambda user, obj: gettext("This record cannot be disposed of now: it is held, kept permanently or still within its retention period."))
rule("records.export_records", can_export_records, lambda user, obj: gettext("You cannot export records."))
rule("records.request_record_pdf", can_request_record_pdf, lambda user, obj: gettext("No PDF for this record."))
