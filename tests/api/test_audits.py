"""Audits, checklists, findings and CAPA through the API, under the pages' rules."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audits.models import Capa
from tests.audits.factories import REPORT_VALUES, clause, make_audit, make_process
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_an_erp_raises_a_nonconformity_and_the_capa_runs_to_closure(api_for, quality_manager, staff, auditor):
    s, q = api_for(staff), api_for(quality_manager)
    r = s.post("/api/v1/capas/", {"source": "process", "title": "Failed inspection lot 42",
                                  "description": "Burrs on 12 parts", "severity": "minor", "owner": staff.pk},
               format="json")
    assert r.status_code == 201, r.json()
    pk = r.json()["id"]
    url = f"/api/v1/capas/{pk}/"
    today = timezone.localdate().isoformat()
    assert q.post(url + "correction/", {"containment": "Lot quarantined", "containment_date": today,
                                        "correction": "Parts reworked", "correction_date": "2099-01-01"},
                  format="json").status_code in (400, 409)  # not in the future: the form's window, the service's check
    assert q.post(url + "correction/", {"containment": "Lot quarantined", "containment_date": today,
                                        "correction": "Parts reworked", "correction_date": today},
                  format="json").status_code == 200
    r = q.post(url + "analyse/", {"ca_needed": "yes", "ca_justification": "Recurring", "why1": "Worn tool",
                                  "root_cause": "No tool-life limit"}, format="json")
    assert r.status_code == 200, r.json()
    due = (timezone.localdate() + timedelta(days=10)).isoformat()
    r = q.post(url + "actions/", {"description": "Set tool-life limit", "owner": staff.pk, "due_date": due},
               format="json")
    assert r.status_code == 201
    action_id = r.json()["actions"][0]["id"]
    assert q.post(url + "start-actions/").status_code == 200
    # Closing with an open action is refused with the reason.
    shown = q.get(url).json()["content_hash"]
    r = q.post(url + "close/", {"password": PASSWORD, "content_hash": shown}, format="json")
    assert r.status_code in (403, 409) and r.json()["detail"]
    r = s.post(f"/api/v1/capa-actions/{action_id}/complete/", {"note": "Limit set in the MES"}, format="json")
    assert r.status_code == 200 and r.json()["status"] != "open"
    r = q.post(url + "submit-verification/", {"method": "Check 3 lots", "due": due}, format="json")
    assert r.status_code == 200, r.json()
    r = api_for(auditor).post(url + "verify/", {"result": "effective", "notes": "3 lots fine",
                                                "early_reason": "Lots done early"}, format="json")
    assert r.status_code == 200, r.json()
    shown = q.get(url).json()["content_hash"]
    r = q.post(url + "close/", {"password": PASSWORD, "content_hash": shown}, format="json")
    assert r.status_code == 200, r.json()
    assert Capa.objects.get(pk=pk).status == Capa.Status.CLOSED
    assert r.json()["signatures"][0]["meaning"]


def test_an_audit_checklist_finding_and_report_through_the_api(api_for, quality_manager, auditor, staff):
    prd = make_process()
    audit = make_audit(quality_manager, auditor, prd, clauses=("8.5.1",), state="in_progress")
    a = api_for(auditor)
    r = a.get(f"/api/v1/audits/{audit.pk}/")
    assert r.status_code == 200 and r.json()["number"] == audit.number
    from audits import services

    item = services.checklist_item_save(actor=auditor, audit=audit, item=None, question="Set-up checked?",
                                        clause=clause("8.5.1"))
    r = a.post(f"/api/v1/checklist-items/{item.pk}/answer/", {"answer": "conform", "notes": "Seen"}, format="json")
    assert r.status_code in (200, 400), r.json()
    r = a.post(f"/api/v1/audits/{audit.pk}/findings/", {"finding_type": "minor_nc", "clause": clause("8.5.1").pk,
                                                         "statement": "No set-up sheet", "owner": staff.pk},
               format="json")
    assert r.status_code == 409 and "evidence" in r.json()["detail"]  # the service's rule: an NC needs evidence
    from tests.records.factories import pdf_upload

    r = a.post(f"/api/v1/audits/{audit.pk}/findings/", {"finding_type": "minor_nc", "clause": clause("8.5.1").pk,
                                                         "statement": "No set-up sheet", "owner": staff.pk,
                                                         "ev_file": pdf_upload("photo.pdf")}, format="multipart")
    assert r.status_code == 201, r.json()
    finding = r.json()
    assert finding["capa"] is not None
    assert api_for(staff).get(f"/api/v1/audits/{audit.pk}/").status_code in (200, 404)
    services.report_save(actor=auditor, audit=audit, values=REPORT_VALUES)
    shown = a.get(f"/api/v1/audits/{audit.pk}/").json()["report"]["content_hash"]
    r = a.post(f"/api/v1/audits/{audit.pk}/issue-report/", {"password": PASSWORD, "content_hash": shown},
               format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["report"]["status"] == "issued"
    assert api_for(staff).post(f"/api/v1/audits/{audit.pk}/close/").status_code in (403, 404)


def test_lists_are_narrowed_and_their_queries_flat(api_for, quality_manager, auditor, staff,
                                                   django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from audits import services

    q = api_for(quality_manager)
    services.capa_raise(actor=staff, source="process", title="One", description="d", severity="minor", owner=staff)
    for url in ("/api/v1/capas/", "/api/v1/audits/", "/api/v1/findings/"):
        q.get(url)
    counts = {}
    for url in ("/api/v1/capas/", "/api/v1/audits/", "/api/v1/findings/"):
        with CaptureQueriesContext(connection) as ctx:
            assert q.get(url).status_code == 200
        counts[url] = len(ctx)
    prd = make_process()
    for i in range(6):
        services.capa_raise(actor=staff, source="process", title=f"More {i}", description="d", severity="minor",
                            owner=staff)
        audit = make_audit(quality_manager, auditor, prd, state="in_progress",
                           start=timezone.now() + timedelta(days=i + 1))
        services.finding_raise(actor=auditor, audit=audit, finding_type="ofi", clause=clause("8.5.1"),
                               statement="x", owner=staff, process=prd)
    for url, n in counts.items():
        with django_assert_max_num_queries(n):
            assert q.get(url).status_code == 200
    # Staff see only what involves them.
    other = api_for(staff).get("/api/v1/audits/").json()["results"]
    assert other == []
    assert api_for(staff).get("/api/v1/capas/?status=bogus").status_code == 400


def test_a_capa_gets_a_new_owner_through_the_api_under_the_pages_rule(api_for, quality_manager, staff, author):
    from audits import services
    from qms.models import AuditEvent

    capa = services.capa_raise(actor=quality_manager, source="process", title="Burr", description="Found at the check",
                               severity="minor", owner=staff)
    url = f"/api/v1/capas/{capa.pk}/owner/"
    refused = api_for(staff).post(url, {"owner": author.pk, "reason": "I am leaving"}, format="json")
    assert refused.status_code == 403 and "Only the quality manager" in refused.json()["detail"]
    q = api_for(quality_manager)
    assert q.post(url, {"owner": author.pk}, format="json").status_code == 400  # a reason is required
    r = q.post(url, {"owner": author.pk, "reason": "Staff left"}, format="json")
    assert r.status_code == 200, r.json()
    capa.refresh_from_db()
    assert capa.owner == author and AuditEvent.objects.filter(verb="capa.reassigned", comment="Staff left").exists()
    again = q.post(url, {"owner": author.pk, "reason": "Again"}, format="json")
    assert again.status_code in (400, 409) and "already owns" in again.json()["detail"]
