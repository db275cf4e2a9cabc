"""Documents through the API: the register (filters, ordering, cursor pages,
flat query counts), a document and its revisions, and every action, under the
rules of the pages (a refusal is 403 with the rule's message, an illegal move
409, bad input 400 with field errors, something one may not see 404)."""

import pytest

from documents.models import Document, Revision
from qms.models import AuditEvent, Signature
from tests.documents.factories import make_draft, make_effective, submit
from tests.factories import PASSWORD, DepartmentFactory

pytestmark = pytest.mark.django_db


def _hash(client, url):
    return client.get(url).json()["content_hash"]


def test_the_whole_journey_create_edit_submit_approve_acknowledge_review_obsolete(
        api_for, author, approver, staff, quality_manager):
    from documents.models import DocumentType

    dept = DepartmentFactory(code="QA", name="Quality Assurance")
    a = api_for(author)
    response = a.post("/api/v1/documents/", {
        "doc_type": DocumentType.objects.get(code="SOP").pk, "department": dept.pk, "title": "Press set-up",
        "content": "# Set-up\nSet the press.", "distribution_users": [staff.pk]}, format="json")
    assert response.status_code == 201, response.json()
    number = response.json()["number"]
    rev_url = f"/api/v1/documents/{number}/revisions/1/"
    stale = _hash(a, rev_url)
    r = a.post(rev_url + "draft/", {"content": "# Set-up\nSet the press to 5 bar.", "content_hash": stale},
               format="json")
    assert r.status_code == 200 and "5 bar" in r.json()["content"]
    # An edit based on what changed meanwhile is a 409 that says so; nothing saved.
    r = a.post(rev_url + "draft/", {"content": "Other text", "content_hash": stale}, format="json")
    assert r.status_code == 409 and "changed" in r.json()["detail"]
    r = a.post(rev_url + "submit/", {"step1_kind": "approve", "step1_mode": "all", "step1_users": [approver.pk]},
               format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "in_review"

    p = api_for(approver)
    shown = _hash(p, rev_url)
    # A token alone never signs: the password is required, and a wrong one is refused.
    r = p.post(rev_url + "decide/", {"outcome": "approved", "significance": "significant", "content_hash": shown},
               format="json")
    assert r.status_code == 400 and "password" in r.json()["errors"]
    r = p.post(rev_url + "decide/", {"outcome": "approved", "significance": "significant", "content_hash": shown,
                                     "password": "wrong"}, format="json")
    assert r.status_code == 403 and "password" in r.json()["detail"].lower()
    r = p.post(rev_url + "decide/", {"outcome": "approved", "significance": "significant", "password": PASSWORD},
               format="json")
    assert r.status_code == 400 and "content_hash" in r.json()["errors"]
    r = p.post(rev_url + "decide/", {"outcome": "approved", "significance": "significant", "content_hash": "0" * 64,
                                     "password": PASSWORD}, format="json")
    assert r.status_code == 409  # signs only what was shown
    r = p.post(rev_url + "decide/", {"outcome": "approved", "significance": "significant", "content_hash": shown,
                                     "password": PASSWORD, "comment": "Fine"}, format="json")
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "effective"
    assert Signature.objects.filter(signer=approver, meaning="approved").exists()

    s = api_for(staff)
    doc = s.get(f"/api/v1/documents/{number}/").json()
    r = s.post(f"/api/v1/documents/{number}/acknowledge/",
               {"password": PASSWORD, "content_hash": doc["effective_content_hash"]}, format="json")
    assert r.status_code == 200, r.json()
    assert AuditEvent.objects.filter(verb__startswith="document.ack", actor=staff).exists() or \
        Signature.objects.filter(signer=staff).exists()

    q = api_for(quality_manager)
    r = q.post(f"/api/v1/documents/{number}/review/",
               {"outcome": "no_change", "password": PASSWORD, "content_hash": doc["effective_content_hash"]},
               format="json")
    assert r.status_code == 200, r.json()
    r = q.post(f"/api/v1/documents/{number}/obsolete/", {"reason": "Press retired"}, format="json")
    assert r.status_code == 200 and r.json()["obsolete_reason"] == "Press retired"
    # Obsolete twice: an illegal move, with the reason.
    r = q.post(f"/api/v1/documents/{number}/obsolete/", {"reason": "Again"}, format="json")
    assert r.status_code in (403, 409) and r.json()["detail"]


def test_a_refusal_is_403_with_the_rules_message(api_for, author, approver, staff):
    doc = make_effective(author, approver, title="Gauge calibration")
    r = api_for(staff).post(f"/api/v1/documents/{doc.number}/obsolete/", {"reason": "x"}, format="json")
    assert r.status_code == 403
    from qms.rules import message

    assert r.json()["detail"] == message("documents.make_obsolete")


def test_staff_do_not_see_drafts_and_bad_numbers_are_404(api_for, author, approver, staff):
    draft = make_draft(author, title="Secret draft")
    s = api_for(staff)
    assert s.get(f"/api/v1/documents/{draft.number}/").status_code == 404
    assert s.get(f"/api/v1/documents/{draft.number}/revisions/1/").status_code == 404
    assert s.get("/api/v1/documents/NO-SUCH/").status_code == 404
    assert draft.number not in s.get("/api/v1/documents/").content.decode()
    assert draft.number in api_for(author).get("/api/v1/documents/").content.decode()


def test_editing_an_approved_revision_is_409(api_for, author, approver):
    doc = make_effective(author, approver)
    r = api_for(author).post(f"/api/v1/documents/{doc.number}/revisions/1/draft/", {"content": "x"}, format="json")
    assert r.status_code == 409 and "frozen" in r.json()["detail"]


def test_a_new_revision_and_withdraw(api_for, author, approver):
    doc = make_effective(author, approver)
    a = api_for(author)
    r = a.post(f"/api/v1/documents/{doc.number}/revisions/", {"change_summary": "Yearly", "change_reason": "Audit"},
               format="json")
    assert r.status_code == 201, r.json()
    seq = r.json()["seq"]
    rev = Revision.objects.get(document=doc, seq=seq)
    submit(author, rev, [approver])
    r = a.post(f"/api/v1/documents/{doc.number}/revisions/{seq}/withdraw/", {"reason": "Wrong signer"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "draft"
    assert [x["seq"] for x in a.get(f"/api/v1/documents/{doc.number}/revisions/").json()["results"]] == [2, 1]


def test_print_gives_a_pdf_or_a_job(api_for, author, approver, staff):
    doc = make_effective(author, approver)
    r = api_for(staff).post(f"/api/v1/documents/{doc.number}/revisions/1/print/")
    assert r.status_code in (200, 202)
    if r.status_code == 200:
        assert r["Content-Type"] == "application/pdf"
    else:
        assert r.json()["id"]


def test_filters_are_the_registers_and_bad_values_are_400(api_for, author, approver, quality_manager):
    make_effective(author, approver, title="Alpha")
    make_draft(author, title="Beta draft")
    q = api_for(quality_manager)
    assert {d["title"] for d in q.get("/api/v1/documents/?status=effective").json()["results"]} == {"Alpha"}
    assert q.get("/api/v1/documents/?status=nonsense").status_code == 400
    assert "status" in q.get("/api/v1/documents/?status=nonsense").json()["errors"]
    assert q.get("/api/v1/documents/?ordering=bogus").status_code == 400
    titles = [d["title"] for d in q.get("/api/v1/documents/?ordering=-title").json()["results"]]
    assert titles == sorted(titles, reverse=True)
    assert q.get("/api/v1/documents/?cursor=garbage").status_code == 404


def test_cursor_pages_walk_the_whole_register(api_for, author, approver, quality_manager):
    for i in range(5):
        make_draft(author, title=f"Doc {i}")
    q = api_for(quality_manager)
    url, seen = "/api/v1/documents/?page_size=2", []
    while url:
        body = q.get(url).json()
        seen += [d["number"] for d in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == Document.objects.count()


def test_the_register_query_count_is_flat(api_for, author, approver, quality_manager,
                                          django_assert_max_num_queries):
    make_effective(author, approver, title="One")
    q = api_for(quality_manager)
    q.get("/api/v1/documents/")  # warm caches (content types, roles)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert q.get("/api/v1/documents/").status_code == 200
    for i in range(12):
        make_draft(author, title=f"More {i}")
    with django_assert_max_num_queries(len(few)):
        assert len(q.get("/api/v1/documents/").json()["results"]) == 13


def test_an_external_auditor_sees_only_the_grant_and_cannot_post(api_for, author, approver, external_auditor):
    from qms.models import Clause

    inside = make_effective(author, approver, title="Press", clauses=[Clause.objects.get(number="8.5.1")])
    outside = make_effective(author, approver, title="Hiring", clauses=[Clause.objects.get(number="7.2")])
    access = external_auditor.auditor_access
    access.all_scope = False
    access.save()
    access.clauses.set([Clause.objects.get(number="8.5")])
    e = api_for(external_auditor)
    body = e.get("/api/v1/documents/").content.decode()
    assert inside.number in body and outside.number not in body
    assert e.get(f"/api/v1/documents/{inside.number}/").status_code == 200
    assert e.get(f"/api/v1/documents/{outside.number}/").status_code == 404
    assert e.get(f"/api/v1/documents/{outside.number}/revisions/1/").status_code == 404
    assert e.post(f"/api/v1/documents/{inside.number}/obsolete/", {"reason": "x"}).status_code == 403
