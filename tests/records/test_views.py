"""Access matrix for every records page and action, and the actions through
the same views users use (lock, amendment, verification, void, hold, PDF)."""

import pytest

from qms.models import AuditEvent, Job
from records.models import Record
from tests.records.factories import GOOD, make_record
from tests.signing import shown, stamp_on

pytestmark = pytest.mark.django_db

PERSONAS = ["quality_manager", "author", "approver", "staff", "auditor", "external_auditor", "outsider"]


@pytest.fixture
def people(request):
    return {name: request.getfixturevalue(name) for name in PERSONAS}


@pytest.fixture
def submitted(staff, cal_type):
    return make_record(staff, cal_type)


@pytest.fixture
def draft(staff, cal_type):
    return make_record(staff, cal_type, submit=False)


def _matrix(client_for, people, url, allowed: dict):
    for name, user in people.items():
        status = client_for(user).get(url).status_code
        assert status == allowed.get(name, allowed.get("*")), f"{name} GET {url} -> {status}"


ROLE_READERS = {"outsider": 403, "*": 200}
QM_ONLY = {"quality_manager": 200, "*": 403}
CREATORS = {"quality_manager": 200, "author": 200, "approver": 200, "staff": 200, "*": 403}


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("/records/", ROLE_READERS),
        ("/records/export/", ROLE_READERS),
        ("/records/types/", ROLE_READERS),
        ("/records/types/CAL/", ROLE_READERS),
        ("/records/types/new/", QM_ONLY),
        ("/records/types/CAL/edit/", QM_ONLY),
        ("/records/types/CAL/fields/", QM_ONLY),
        ("/records/new/", CREATORS),
        ("/records/new/CAL/", CREATORS),
        ("/records/retention/", {"quality_manager": 200, "auditor": 200, "external_auditor": 200, "*": 403}),
    ],
)
def test_page_access_matrix(client_for, people, cal_type, url, allowed):
    _matrix(client_for, people, url, allowed)


def test_record_page_access_matrix(client_for, people, submitted, draft):
    # Staff see their own; verifiers see submitted records; QM and auditors see all.
    _matrix(client_for, people, submitted.get_absolute_url(), {"author": 404, "outsider": 404, "*": 200})
    _matrix(client_for, people, draft.get_absolute_url(),
            {"staff": 200, "quality_manager": 200, "auditor": 200, "external_auditor": 200, "*": 404})
    _matrix(client_for, people, f"/records/{draft.number}/edit/",
            {"staff": 200, "author": 404, "approver": 404, "outsider": 404, "*": 403})
    _matrix(client_for, people, f"/records/{submitted.number}/amend/",
            {"staff": 200, "quality_manager": 200, "author": 404, "outsider": 404, "*": 403})
    _matrix(client_for, people, f"/records/{submitted.number}/dispose/",
            {"quality_manager": 200, "author": 404, "outsider": 404, "*": 403})


def test_unknown_record_is_404(client_for, quality_manager):
    assert client_for(quality_manager).get("/records/NOPE-1/").status_code == 404


def test_editing_a_submitted_record_by_form_post_is_refused(client_for, staff, submitted):
    response = client_for(staff).post(f"/records/{submitted.number}/edit/",
                                      {**GOOD, "instrument": "FORGED", "action": "draft"})
    assert response.status_code == 409
    submitted.refresh_from_db()
    assert submitted.values["instrument"] == "MIC-01"


def test_draft_saved_then_submitted_through_pages(client_for, staff, cal_type):
    client = client_for(staff)
    response = client.post("/records/new/CAL/", {"instrument": "MIC-07", "action": "draft"})
    record = Record.objects.get()
    assert response.status_code == 302 and record.status == "draft"
    response = client.post(f"/records/{record.number}/edit/", {**GOOD, "sealed": "on", "action": "draft"})
    assert response.status_code == 302
    client.post(f"/records/{record.number}/submit/")
    record.refresh_from_db()
    assert record.status == "submitted" and record.values["instrument"] == "MIC-01"


def test_submit_of_incomplete_draft_shows_message_and_keeps_draft(client_for, staff, cal_type):
    client = client_for(staff)
    client.post("/records/new/CAL/", {"instrument": "MIC-07", "action": "draft"})
    record = Record.objects.get()
    response = client.post(f"/records/{record.number}/submit/", follow=True)
    assert "Not submitted" in response.content.decode()
    record.refresh_from_db()
    assert record.status == "draft"


def test_amendment_page_requires_reason_and_shows_old_values(client_for, staff, submitted):
    client = client_for(staff)
    data = {**GOOD, "deviation": "2.75", "sealed": "on"}
    response = client.post(f"/records/{submitted.number}/amend/", {**data, "amendment_reason": ""})
    assert response.status_code == 400 and "amendment_reason" in response.context["reason_form"].errors
    submitted.refresh_from_db()
    assert submitted.values["deviation"] == "1.5" and submitted.amendment_count == 0
    response = client.post(f"/records/{submitted.number}/amend/", {**data, "amendment_reason": "Transcription error"})
    assert response.status_code == 302
    page = client.get(submitted.get_absolute_url()).content.decode()
    assert "Amended v1" in page and "Transcription error" in page
    assert "<del>1.5 µm</del> → <ins>2.75 µm</ins>" in page


def test_verification_through_the_page(client_for, staff, approver, submitted, password):
    page = client_for(approver).get(submitted.get_absolute_url())
    assert "Electronic signature" in page.content.decode() and "unverified" in page.content.decode()
    url = f"/records/{submitted.number}/verify/"
    response = client_for(approver).post(url, {"username": approver.username, "password": "bad", **stamp_on(page)},
                                         follow=True)
    assert "password is not correct" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.verified_at is None
    client_for(approver).post(url, {"username": approver.username, "password": password, "comment": "OK",
                                         **stamp_on(page)})
    submitted.refresh_from_db()
    assert submitted.verified_by == approver


def test_submitter_cannot_verify_through_the_page(client_for, staff, submitted, password):
    page = client_for(staff).get(submitted.get_absolute_url()).content.decode()
    assert "Electronic signature" not in page  # no dialog offered
    response = client_for(staff).post(f"/records/{submitted.number}/verify/",
                                      {"username": staff.username, "password": password, **shown(submitted)}, follow=True)
    assert "second person" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.verified_at is None


def test_external_auditor_reads_but_cannot_act(client_for, external_auditor, submitted, password):
    client = client_for(external_auditor)
    assert client.get(submitted.get_absolute_url()).status_code == 200
    client.post(f"/records/{submitted.number}/verify/", {"username": external_auditor.username, "password": password})
    client.post(f"/records/{submitted.number}/void/", {"reason": "x"})
    assert client.get(f"/records/{submitted.number}/amend/").status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == "submitted" and submitted.verified_at is None


def test_void_through_the_page_and_voided_stays_visible_to_auditors(client_for, quality_manager, staff, auditor,
                                                                  submitted):
    client_for(staff).post(f"/records/{submitted.number}/void/", {"reason": "mine"})
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
    client_for(quality_manager).post(f"/records/{submitted.number}/void/", {"reason": ""})
    submitted.refresh_from_db()
    assert submitted.status == "submitted"
    client_for(quality_manager).post(f"/records/{submitted.number}/void/", {"reason": "Duplicate entry"})
    submitted.refresh_from_db()
    assert submitted.status == "void"
    page = client_for(auditor).get(submitted.get_absolute_url()).content.decode()
    assert "VOID" in page and "Duplicate entry" in page
    register = client_for(auditor).get("/records/").content.decode()
    assert submitted.number in register and "table-danger" in register


def test_staff_can_void_own_draft(client_for, staff, draft):
    client_for(staff).post(f"/records/{draft.number}/void/", {"reason": "Started by mistake"})
    draft.refresh_from_db()
    assert draft.status == "void"
    assert AuditEvent.objects.filter(verb="record.voided", object_id=str(draft.pk)).exists()


def test_legal_hold_through_the_page(client_for, quality_manager, staff, submitted):
    client_for(staff).post(f"/records/{submitted.number}/hold/", {"legal_hold": "on", "reason": "x"})
    submitted.refresh_from_db()
    assert not submitted.legal_hold
    client_for(quality_manager).post(f"/records/{submitted.number}/hold/", {"legal_hold": "on", "reason": "Claim"})
    submitted.refresh_from_db()
    assert submitted.legal_hold and submitted.legal_hold_reason == "Claim"


def test_dispose_page_refuses_before_retention(client_for, quality_manager, submitted, password):
    response = client_for(quality_manager).post(
        f"/records/{submitted.number}/dispose/",
        {"reason": "Tidy", "username": quality_manager.username, "password": password, **shown(submitted)},
    )
    assert response.status_code == 409 and "must be kept until" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_pdf_request_creates_a_job(client_for, staff, author, submitted, django_capture_on_commit_callbacks):
    assert client_for(author).post(f"/records/{submitted.number}/pdf/").status_code == 404
    with django_capture_on_commit_callbacks(execute=False):
        response = client_for(staff).post(f"/records/{submitted.number}/pdf/")
    job = Job.objects.get(kind="record_pdf")
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.object_id == submitted.pk and job.requested_by == staff


def test_delete_is_not_offered_anywhere(admin_client, submitted):
    response = admin_client.get(f"/admin/records/record/{submitted.pk}/delete/")
    assert response.status_code in (403, 302, 404)
    assert Record.objects.filter(pk=submitted.pk).exists()
    assert admin_client.post("/admin/records/record/", {"action": "delete_selected", "_selected_action": [submitted.pk]}).status_code in (200, 302, 403)
    assert Record.objects.filter(pk=submitted.pk).exists()


def test_legal_hold_is_placed_and_lifted_from_the_record_page(client_for, quality_manager, submitted):
    client = client_for(quality_manager)
    page = client.get(submitted.get_absolute_url()).content.decode()
    assert "Place legal hold" in page
    client.post(f"/records/{submitted.number}/hold/", {"legal_hold": "on", "reason": "Dispute"})
    page = client.get(submitted.get_absolute_url()).content.decode()
    assert "Lift legal hold" in page and "legal hold" in page
    client.post(f"/records/{submitted.number}/hold/", {"reason": "Settled"})
    submitted.refresh_from_db()
    assert not submitted.legal_hold
    assert AuditEvent.objects.filter(verb="record.legal_hold_off", object_id=str(submitted.pk), comment="Settled").exists()


ACTIONS = ["edit", "submit", "evidence", "verify", "amend", "void", "hold", "dispose", "pdf"]


@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_refuses_users_without_access_and_changes_nothing(client_for, people, submitted, password,
                                                                       action):
    before = (submitted.status, submitted.values, submitted.verified_at, submitted.legal_hold, submitted.amendment_count)
    data = {**GOOD, "reason": "x", "amendment_reason": "x", "legal_hold": "on", "password": password, "action": "submit"}
    for name in ("outsider", "author"):  # cannot see the record at all
        response = client_for(people[name]).post(f"/records/{submitted.number}/{action}/",
                                                 {**data, "username": people[name].username})
        assert response.status_code == 404, (name, action, response.status_code)
    response = client_for(people["external_auditor"]).post(
        f"/records/{submitted.number}/{action}/", {**data, "username": people["external_auditor"].username})
    assert response.status_code in (302, 403, 409), (action, response.status_code)  # read-only: refused or redirected
    submitted.refresh_from_db()
    after = (submitted.status, submitted.values, submitted.verified_at, submitted.legal_hold, submitted.amendment_count)
    assert after == before
    assert not Job.objects.filter(requested_by__in=[people["outsider"], people["author"]]).exists()


@pytest.mark.parametrize("url", ["/records/types/new/", "/records/types/CAL/edit/", "/records/types/CAL/fields/"])
def test_only_the_quality_manager_posts_record_type_changes(client_for, people, cal_type, url):
    for name in ("staff", "approver", "auditor", "external_auditor", "outsider"):
        response = client_for(people[name]).post(url, {"code": "HACK", "name": "x", "retention_years": "1"})
        assert response.status_code == 403, (name, url)
    cal_type.refresh_from_db()
    assert cal_type.name == "CAL record" and not cal_type.__class__.objects.filter(code="HACK").exists()
