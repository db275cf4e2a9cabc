"""An external auditor's scope is enforced on lists, detail pages, searches and
file downloads (ACC-08): a grant for clause 7.1.5 shows calibration evidence
and hides the rest."""

import pytest

from qms.models import Clause
from tests.documents.factories import make_effective
from tests.records.factories import make_record, make_type
from tests.records.factories import pdf_upload as record_pdf


@pytest.fixture
def world(author, approver, staff, quality_manager, external_auditor):
    access = external_auditor.auditor_access
    access.all_scope = False
    access.save()
    access.clauses.set([Clause.objects.get(number="7.1.5")])  # covers 7.1.5.1 and 7.1.5.2
    inside = make_effective(author, approver, title="Gauge calibration", content="Calibrate every micrometer yearly.",
                            clauses=[Clause.objects.get(number="7.1.5.1")])
    outside = make_effective(author, approver, title="Hiring and onboarding", content="Every micrometer of onboarding.",
                             clauses=[Clause.objects.get(number="7.2")])
    cal = make_type("CAL", verification_required=False)
    cal.clauses.set([Clause.objects.get(number="7.1.5.1")])
    trn = make_type("TRN", verification_required=False)
    trn.clauses.set([Clause.objects.get(number="7.2")])
    rec_in = make_record(staff, cal, evidence=[record_pdf("cert.pdf")])
    rec_out = make_record(staff, trn, evidence=[record_pdf("training.pdf")])
    return {"doc_in": inside, "doc_out": outside, "rec_in": rec_in, "rec_out": rec_out}


@pytest.mark.django_db
def test_document_register_search_and_pages_follow_the_scope(client_for, external_auditor, quality_manager, world):
    c = client_for(external_auditor)
    register = c.get("/documents/").content.decode()
    assert world["doc_in"].number in register and world["doc_out"].number not in register
    search = c.get("/documents/?q=micrometer").content.decode()
    assert world["doc_in"].number in search and world["doc_out"].number not in search
    assert c.get(f"/documents/{world['doc_in'].number}/").status_code == 200
    assert c.get(f"/documents/{world['doc_out'].number}/").status_code in (403, 404)
    # The quality manager is not narrowed.
    assert world["doc_out"].number in client_for(quality_manager).get("/documents/").content.decode()


@pytest.mark.django_db
def test_record_register_pages_and_evidence_downloads_follow_the_scope(client_for, external_auditor, world):
    c = client_for(external_auditor)
    register = c.get("/records/").content.decode()
    assert world["rec_in"].number in register and world["rec_out"].number not in register
    assert c.get(f"/records/{world['rec_in'].number}/").status_code == 200
    assert c.get(f"/records/{world['rec_out'].number}/").status_code in (403, 404)
    ev_in = world["rec_in"].evidence.get()
    ev_out = world["rec_out"].evidence.get()
    assert c.get(f"/records/evidence/{ev_in.pk}/download/").status_code == 200
    assert c.get(f"/records/evidence/{ev_out.pk}/download/").status_code in (403, 404)


@pytest.mark.django_db
def test_clause_catalogue_shows_an_external_auditor_only_the_clauses_in_scope(client_for, external_auditor, world):
    c = client_for(external_auditor)
    body = c.get("/clauses/").content.decode()
    assert "7.1.5.1" in body and "7.2</a>" not in body
    assert c.get("/clauses/7.2/").status_code == 404
    detail = c.get("/clauses/7.1.5/").content.decode()
    assert world["doc_in"].number in detail and world["doc_out"].number not in detail


@pytest.mark.django_db
def test_audit_and_capa_lists_and_pages_follow_the_scope(client_for, external_auditor, quality_manager, auditor, staff):
    from audits import services as audit_services
    from tests.audits.factories import make_audit, make_process

    access = external_auditor.auditor_access
    access.all_scope = False
    access.save()
    access.clauses.set([Clause.objects.get(number="7.1.5")])
    cal = make_process(code="CAL", name="Calibration", dept_code="QA")
    prd = make_process(code="PRD", name="Production", dept_code="PRD")
    inside = make_audit(quality_manager, auditor, cal, clauses=("7.1.5.1",))
    outside = make_audit(quality_manager, auditor, prd, clauses=("8.5.1",))
    capa_in = audit_services.capa_raise(actor=quality_manager, source="process", title="Gauge overdue", description="d",
                                        severity="minor", owner=staff, clause=Clause.objects.get(number="7.1.5.2"))
    capa_out = audit_services.capa_raise(actor=quality_manager, source="process", title="Line stop", description="d",
                                         severity="minor", owner=staff, clause=Clause.objects.get(number="8.5.1"))
    c = client_for(external_auditor)
    audits_page = c.get("/audits/").content.decode()
    assert inside.number in audits_page and outside.number not in audits_page
    assert c.get(f"/audits/{inside.pk}/").status_code == 200
    assert c.get(f"/audits/{outside.pk}/").status_code in (403, 404)
    capas = c.get("/capa/").content.decode()
    assert capa_in.number in capas and capa_out.number not in capas
    assert c.get(f"/capa/{capa_out.pk}/").status_code in (403, 404)
    assert outside.number in client_for(quality_manager).get("/audits/").content.decode()
