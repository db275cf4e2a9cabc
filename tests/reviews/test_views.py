"""Pages: access matrix, flat query counts, the feedback and review journeys through the views, bad input."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from qms.models import Job
from reviews.models import Complaint, Decision
from tests.reviews.factories import make_complaint, make_review, make_survey
from tests.signing import stamp_on

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def people(quality_manager, author, approver, staff, auditor, external_auditor, outsider):
    return {"qm": quality_manager, "author": author, "approver": approver, "staff": staff, "auditor": auditor,
            "external": external_auditor, "outsider": outsider}


LISTS = ["/reviews/complaints/", "/reviews/surveys/", "/reviews/meetings/", "/reviews/actions/"]


@pytest.mark.parametrize("url", LISTS)
def test_lists_ask_for_login_and_a_role(client, client_for, people, url):
    assert client.get(url).status_code == 302
    assert client_for(people["outsider"]).get(url).status_code == 403
    for who in ("qm", "staff", "auditor", "external"):
        assert client_for(people[who]).get(url).status_code == 200, who


@pytest.mark.parametrize("url,allowed", [
    ("/reviews/complaints/new/", {"qm", "staff", "author", "approver"}),
    ("/reviews/surveys/new/", {"qm"}),
    ("/reviews/meetings/new/", {"qm"}),
])
def test_create_pages_access_matrix(client_for, people, url, allowed):
    for who, user in people.items():
        expected = 200 if who in allowed else 403
        assert client_for(user).get(url).status_code == expected, who


def test_complaint_page_access(client_for, people):
    c = make_complaint(people["qm"], owner=people["staff"])
    url = c.get_absolute_url()
    assert client_for(people["outsider"]).get(url).status_code == 404
    for who in ("qm", "staff", "author", "auditor", "external"):
        assert client_for(people[who]).get(url).status_code == 200, who
    body = client_for(people["staff"]).get(url).content.decode()
    assert "Respond to the customer" in body
    assert "Respond to the customer" not in client_for(people["author"]).get(url).content.decode()
    assert client_for(people["author"]).post(f"{url}respond/", {"responded_on": TODAY(), "response": "x"}).status_code == 403


def test_review_page_is_for_qm_auditors_chair_and_attendees(client_for, people):
    review = make_review(people["qm"], chair=people["approver"], attendees=[people["staff"]])
    url = review.get_absolute_url()
    for who in ("qm", "auditor", "external", "approver", "staff"):
        assert client_for(people[who]).get(url).status_code == 200, who
        assert client_for(people[who]).get(f"{url}pack/").status_code == 200, who
    for who in ("author", "outsider"):
        assert client_for(people[who]).get(url).status_code == 404, who


def test_complaint_register_query_count_is_flat(client_for, quality_manager, staff, django_assert_max_num_queries):
    for i in range(3):
        make_complaint(quality_manager, owner=staff, customer=f"Customer {i}")
    client = client_for(quality_manager)
    with django_assert_max_num_queries(30) as small:
        assert client.get("/reviews/complaints/").status_code == 200
    for i in range(25):
        make_complaint(quality_manager, owner=staff if i % 2 else quality_manager, customer=f"More {i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        body = client.get("/reviews/complaints/").content.decode()
    assert "More 24" in body


def test_other_lists_query_counts_are_flat(client_for, quality_manager, staff, django_assert_max_num_queries):
    client = client_for(quality_manager)
    from reviews import services

    make_survey(quality_manager)
    first = make_review(quality_manager, attendees=[staff])
    services.decision_add(actor=quality_manager, review=first, kind="improvement", text="t", action_description="a",
                          action_owner=staff, action_due_date=TODAY() + timedelta(60))
    counts = {}
    for url in LISTS[1:]:
        with django_assert_max_num_queries(40) as q:
            client.get(url)
        counts[url] = len(q.captured_queries)
    for i in range(2, 8):
        make_survey(quality_manager, months_ago=i, title=f"S{i}")
    for i in range(4):
        r = make_review(quality_manager, attendees=[staff], meeting_in_days=i + 10)
        services.decision_add(actor=quality_manager, review=r, kind="improvement", text="t",
                              action_description="a", action_owner=staff, action_due_date=TODAY() + timedelta(60))
    for url in LISTS[1:]:
        with django_assert_max_num_queries(counts[url]):
            client.get(url)


def test_log_respond_and_close_through_the_pages(client_for, quality_manager, staff):
    client = client_for(staff)
    received = TODAY() - timedelta(4)
    response = client.post("/reviews/complaints/new/", {
        "kind": "complaint", "customer": "Harbour Marine", "channel": "phone", "received_on": received,
        "description": "Late delivery", "category": "delivery", "severity": "medium", "owner": staff.pk})
    c = Complaint.objects.get()
    assert response.status_code == 302 and response["Location"] == c.get_absolute_url()
    url = c.get_absolute_url()
    bad = client.post(f"{url}respond/", {"responded_on": received - timedelta(2), "response": "Sorry"})
    assert bad.status_code == 400 and "before the feedback was received" in bad.content.decode()
    c.refresh_from_db()
    assert c.status == "open" and c.responded_on is None
    assert client.post(f"{url}acknowledge/", {"acknowledged_on": received}).status_code == 302
    assert client.post(f"{url}respond/", {"responded_on": TODAY(), "response": "New date agreed"}).status_code == 302
    assert client.post(f"{url}close/", {"resolution": "Delivered"}).status_code == 302
    c.refresh_from_db()
    assert c.status == "closed" and c.resolution == "Delivered"


def test_bad_complaint_input_is_a_form_error(client_for, staff):
    response = client_for(staff).post("/reviews/complaints/new/", {
        "kind": "complaint", "customer": "  ", "channel": "phone", "received_on": TODAY() + timedelta(3),
        "description": "x", "category": "nonsense", "severity": "medium", "owner": staff.pk})
    assert response.status_code == 400 and not Complaint.objects.exists()
    body = response.content.decode()
    assert "in the future" in body


def test_raise_capa_from_the_complaint_page(client_for, quality_manager, staff):
    c = make_complaint(quality_manager, owner=staff)
    response = client_for(staff).post(f"{c.get_absolute_url()}capa/", {
        "title": "Cracked housings", "description": "3 parts", "severity": "major", "owner": staff.pk})
    from audits.models import Capa

    capa = Capa.objects.get()
    assert response.status_code == 302 and capa.source == "complaint"
    page = client_for(staff).get(c.get_absolute_url()).content.decode()
    assert capa.number in page


def test_complaint_export_csv_and_xlsx(client_for, quality_manager):
    make_complaint(quality_manager, customer="Fjord Pumps")
    csv = client_for(quality_manager).get("/reviews/complaints/export/?format=csv")
    assert csv.status_code == 200 and "Fjord Pumps" in csv.content.decode()
    xlsx = client_for(quality_manager).get("/reviews/complaints/export/?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_registers_export_and_read_as_of_a_date(client_for, quality_manager):
    from qms import registers

    c = make_complaint(quality_manager, customer="Fjord Pumps")
    make_survey(quality_manager)
    make_review(quality_manager)
    for key in ("reviews.complaints", "reviews.surveys", "reviews.management_reviews"):
        reg = registers.get(key)
        assert reg is not None
        now = list(reg.rows(quality_manager, None))
        assert len(now) == 1 and len(now[0]) == len(reg.columns)
        assert list(reg.rows(quality_manager, TODAY() - timedelta(days=400))) == []
        assert len(list(reg.rows(quality_manager, TODAY()))) == 1
        assert client_for(quality_manager).get(f"/registers/{reg.slug}/export/?format=csv").status_code == 200
    assert list(registers.get("reviews.complaints").rows(quality_manager, TODAY()))[0][0] == c.number


def test_survey_bad_input_is_a_form_error(client_for, quality_manager):
    response = client_for(quality_manager).post("/reviews/surveys/new/", {
        "title": "S", "period_start": TODAY() - timedelta(30), "period_end": TODAY() + timedelta(30),
        "score": "120", "scale_max": "100", "respondents": "0"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "not ended" in body


def test_build_a_review_record_decisions_and_sign_through_the_pages(client_for, quality_manager, staff, password,
                                                                     django_capture_on_commit_callbacks):
    client = client_for(quality_manager)
    response = client.post("/reviews/meetings/new/", {
        "title": "Annual management review", "meeting_date": TODAY(), "chair": quality_manager.pk,
        "attendees": [staff.pk], "period_start": TODAY() - timedelta(365), "period_end": TODAY() - timedelta(1)})
    assert response.status_code == 302
    review = quality_manager.chaired_reviews.get()
    url = review.get_absolute_url()
    pack = client.get(f"{url}pack/").content.decode()
    assert "Status of actions from previous management reviews" in pack and "No data yet" in pack
    no_owner = client.post(f"{url}decisions/", {"kind": "improvement", "text": "Answer faster",
                                                "action_description": "Shared inbox",
                                                "action_due_date": TODAY() + timedelta(30)})
    assert no_owner.status_code == 400 and "An action needs an owner" in no_owner.content.decode()
    assert not Decision.objects.exists()
    assert client.post(f"{url}decisions/", {"kind": "improvement", "text": "Answer faster",
                                            "action_description": "Shared inbox", "action_owner": staff.pk,
                                            "action_due_date": TODAY() + timedelta(30)}).status_code == 302
    assert client.post(f"{url}conclusions/", {"conclusions": "Suitable, adequate, effective."}).status_code == 302
    with django_capture_on_commit_callbacks(execute=False):
        pdf = client.post(f"{url}pdf/")
    job = Job.objects.get(kind="review_pack_pdf")
    assert pdf["Location"] == job.get_absolute_url() and job.object_id == review.pk
    page = client.get(url)
    signed = client.post(f"{url}sign/", {"username": quality_manager.username, "password": password,
                                         "comment": "Approved", **stamp_on(page)})
    assert signed.status_code == 302
    review.refresh_from_db()
    assert review.locked
    # Signed twice: the same form again is answered like the first; a fresh form is refused.
    again = client.post(f"{url}sign/", {"username": quality_manager.username, "password": password,
                                        **stamp_on(page)})
    assert again.status_code in (302, 403)
    from qms.models import Signature

    assert Signature.objects.filter(meaning="approved").count() == 1
    locked = client.post(f"{url}decisions/", {"kind": "improvement", "text": "Late addition"})
    assert locked.status_code == 403 and Decision.objects.count() == 1


def test_pack_pdf_job_renders_the_sections_and_charts(quality_manager, staff, media_root):
    import io

    from pypdf import PdfReader

    from qms.jobs import execute, request_job

    make_complaint(quality_manager, owner=staff)
    make_survey(quality_manager)
    review = make_review(quality_manager)
    job = request_job(kind="review_pack_pdf", actor=quality_manager, target=review)
    execute(job.pk, heartbeat=False)
    job.refresh_from_db()
    assert job.status == Job.Status.READY, job.error
    with job.file.open("rb") as fh:
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(fh.read())).pages)
    assert review.number in text and "Customer feedback and satisfaction" in text
    assert "Audit results" in text and "Uncontrolled when printed" in text


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def test_the_search_box_finds_feedback_and_reviews_within_the_rules(client_for, quality_manager, outsider):
    from reviews import services

    c = make_complaint(quality_manager, customer="Kappa Springs")
    r = make_review(quality_manager)
    services.decision_add(actor=quality_manager, review=r, kind="improvement", text="Kappa delivery review")
    body = client_for(quality_manager).get("/search/", {"q": "Kappa"}).content.decode()
    assert c.number in body and r.number in body
    assert c.number not in client_for(outsider).get("/search/", {"q": "Kappa"}).content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")
@pytest.mark.parametrize("column", ["number", "customer", "reference", "description"])
def test_each_column_the_log_search_reads_has_a_trigram_index(quality_manager, column):
    """The feedback log's `q=` is icontains over four columns (UPPER(col) LIKE): without
    an index each search read every entry (migration reviews 0003)."""
    from reviews.models import Complaint

    make_complaint(quality_manager)
    sql, params = Complaint.objects.filter(**{f"{column}__icontains": "volt"}).values("pk").query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("SET LOCAL enable_indexscan = off")
        cur.execute("EXPLAIN " + sql, params)
        plan = "\n".join(r[0] for r in cur.fetchall())
    assert f"reviews_complaint_{column}_upper_trgm" in plan, plan
