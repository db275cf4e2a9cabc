"""A finding raised from a checklist answer carries the answer's evidence
(issue 12): no "A nonconformity needs evidence…" on the first save."""

import pytest
from django.urls import reverse

from audits import services
from audits.models import Finding
from tests.audits.factories import clause, make_audit, make_record
from tests.records.factories import PDF_BYTES, pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(quality_manager, auditor, staff, production, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    audit = make_audit(quality_manager, auditor, production, state="in_progress", auditees=[staff])
    services.checklist_generate(actor=auditor, audit=audit)
    item = audit.checklist.filter(clause=clause("8.5.1")).first()  # the first of its library questions
    services.checklist_answer(actor=auditor, item=item, answer="nonconforming", notes="Set-up sheet not signed")
    record = make_record(staff)
    services.evidence_add(actor=auditor, spec=services.EvidenceSpec(record=record, note="Sheet 12"), checklist_item=item)
    services.evidence_add(actor=auditor, spec=services.EvidenceSpec(upload=pdf_upload("photo.pdf")), checklist_item=item)
    return audit, item, record


def test_nc_raised_from_an_answer_with_evidence_saves_first_time_and_carries_it(client_for, auditor, staff,
                                                                                answered):
    import hashlib

    audit, item, record = answered
    client = client_for(auditor)
    page = client.get(reverse("audits:finding-create", args=[audit.pk]) + f"?item={item.pk}")
    assert page.status_code == 200
    response = client.post(reverse("audits:finding-create", args=[audit.pk]), {
        "finding_type": "minor_nc", "clause": clause("8.5.1").pk, "statement": "Set-up sheet not signed",
        "owner": staff.pk, "checklist_item": item.pk})
    assert response.status_code == 302, response.content.decode()
    finding = Finding.objects.get(checklist_item=item)
    carried = {(e.kind, e.record_id, e.original_name, e.sha256) for e in finding.evidence.all()}
    assert carried == {("record", record.pk, "", ""),
                       ("file", None, "photo.pdf", hashlib.sha256(PDF_BYTES).hexdigest())}
    assert finding.capa is not None
    assert item.evidence.count() == 2  # the answer keeps its own links


def test_nc_from_an_answer_without_evidence_still_needs_evidence(client_for, auditor, staff, answered):
    audit, _item, _record = answered
    bare = services.checklist_item_save(actor=auditor, audit=audit, item=None, question="Is the log kept?")
    response = client_for(auditor).post(reverse("audits:finding-create", args=[audit.pk]), {
        "finding_type": "minor_nc", "clause": clause("8.5.1").pk, "statement": "x", "owner": staff.pk,
        "checklist_item": bare.pk})
    assert "needs evidence" in response.content.decode() and not Finding.objects.exists()


def test_a_question_of_another_audit_is_refused(quality_manager, auditor, staff, production, answered):
    _audit, item, _record = answered
    other = make_audit(quality_manager, auditor, production, state="in_progress")
    with pytest.raises(services.DomainError, match="another audit"):
        services.finding_raise(actor=auditor, audit=other, finding_type="minor_nc", clause=clause("8.5.1"),
                               statement="x", owner=staff, checklist_item=item)
