"""Record lifecycle through the services: submit, lock, amend, verify, void,
legal hold and disposition (REC-01, REC-07, RET-04, SIG-01)."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction
from freezegun import freeze_time

from qms.errors import DomainError, IllegalTransition, PermissionRefused, SignatureRefused
from qms.models import AuditEvent, Signature
from qms.signatures import signatures_for
from records import services
from records.models import Amendment, Evidence, Record
from tests.records.factories import GOOD, make_record, make_type, pdf_upload

pytestmark = pytest.mark.django_db


def _events(record, verb):
    return AuditEvent.objects.filter(object_id=str(record.pk), verb=verb)


def test_create_numbers_records_per_type_and_year(staff, cal_type):
    with freeze_time("2026-05-01"):
        first = make_record(staff, cal_type, submit=False)
        second = make_record(staff, cal_type, submit=False)
    assert (first.number, second.number) == ("CAL-2026-00001", "CAL-2026-00002")
    assert first.form_version.version == 1
    assert _events(first, "record.created").get().actor == staff


def test_submit_locks_and_sets_retain_until(staff, cal_type):
    with freeze_time("2026-05-01 10:00"):
        record = make_record(staff, cal_type)
    record.refresh_from_db()
    assert record.status == "submitted" and record.is_locked
    assert record.submitted_by == staff
    assert record.retain_until == date(2036, 5, 1)
    event = _events(record, "record.submitted").get()
    assert (event.from_state, event.to_state) == ("draft", "submitted")


def test_permanent_type_has_no_retain_until(staff):
    rt = make_type("MRV", retention_years=None)
    record = make_record(staff, rt)
    assert record.retain_until is None


def test_submit_refuses_missing_required_values_and_keeps_draft(staff, cal_type):
    record = make_record(staff, cal_type, values={"instrument": "MIC-01"}, submit=False)
    with pytest.raises(services.RecordValidationError) as exc:
        services.record_submit(actor=staff, record=record)
    assert "deviation" in exc.value.errors
    record.refresh_from_db()
    assert record.status == "draft" and not _events(record, "record.submitted").exists()


def test_saving_and_submitting_a_draft_is_all_or_nothing(staff, cal_type, media):
    record = make_record(staff, cal_type, submit=False)
    with pytest.raises(services.RecordValidationError) as exc:  # the draft may lack a value; submission may not
        services.record_save(actor=staff, record_type=cal_type, record=record, values={"instrument": "MIC-02"},
                             evidence=[pdf_upload()], submit=True)
    assert "deviation" in exc.value.errors
    record.refresh_from_db()
    assert record.status == "draft" and record.values["instrument"] == "MIC-01" and not record.evidence.exists()
    saved = services.record_save(actor=staff, record_type=cal_type, record=record,
                                 values={**GOOD, "instrument": "MIC-02"}, submit=True)
    assert saved.pk == record.pk and saved.status == "submitted" and saved.values["instrument"] == "MIC-02"
    assert _events(record, "record.submitted").count() == 1


def test_draft_update_by_service_refused_after_submit(staff, cal_type):
    record = make_record(staff, cal_type)
    with pytest.raises(IllegalTransition, match="locked"):
        services.record_update_draft(actor=staff, record=record, values={**GOOD, "instrument": "FORGED"})
    record.refresh_from_db()
    assert record.values["instrument"] == "MIC-01"


def test_only_the_creator_edits_a_draft(staff, author, cal_type):
    record = make_record(staff, cal_type, submit=False)
    with pytest.raises(PermissionRefused):
        services.record_update_draft(actor=author, record=record, values=GOOD)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigger is PostgreSQL-only")
def test_raw_sql_update_of_submitted_values_is_refused_by_the_database(staff, cal_type):
    record = make_record(staff, cal_type)
    with pytest.raises(DatabaseError, match="locked"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("""UPDATE records_record SET values = '{"instrument": "x"}' WHERE id = %s""", [record.pk])
    with pytest.raises(DatabaseError, match="locked"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE records_record SET number = 'X-1' WHERE id = %s", [record.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM records_record WHERE id = %s", [record.pk])
    record.refresh_from_db()
    assert record.values["instrument"] == "MIC-01"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigger is PostgreSQL-only")
def test_raw_sql_update_of_amendment_is_refused(staff, cal_type):
    record = make_record(staff, cal_type)
    amendment = services.record_amend(actor=staff, record=record, values={**GOOD, "deviation": "2"}, reason="Typo")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE records_amendment SET reason = 'forged' WHERE id = %s", [amendment.pk])


def test_amendment_keeps_old_values_with_who_when_why(staff, cal_type):
    record = make_record(staff, cal_type)
    with freeze_time("2026-06-02 08:00"):
        amendment = services.record_amend(actor=staff, record=record, values={**GOOD, "deviation": "2.25"},
                                          reason="Read from the wrong column")
    record.refresh_from_db()
    assert record.values["deviation"] == "2.25" and record.amendment_count == 1 and record.is_amended
    assert amendment.old_values == {"deviation": "1.5"} and amendment.new_values == {"deviation": "2.25"}
    assert amendment.amended_by == staff and amendment.amended_at.isoformat().startswith("2026-06-02T08:00")
    event = _events(record, "record.amended").get()
    assert event.comment == "Read from the wrong column"
    second = services.record_amend(actor=staff, record=record, values={**GOOD, "deviation": "2.5"}, reason="Again")
    assert second.seq == 2 and list(record.amendments.values_list("seq", flat=True)) == [1, 2]


@pytest.mark.parametrize("reason", ["", "   "])
def test_amendment_without_reason_is_refused(staff, cal_type, reason):
    record = make_record(staff, cal_type)
    with pytest.raises(DomainError, match="reason"):
        services.record_amend(actor=staff, record=record, values={**GOOD, "deviation": "2"}, reason=reason)
    record.refresh_from_db()
    assert record.values["deviation"] == "1.5" and not Amendment.objects.exists()


def test_amendment_with_invalid_value_changes_nothing(staff, cal_type):
    record = make_record(staff, cal_type)
    with pytest.raises(services.RecordValidationError):
        services.record_amend(actor=staff, record=record, values={**GOOD, "deviation": "99"}, reason="x")
    record.refresh_from_db()
    assert record.values["deviation"] == "1.5" and record.amendment_count == 0


def test_amendment_without_change_is_refused(staff, cal_type):
    record = make_record(staff, cal_type)
    with pytest.raises(DomainError, match="Nothing changed"):
        services.record_amend(actor=staff, record=record, values=dict(GOOD), reason="No-op")


def test_only_submitter_or_quality_manager_amends(staff, approver, quality_manager, cal_type):
    record = make_record(staff, cal_type)
    with pytest.raises(PermissionRefused):
        services.record_amend(actor=approver, record=record, values={**GOOD, "deviation": "2"}, reason="x")
    services.record_amend(actor=quality_manager, record=record, values={**GOOD, "deviation": "2"}, reason="QM fix")
    assert record.amendments.get().amended_by == quality_manager


def test_draft_cannot_be_amended(staff, cal_type):
    record = make_record(staff, cal_type, submit=False)
    with pytest.raises(IllegalTransition):
        services.record_amend(actor=staff, record=record, values={**GOOD, "deviation": "2"}, reason="x")


# ------------------------------------------------------------------ verification
def test_verification_by_submitter_is_refused(staff, cal_type, password):
    staff.groups.add(Group.objects.get(name="Approver"))  # even a verifier cannot verify their own record
    record = make_record(staff, cal_type)
    with pytest.raises(PermissionRefused, match="second person"):
        services.record_verify(actor=staff, record=record, password=password)
    record.refresh_from_db()
    assert record.verified_at is None and not Signature.objects.exists()


def test_verification_with_wrong_password_is_refused_and_recorded(staff, approver, cal_type):
    record = make_record(staff, cal_type)
    with pytest.raises(SignatureRefused):
        services.record_verify(actor=approver, record=record, password="wrong")
    record.refresh_from_db()
    assert record.verified_at is None and record.verification_label == "unverified"
    assert _events(record, "signature.refused").get().actor == approver


def test_second_person_verifies_with_signature(staff, approver, cal_type, password):
    record = make_record(staff, cal_type)
    assert record.verification_label == "unverified"
    services.record_verify(actor=approver, record=record, password=password, comment="Certificate checked")
    record.refresh_from_db()
    assert record.verified_by == approver and record.verification_label == "verified"
    sig = signatures_for(record).get()
    assert sig.meaning == "verified" and sig.is_valid() and sig.comment == "Certificate checked"
    assert _events(record, "record.verified").get().to_state == "verified"
    with pytest.raises(IllegalTransition, match="already verified"):
        services.record_verify(actor=approver, record=record, password=password)


def test_staff_without_verifier_role_cannot_verify(staff, author, cal_type, password):
    record = make_record(author, cal_type)
    with pytest.raises(PermissionRefused):
        services.record_verify(actor=staff, record=record, password=password)


def test_amendment_after_verification_resets_it_and_invalidates_signature(staff, approver, cal_type, password):
    record = make_record(staff, cal_type)
    services.record_verify(actor=approver, record=record, password=password)
    services.record_amend(actor=staff, record=record, values={**GOOD, "deviation": "3"}, reason="Typo")
    record.refresh_from_db()
    assert record.verified_at is None
    assert not signatures_for(record).get().is_valid()


# ------------------------------------------------------------------ void
def test_void_needs_reason_and_keeps_record(staff, quality_manager, cal_type):
    record = make_record(staff, cal_type)
    with pytest.raises(DomainError, match="reason"):
        services.record_void(actor=quality_manager, record=record, reason=" ")
    services.record_void(actor=quality_manager, record=record, reason="Entered twice")
    record.refresh_from_db()
    assert record.status == "void" and record.void_reason == "Entered twice" and record.voided_by == quality_manager
    assert _events(record, "record.voided").get().from_state == "submitted"
    assert Record.objects.filter(pk=record.pk).exists()


def test_staff_cannot_void_a_submitted_record(staff, cal_type):
    record = make_record(staff, cal_type)
    with pytest.raises(PermissionRefused):
        services.record_void(actor=staff, record=record, reason="Oops")


def test_void_record_cannot_be_voided_again(staff, quality_manager, cal_type):
    record = make_record(staff, cal_type)
    services.record_void(actor=quality_manager, record=record, reason="x")
    with pytest.raises(IllegalTransition):
        services.record_void(actor=quality_manager, record=record, reason="y")


# ------------------------------------------------------------------ retention and disposition
@pytest.fixture
def old_record(staff, media):
    rt = make_type("SUP", retention_years=3)
    with freeze_time("2020-01-10"):
        record = make_record(staff, rt, evidence=[pdf_upload()])
    services.record_amend(actor=staff, record=record, values={**GOOD, "deviation": "2"}, reason="Typo")
    return Record.objects.get(pk=record.pk)


def test_disposition_before_retain_until_is_refused(staff, quality_manager, cal_type, password):
    record = make_record(staff, cal_type)
    with pytest.raises(DomainError, match="must be kept until"):
        services.record_dispose(actor=quality_manager, record=record, password=password, reason="Tidy up")
    record.refresh_from_db()
    assert record.status == "submitted" and record.values


def test_disposition_under_legal_hold_is_refused(old_record, quality_manager, password):
    services.record_set_legal_hold(actor=quality_manager, record=old_record, hold=True, reason="Lawsuit")
    assert _events(old_record, "record.legal_hold_on").exists()
    with pytest.raises(DomainError, match="legal hold"):
        services.record_dispose(actor=quality_manager, record=old_record, password=password, reason="Expired")
    old_record.refresh_from_db()
    assert old_record.status == "submitted" and old_record.values


def test_disposition_needs_quality_manager_and_password(old_record, staff, quality_manager, password):
    with pytest.raises(PermissionRefused):
        services.record_dispose(actor=staff, record=old_record, password=password, reason="x")
    with pytest.raises(SignatureRefused):
        services.record_dispose(actor=quality_manager, record=old_record, password="nope", reason="x")
    old_record.refresh_from_db()
    assert old_record.status == "submitted"


def test_disposition_removes_values_and_files_and_leaves_tombstone(
    old_record, quality_manager, password, django_capture_on_commit_callbacks
):
    evidence = old_record.evidence.get()
    assert default_storage.exists(evidence.file)
    history_before = old_record.history.count()
    assert old_record.is_past_retention
    with django_capture_on_commit_callbacks(execute=True):
        services.record_dispose(actor=quality_manager, record=old_record, password=password,
                                reason="Retention of 3 years ended")
    record = Record.objects.get(pk=old_record.pk)
    assert record.status == "disposed" and record.values == {} and record.search_text == record.number
    assert (record.number, record.record_type.code, record.disposed_by) == (old_record.number, "SUP", quality_manager)
    assert record.disposal_reason == "Retention of 3 years ended" and record.submitted_at is not None
    assert not default_storage.exists(evidence.file)
    evidence.refresh_from_db()
    assert evidence.disposed_at is not None and evidence.sha256  # the row (name, hash) remains
    amendment = record.amendments.get()
    assert amendment.old_values == {} and amendment.new_values == {} and amendment.reason == "Typo"
    assert record.history.count() > history_before  # the trail remains and grows
    assert _events(record, "record.submitted").exists() and _events(record, "record.disposed").exists()
    sig = signatures_for(record).get(meaning="disposed")
    assert sig.signer == quality_manager and sig.is_valid()


def test_past_retention_queryset_lists_only_expired_records(old_record, staff, cal_type):
    current = make_record(staff, cal_type)
    past = list(Record.objects.past_retention())
    assert old_record in past and current not in past


def test_retain_until_on_29_february(staff):
    rt = make_type("LEAP", retention_years=1)
    assert rt.retain_until_from(date(2028, 2, 29)) == date(2029, 2, 28)
    assert rt.retain_until_from(date(2026, 1, 1)) + timedelta(days=0) == date(2027, 1, 1)


def test_supersede_evidence_needs_reason_and_keeps_file(staff, cal_type, media):
    record = make_record(staff, cal_type, evidence=[pdf_upload()])
    evidence = record.evidence.get()
    with pytest.raises(DomainError, match="reason"):
        services.evidence_supersede(actor=staff, evidence=evidence, reason="")
    services.evidence_supersede(actor=staff, evidence=evidence, reason="Wrong certificate scanned")
    evidence.refresh_from_db()
    assert evidence.is_superseded and evidence.superseded_reason == "Wrong certificate scanned"
    assert default_storage.exists(evidence.file)
    assert Evidence.objects.filter(record=record).count() == 1
    assert _events(record, "record.evidence_superseded").exists()
