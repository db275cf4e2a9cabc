import pytest
from django.utils import timezone

from suppliers.models import Evaluation, Supplier
from tests.factories import PASSWORD
from tests.records.factories import pdf_upload
from tests.suppliers.factories import approved_supplier, evaluate, make_criteria, make_supplier

pytestmark = pytest.mark.django_db


@pytest.fixture
def supplier(quality_manager):
    return approved_supplier(quality_manager)


def test_anonymous_is_sent_to_login(client, supplier):
    for url in ("/suppliers/", f"/suppliers/{supplier.code}/", "/suppliers/approved/"):
        r = client.get(url)
        assert r.status_code == 302 and "/accounts/login/" in r["Location"]


@pytest.mark.parametrize("persona,url,expected", [
    ("outsider", "/suppliers/", 403),
    ("staff", "/suppliers/", 200),
    ("staff", "/suppliers/{code}/", 200),
    ("staff", "/suppliers/new/", 403),
    ("staff", "/suppliers/{code}/edit/", 403),
    ("staff", "/suppliers/{code}/evaluate/", 403),
    ("staff", "/suppliers/{code}/scorecard/", 403),
    ("staff", "/suppliers/{code}/status/suspended/", 403),
    ("approver", "/suppliers/{code}/evaluate/", 200),
    ("approver", "/suppliers/{code}/scorecard/", 200),
    ("auditor", "/suppliers/{code}/scorecard/", 200),
    ("auditor", "/suppliers/{code}/trail/", 200),
    ("quality_manager", "/suppliers/new/", 200),
    ("quality_manager", "/suppliers/{code}/edit/", 200),
    ("quality_manager", "/suppliers/{code}/status/suspended/", 200),
    ("quality_manager", "/suppliers/{code}/status/nonsense/", 404),
    ("quality_manager", "/suppliers/criteria/new/", 200),
    ("staff", "/suppliers/criteria/new/", 403),
    ("staff", "/suppliers/NO-SUCH/", 404),
])
def test_access_matrix(request, client_for, supplier, persona, url, expected):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(url.format(code=supplier.code)).status_code == expected


def test_the_register_lists_filters_and_exports(client_for, quality_manager, supplier):
    make_supplier(quality_manager, name="Bolt Brothers", criticality="minor")
    c = client_for(quality_manager)
    body = c.get("/suppliers/").content.decode()
    assert supplier.code in body and "Bolt Brothers" in body
    body = c.get("/suppliers/", {"status": "approved"}).content.decode()
    assert supplier.code in body and "Bolt Brothers" not in body
    assert c.get("/suppliers/", {"status": "bogus", "page": "x"}).status_code == 200
    csv = c.get("/registers/suppliers-suppliers/export/").content.decode()
    assert "Acme Castings" in csv and "Bolt Brothers" in csv
    asl = c.get("/registers/suppliers-approved/export/").content.decode()
    assert "Acme Castings" in asl and "Bolt Brothers" not in asl
    assert c.get("/registers/suppliers-approved/export/?format=xlsx")["Content-Type"].startswith("application/vnd")


def test_the_register_query_count_stays_flat(client_for, quality_manager, django_assert_max_num_queries):
    c = client_for(quality_manager)
    make_supplier(quality_manager, name="One", owner=quality_manager)
    with django_assert_max_num_queries(12) as small:
        c.get("/suppliers/")
    for i in range(15):
        make_supplier(quality_manager, name=f"Many {i}", owner=quality_manager)
    with django_assert_max_num_queries(len(small.captured_queries)):
        c.get("/suppliers/")
    with django_assert_max_num_queries(len(small.captured_queries)):
        c.get("/suppliers/approved/")


def test_create_supplier_through_the_form(client_for, quality_manager):
    c = client_for(quality_manager)
    r = c.post("/suppliers/new/", {"name": "Cast Co", "supplies": "Castings", "criticality": "critical"})
    s = Supplier.objects.get(name="Cast Co")
    assert r.status_code == 302 and r["Location"] == s.get_absolute_url()
    r = c.post("/suppliers/new/", {"name": "", "supplies": "", "criticality": "huge"})
    assert r.status_code == 200 and Supplier.objects.count() == 1


def test_approval_without_an_evaluation_is_a_form_error(client_for, quality_manager):
    s = make_supplier(quality_manager)
    c = client_for(quality_manager)
    page = c.get(f"/suppliers/{s.code}/status/approved/").content.decode()
    assert "no evaluation yet" in page
    r = c.post(f"/suppliers/{s.code}/status/approved/", {"reason": "ok", "username": "qm", "password": PASSWORD,
                                                         "shown": c.get(f"/suppliers/{s.code}/status/approved/")
                                                         .context["sig_form"]["shown"].value()})
    assert r.status_code == 400 and "no evaluation yet" in r.content.decode()
    s.refresh_from_db()
    assert s.status == "prospective"


def test_approve_through_the_signing_page(client_for, quality_manager):
    s = make_supplier(quality_manager)
    evaluate(quality_manager, s)
    c = client_for(quality_manager)
    shown = c.get(f"/suppliers/{s.code}/status/approved/").context["sig_form"]["shown"].value()
    r = c.post(f"/suppliers/{s.code}/status/approved/", {"reason": "Evaluated 80", "username": "qm",
                                                         "password": PASSWORD, "shown": shown})
    assert r.status_code == 302
    s.refresh_from_db()
    assert s.status == "approved"
    # A double click answers like the first post and signs nothing more.
    r = c.post(f"/suppliers/{s.code}/status/approved/", {"reason": "Evaluated 80", "username": "qm",
                                                         "password": PASSWORD, "shown": shown})
    assert r.status_code in (302, 400)
    assert s.status == "approved"


def _evaluation_post(c, s, scores, **extra):
    form = c.get(f"/suppliers/{s.code}/evaluate/").context["form"]
    data = {"kind": "initial", "evaluated_on": timezone.localdate().isoformat(), "decision": "approve",
            "notes": "", "sig-username": "qm", "sig-password": PASSWORD,
            "sig-shown": c.get(f"/suppliers/{s.code}/evaluate/").context["sig_form"]["shown"].value()}
    for crit, score in zip(form.criteria, scores, strict=True):
        data[f"score_{crit.pk}"] = score
    data.update(extra)
    return c.post(f"/suppliers/{s.code}/evaluate/", data)


def test_an_evaluation_score_outside_the_scale_is_a_form_error(client_for, quality_manager):
    make_criteria()
    s = make_supplier(quality_manager)
    c = client_for(quality_manager)
    r = _evaluation_post(c, s, [6, 3, 3])
    assert r.status_code == 400 and "Scores run from 1 to 5" in r.content.decode()
    r = _evaluation_post(c, s, [3, 3, "x"])
    assert r.status_code == 400
    assert not Evaluation.objects.exists()
    r = _evaluation_post(c, s, [5, 4, 4])
    assert r.status_code == 302
    e = Evaluation.objects.get()
    assert c.get(e.get_absolute_url()).status_code == 200


def test_scorecard_shows_the_trend_chart_and_takes_deliveries(client_for, quality_manager, supplier):
    c = client_for(quality_manager)
    month = timezone.localdate().replace(day=1).isoformat()
    r = c.post(f"/suppliers/{supplier.code}/scorecard/", {"month": month, "delivered": 10, "on_time": 9})
    assert r.status_code == 302
    body = c.get(f"/suppliers/{supplier.code}/scorecard/").content.decode()
    assert "data:image/svg+xml;base64," in body and "90.0" in body
    r = c.post(f"/suppliers/{supplier.code}/scorecard/", {"month": month, "delivered": 3, "on_time": 5})
    assert r.status_code == 400 and "cannot exceed" in r.content.decode()


def test_certificate_upload_and_download(client_for, quality_manager, staff, supplier, media, outsider):
    c = client_for(quality_manager)
    r = c.post(f"/suppliers/{supplier.code}/certificates/", {
        "standard": "ISO 9001:2015", "valid_until": "2027-06-30", "file": pdf_upload("iso.pdf")})
    assert r.status_code == 302
    cert = supplier.certificates.get()
    assert cert.sha256 and cert.original_name == "iso.pdf"
    assert client_for(staff).get(f"/suppliers/certificates/{cert.pk}/download/").status_code == 200
    assert client_for(outsider).get(f"/suppliers/certificates/{cert.pk}/download/").status_code == 404
    r = c.post(f"/suppliers/{supplier.code}/certificates/", {"standard": "x", "valid_until": "not a date"})
    assert r.status_code == 302 and supplier.certificates.count() == 1


def test_a_supplier_nonconformity_from_the_page(client_for, quality_manager, supplier):
    c = client_for(quality_manager)
    r = c.post(f"/suppliers/{supplier.code}/capa/", {"title": "Late", "description": "Late again",
                                                     "severity": "minor"})
    assert r.status_code == 302 and "/capa/" in r["Location"]
    assert "Late" in c.get(supplier.get_absolute_url()).content.decode()


def test_the_approved_list_pdf_job(client_for, quality_manager, supplier):
    from qms import jobs
    from qms.models import Job

    c = client_for(quality_manager)
    r = c.post("/suppliers/approved/pdf/")
    assert r.status_code == 302
    job = Job.objects.get(kind="suppliers_asl_pdf")
    jobs.execute(job.pk, heartbeat=False)
    job.refresh_from_db()
    assert job.status == "ready"


def test_criteria_are_configured_with_weights_in_range(client_for, quality_manager):
    c = client_for(quality_manager)
    r = c.post("/suppliers/criteria/new/", {"name": "Price", "weight": 0, "order": 0})
    assert r.status_code == 200
    r = c.post("/suppliers/criteria/new/", {"name": "Price", "weight": 20, "order": 0, "is_active": "on"})
    assert r.status_code == 302
    assert "Price" in c.get("/suppliers/criteria/").content.decode()


def test_the_review_input_and_evidence_are_filled(quality_manager, supplier):
    from qms import evidence, review_inputs

    today = timezone.localdate()
    period = review_inputs.Period(today.replace(month=1, day=1), today)
    section = next(s for s in review_inputs.compile_inputs(period) if s.input.key == "external_providers")
    assert not section.empty
    facts = dict(section.contributions[0].facts)
    assert facts["Approved"] == 1
    clauses = {e.clause for e in evidence.collect(today) if e.label.startswith(("Supplier", "Approved", "Scope"))}
    assert {"8.4.1", "8.4.2", "8.4.3"} <= clauses


def test_reevaluation_due_shows_in_my_tasks(client_for, quality_manager):
    from qms import dashboard

    s = make_supplier(quality_manager)
    evaluate(quality_manager, s, on=timezone.localdate().replace(year=timezone.localdate().year - 3))
    from suppliers import services

    services.supplier_set_status(actor=quality_manager, supplier=s, to="approved", reason="ok", password=PASSWORD)
    section = next(x for x in dashboard.sections_for(quality_manager) if x.key == "suppliers.evaluations_due")
    assert section.total == 1 and section.items[0].overdue
