"""The "as of a date" view (issue 7): the register, a document, its revision in
force then, who had acknowledged it by then, and records as they stood.

History is made the way users make it (services under freezegun): revision 00
effective in March, revision 01 effective in June, acknowledgements between.
"""

from datetime import date

import pytest
from django.test import Client
from freezegun import freeze_time

from auditor.models import AccessLogEntry
from documents import services as doc_services
from qms.models import AuditEvent, Clause
from records import services as rec_services
from tests.documents.factories import doc_type, make_effective, new_revision
from tests.factories import PASSWORD, UserFactory
from tests.records.factories import GOOD, make_record, make_type
from tests.records.factories import pdf_upload as record_pdf

BETWEEN = "2026-04-30"  # revision 00 in force, staff acknowledged, the reader not yet
BOTH_READ = "2026-05-31"  # revision 00 in force, both acknowledged
AFTER = "2026-07-05"  # revision 01 in force, nobody has acknowledged it yet
BEFORE = "2026-02-01"  # the document did not exist


def _on(t):
    return freeze_time(t, tick=True)


@pytest.fixture
def history(author, approver, staff, quality_manager):
    reader = UserFactory(username="reader", full_name="Rita Reader")
    with _on("2026-03-10 09:00"):
        doc = make_effective(author, approver, title="Gauge calibration", content="# Purpose\nMonthly calibration.",
                             distribution_users=[staff, reader],
                             clauses=[Clause.objects.get(number="7.1.5.1")])
    rev1 = doc.effective_revision
    with _on("2026-04-05 10:00"):
        doc_services.acknowledge(actor=staff, document=doc, password=PASSWORD)
    with _on("2026-05-20 10:00"):
        doc_services.acknowledge(actor=reader, document=doc, password=PASSWORD)
    with _on("2026-06-15 08:00"):
        rev2 = new_revision(author, approver, doc, content="# Purpose\nYearly calibration.")
    with _on("2026-07-10 08:00"):
        doc_services.acknowledge(actor=staff, document=doc, password=PASSWORD)
    with _on("2026-07-20 08:00"):  # a later rename must not leak into the past view
        doc_services.document_update(actor=author, document=doc, title="Gauge and caliper calibration",
                                     reason="Covers calipers too")
    doc.refresh_from_db()
    return {"doc": doc, "rev1": rev1, "rev2": rev2, "reader": reader}


@pytest.fixture
def record_history(staff, quality_manager):
    cal = make_type("CAL", verification_required=False)
    cal.clauses.set([Clause.objects.get(number="7.1.5.1")])
    with _on("2026-03-05 09:00"):
        rec = make_record(staff, cal, evidence=[record_pdf("cert-march.pdf")])
    with _on("2026-08-01 09:00"):
        rec_services.record_amend(actor=staff, record=rec, values={**GOOD, "deviation": "2.5"},
                                  reason="Transcription error")
        rec_services.evidence_add(actor=staff, record=rec, uploads=[record_pdf("cert-august.pdf")])
    rec.refresh_from_db()
    return {"record": rec, "type": cal}


def _doc_page(c, number, on):
    return c.get(f"/auditor/asof/document/{number}/?on={on}")


# ------------------------------------------------------------------ documents
@pytest.mark.django_db
def test_document_as_of_a_date_between_revisions_shows_revision_1_and_only_acknowledgements_made_by_then(
    client_for, auditor, history
):
    c = client_for(auditor)
    doc, rev1, rev2 = history["doc"], history["rev1"], history["rev2"]
    response = _doc_page(c, doc.number, BETWEEN)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Past view: as it stood on 2026-04-30, end of day UTC" in page and "past-view-banner" in page
    assert f'href="{doc.get_absolute_url()}"' in page  # a link back to the current view
    in_force = response.context["in_force"]
    assert in_force.id == rev1.id and in_force.label == rev1.label
    assert "Monthly calibration." in page and "Yearly calibration." not in page
    assert "Gauge calibration" in page and "caliper" not in page  # the title as it was then
    assert [a.user.username for a in response.context["acknowledged"]] == ["staff"]
    assert [a.user.username for a in response.context["pending"]] == ["reader"]
    # Revision 01 did not exist yet; revision 00's state then was effective.
    assert [(r.id, r.status) for r in response.context["revisions"]] == [(rev1.id, "effective")]
    assert rev2.id not in {r.id for r in response.context["revisions"]}
    # Signatures made by then: the approval and staff's read signature, not the reader's (May).
    meanings = sorted(s.meaning for s in response.context["signatures"])
    assert meanings == ["approved", "read"]

    later = _doc_page(c, doc.number, BOTH_READ)
    assert sorted(a.user.username for a in later.context["acknowledged"]) == ["reader", "staff"]
    assert later.context["pending"] == []


@pytest.mark.django_db
def test_document_as_of_a_date_after_revision_2_shows_revision_2_and_revision_1_superseded(client_for, auditor, history):
    c = client_for(auditor)
    doc, rev1, rev2 = history["doc"], history["rev1"], history["rev2"]
    response = _doc_page(c, doc.number, AFTER)
    assert response.context["in_force"].id == rev2.id
    assert "Yearly calibration." in response.content.decode()
    states = {r.id: r.status for r in response.context["revisions"]}
    assert states == {rev1.id: "superseded", rev2.id: "effective"}
    # Revision 01's acknowledgements: staff read it on 10 July, after this date.
    assert response.context["acknowledged"] == []
    assert sorted(a.user.username for a in response.context["pending"]) == ["reader", "staff"]
    # Today's view agrees with the services: staff has read revision 01 now.
    today = _doc_page(c, doc.number, date.today().isoformat())
    assert [a.user.username for a in today.context["acknowledged"]] == ["staff"]
    assert "caliper" in today.content.decode()


@pytest.mark.django_db
def test_register_as_of_dates_shows_the_revision_in_force_then_and_nothing_before_the_document_existed(
    client_for, quality_manager, history
):
    c = client_for(quality_manager)
    doc, rev1, rev2 = history["doc"], history["rev1"], history["rev2"]
    between = c.get(f"/auditor/asof/?on={BETWEEN}")
    rows = {d.number: d for d in between.context["page"]}
    assert rows[doc.number].in_force.id == rev1.id and rows[doc.number].title == "Gauge calibration"
    after = c.get(f"/auditor/asof/?on={AFTER}")
    assert {d.number: d for d in after.context["page"]}[doc.number].in_force.id == rev2.id
    before = c.get(f"/auditor/asof/?on={BEFORE}")
    assert before.status_code == 200 and doc.number not in before.content.decode()
    assert list(before.context["page"]) == []
    absent = _doc_page(c, doc.number, BEFORE)
    assert absent.status_code == 404 and "did not exist yet" in absent.content.decode()


@pytest.mark.django_db
def test_register_search_and_type_filter_use_the_title_as_it_was(client_for, auditor, history, author, approver):
    c = client_for(auditor)
    number = history["doc"].number
    assert number in c.get(f"/auditor/asof/?on={BETWEEN}&q=gauge calibration").content.decode()
    # The word added by the July rename finds nothing in April, but finds it today.
    assert number not in c.get(f"/auditor/asof/?on={BETWEEN}&q=caliper").content.decode()
    assert number in c.get(f"/auditor/asof/?on={date.today().isoformat()}&q=caliper").content.decode()
    sop, pol = history["doc"].doc_type, doc_type("POL")
    assert number in c.get(f"/auditor/asof/?on={BETWEEN}&type={sop.pk}").content.decode()
    assert number not in c.get(f"/auditor/asof/?on={BETWEEN}&type={pol.pk}").content.decode()


# ------------------------------------------------------------------ records
@pytest.mark.django_db
def test_record_amended_after_the_date_shows_its_old_values_then_and_the_amended_values_now(
    client_for, auditor, record_history
):
    c = client_for(auditor)
    rec = record_history["record"]
    then = c.get(f"/auditor/asof/record/{rec.number}/?on=2026-05-01")
    assert then.status_code == 200
    values = {v["key"]: v["value"] for v in then.context["values"]}
    assert values["deviation"] == "1.5 µm"
    assert then.context["amendments"] == []
    assert [e.original_name for e in then.context["evidence"]] == ["cert-march.pdf"]
    assert "Past view: as it stood on 2026-05-01" in then.content.decode()
    now = c.get(f"/auditor/asof/record/{rec.number}/?on={date.today().isoformat()}")
    assert {v["key"]: v["value"] for v in now.context["values"]}["deviation"] == "2.5 µm"
    assert [a.seq for a in now.context["amendments"]] == [1]
    # The current record page agrees.
    assert rec.values["deviation"] == "2.5"
    assert AuditEvent.objects.filter(verb="record.amended").count() == 1


@pytest.mark.django_db
def test_record_register_as_of_lists_only_records_submitted_by_then(client_for, quality_manager, staff, record_history):
    c = client_for(quality_manager)
    rec = record_history["record"]
    with _on("2026-09-01 09:00"):
        later = make_record(staff, record_history["type"])
        draft = make_record(staff, record_history["type"], submit=False)
        never_submitted = make_record(staff, record_history["type"], submit=False)
        rec_services.record_void(actor=quality_manager, record=never_submitted, reason="Started by mistake")
    with _on("2026-09-15 09:00"):
        rec_services.record_void(actor=quality_manager, record=rec, reason="Wrong gauge")
    may_page = c.get("/auditor/asof/record-register/?on=2026-05-01")
    assert {r.number: r.then.status for r in may_page.context["page"]} == {rec.number: "submitted"}
    now_page = c.get(f"/auditor/asof/record-register/?on={date.today().isoformat()}")
    assert {r.number: r.then.status for r in now_page.context["page"]}[rec.number] == "void"
    may = may_page.content.decode()
    assert rec.number in may and later.number not in may and draft.number not in may
    oct_ = c.get("/auditor/asof/record-register/?on=2026-10-01").content.decode()
    assert rec.number in oct_ and later.number in oct_ and draft.number not in oct_
    assert never_submitted.number not in oct_  # a voided draft never was a record
    before = c.get(f"/auditor/asof/record/{rec.number}/?on=2026-03-01")
    assert before.status_code == 404 and "had not been submitted yet" in before.content.decode()


# ------------------------------------------------------------------ dates and access
@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["2999-01-01", "2026-13-45", "yesterday", "", "2026-02-30"])
def test_bad_or_future_dates_are_a_form_error_not_a_500(client_for, auditor, history, bad):
    c = client_for(auditor)
    for url in ("/auditor/asof/", "/auditor/asof/record-register/", f"/auditor/asof/document/{history['doc'].number}/"):
        response = c.get(url, {"on": bad})
        assert response.status_code == 400, url
        assert response.context["form"].errors["on"]
        assert "past-view-banner" not in response.content.decode()


@pytest.mark.django_db
def test_odd_filters_are_ignored_not_a_500(client_for, auditor, history):
    c = client_for(auditor)
    for params in ({"type": "99999999999999999999"}, {"type": "abc"}, {"page": "-4"}):
        for url in ("/auditor/asof/", "/auditor/asof/record-register/"):
            assert c.get(url, {"on": BETWEEN, **params}).status_code == 200, (url, params)
            # A NUL byte is refused for every view alike (qms.middleware.RejectNulMiddleware).
            assert c.get(url, {"on": BETWEEN, "q": "gauge\x00"}).status_code == 400


@pytest.mark.django_db
def test_without_a_date_the_page_offers_a_get_date_form(client_for, auditor):
    response = client_for(auditor).get("/auditor/asof/")
    page = response.content.decode()
    assert response.status_code == 200 and 'type="date"' in page and 'method="get"' in page
    assert "past-view-banner" not in page


@pytest.mark.django_db
def test_access_matrix(client_for, history, record_history, quality_manager, auditor, external_auditor, staff,
                       author, approver):
    doc, rec = history["doc"], record_history["record"]
    urls = [f"/auditor/asof/?on={BETWEEN}", f"/auditor/asof/document/{doc.number}/?on={BETWEEN}",
            "/auditor/asof/record-register/?on=2026-05-01", f"/auditor/asof/record/{rec.number}/?on=2026-05-01"]
    for url in urls:
        anon = Client().get(url)
        assert anon.status_code == 302 and "/accounts/login/" in anon["Location"], url
        for user in (staff, author, approver):
            assert client_for(user).get(url).status_code == 403, (url, user)
        for user in (quality_manager, auditor, external_auditor):
            assert client_for(user).get(url).status_code == 200, (url, user)
    # GET only: the date form never writes.
    assert client_for(quality_manager).post("/auditor/asof/", {"on": BETWEEN}).status_code == 405


@pytest.mark.django_db
def test_external_auditor_scope_applies_to_the_past_view(client_for, external_auditor, author, approver, history,
                                                          record_history, staff):
    access = external_auditor.auditor_access
    access.all_scope = False
    access.save()
    access.clauses.set([Clause.objects.get(number="7.1.5")])
    with _on("2026-03-12 09:00"):
        outside = make_effective(author, approver, title="Hiring", clauses=[Clause.objects.get(number="7.2")])
        trn = make_type("TRN", verification_required=False)
        trn.clauses.set([Clause.objects.get(number="7.2")])
        rec_out = make_record(staff, trn)
    c = client_for(external_auditor)
    register = c.get(f"/auditor/asof/?on={BETWEEN}").content.decode()
    assert history["doc"].number in register and outside.number not in register
    assert _doc_page(c, history["doc"].number, BETWEEN).status_code == 200
    assert _doc_page(c, outside.number, BETWEEN).status_code == 404
    records = c.get("/auditor/asof/record-register/?on=2026-05-01").content.decode()
    assert record_history["record"].number in records and rec_out.number not in records
    assert c.get(f"/auditor/asof/record/{rec_out.number}/?on=2026-05-01").status_code == 404
    # Every past-view page the external auditor opened is in the access log.
    logged = set(AccessLogEntry.objects.filter(user=external_auditor).values_list("view_name", flat=True))
    assert {"auditor:asof-documents", "auditor:asof-document", "auditor:asof-records", "auditor:asof-record"} <= logged


@pytest.mark.django_db
def test_links_to_the_past_view_are_shown_to_those_who_may_use_it(client_for, auditor, staff, history):
    number = history["doc"].number
    assert "/auditor/asof/document/" in client_for(auditor).get(f"/documents/{number}/").content.decode()
    staff_page = client_for(staff).get(f"/documents/{number}/").content.decode()
    assert "/auditor/asof/" not in staff_page


# ------------------------------------------------------------------ query counts
def _make_docs(author, approver, n, start):
    for i in range(n):
        make_effective(author, approver, title=f"Procedure {start + i}")


@pytest.mark.django_db
def test_as_of_document_register_query_count_does_not_grow_with_rows(
    client_for, quality_manager, author, approver, django_assert_max_num_queries
):
    c = client_for(quality_manager)
    today = date.today().isoformat()
    _make_docs(author, approver, 2, 0)
    c.get(f"/auditor/asof/?on={today}")  # warm caches (content types, session)
    with django_assert_max_num_queries(12) as small:
        assert len(c.get(f"/auditor/asof/?on={today}").context["page"]) == 2
    _make_docs(author, approver, 10, 2)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = c.get(f"/auditor/asof/?on={today}")
    assert len(response.context["page"]) == 12
    assert all(row.in_force is not None for row in response.context["page"])


@pytest.mark.django_db
def test_as_of_record_register_query_count_does_not_grow_with_rows(
    client_for, quality_manager, staff, django_assert_max_num_queries
):
    c = client_for(quality_manager)
    cal = make_type("CAL", verification_required=False)
    today = date.today().isoformat()
    for _ in range(2):
        make_record(staff, cal)
    c.get(f"/auditor/asof/record-register/?on={today}")
    with django_assert_max_num_queries(12) as small:
        assert len(c.get(f"/auditor/asof/record-register/?on={today}").context["page"]) == 2
    for _ in range(10):
        make_record(staff, cal)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(c.get(f"/auditor/asof/record-register/?on={today}").context["page"]) == 12

