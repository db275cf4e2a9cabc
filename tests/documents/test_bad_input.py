"""Bad input: missing fields, oversized or disallowed files, duplicate numbers,
tampered POSTs to other users' objects: a clear error, and nothing changed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from documents.models import Decision, Document, Revision
from qms.models import AuditEvent
from qms.permissions import Role
from tests.documents.factories import doc_type, make_draft, make_effective, pdf_upload, submit
from tests.factories import DepartmentFactory, UserFactory
from tests.signing import shown


def create_payload(**extra):
    data = {"doc_type": doc_type("SOP").pk, "department": DepartmentFactory(code="QA").pk,
            "title": "Receiving inspection", "content": "# Scope"}
    data.update(extra)
    return data


@pytest.mark.django_db
def test_create_through_the_form_assigns_the_number(author, client_for):
    r = client_for(author).post("/documents/new/", create_payload())
    doc = Document.objects.get()
    assert r.status_code == 302 and doc.number == "SOP-QA-001" and doc.owner == author
    assert AuditEvent.objects.filter(verb="document.created", object_id=str(doc.pk)).exists()


@pytest.mark.django_db
def test_missing_title_is_a_form_error(author, client_for):
    r = client_for(author).post("/documents/new/", create_payload(title=""))
    assert r.status_code == 200 and "This field is required" in r.content.decode()
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_duplicate_number_is_a_form_error_not_a_500(quality_manager, client_for):
    make_draft(quality_manager, number="SOP-QA-050")
    r = client_for(quality_manager).post("/documents/new/", create_payload(number="SOP-QA-050"))
    assert r.status_code == 200 and "already used" in r.content.decode()
    assert Document.objects.count() == 1


@pytest.mark.django_db
def test_number_field_is_ignored_for_authors(author, client_for):
    client_for(author).post("/documents/new/", create_payload(number="HACK-1"))
    assert not Document.objects.filter(number="HACK-1").exists()


@pytest.mark.django_db
def test_external_document_without_issuer_is_refused(author, client_for):
    payload = create_payload(doc_type=doc_type("EXT").pk)
    r = client_for(author).post("/documents/new/", payload)
    assert r.status_code == 200 and "Required for documents of external origin" in r.content.decode()
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_disallowed_file_type_is_refused(author, client_for):
    exe = SimpleUploadedFile("tool.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    r = client_for(author).post("/documents/new/", {**create_payload(), "pdf": exe})
    assert "not accepted" in r.content.decode()
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_fake_pdf_is_refused(author, client_for):
    fake = SimpleUploadedFile("report.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    r = client_for(author).post("/documents/new/", {**create_payload(), "pdf": fake})
    assert "does not look like a .pdf file" in r.content.decode()
    assert not Document.objects.exists()


@pytest.mark.django_db
@override_settings(UPLOAD_MAX_BYTES=1024)
def test_oversized_file_is_refused(author, client_for):
    big = pdf_upload(body=b"%PDF-1.4\n" + b"0" * 4096)
    r = client_for(author).post("/documents/new/", {**create_payload(), "pdf": big})
    assert "the limit is" in r.content.decode()
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_uploaded_pdf_is_stored_with_sha256(author, client_for):
    import hashlib

    from tests.pdf_helpers import blank_pdf

    body = blank_pdf(note="hello")
    client_for(author).post("/documents/new/", {**create_payload(), "pdf": pdf_upload(body=body)})
    rev = Revision.objects.get()
    assert rev.pdf_sha256 == hashlib.sha256(body).hexdigest() and rev.pdf_original_name == "procedure.pdf"
    assert rev.pdf_file != "procedure.pdf"  # stored under a random name


@pytest.mark.django_db
def test_form_post_to_an_approved_revision_is_refused(author, approver, client_for):
    doc = make_effective(author, approver)
    rev = doc.effective_revision
    r = client_for(author).post(f"/documents/{doc.number}/rev/{rev.seq}/edit/", {"content": "tampered"})
    assert r.status_code == 409 and "frozen" in r.content.decode()
    rev.refresh_from_db()
    assert "tampered" not in rev.content


@pytest.mark.django_db
def test_other_author_cannot_edit_someone_elses_draft(author, client_for):
    other = UserFactory(username="author2", roles=[Role.AUTHOR, Role.STAFF])
    rev = make_draft(author).latest_revision
    r = client_for(other).post(f"/documents/{rev.document.number}/rev/1/edit/", {"content": "mine now"})
    assert r.status_code == 403
    rev.refresh_from_db()
    assert rev.content.startswith("# Purpose")


@pytest.mark.django_db
def test_tampered_sign_post_by_a_non_signer_is_refused(author, approver, client_for, password):
    other_approver = UserFactory(username="approver3", roles=[Role.APPROVER])
    rev = make_draft(author).latest_revision
    submit(author, rev, [approver])
    r = client_for(other_approver).post(f"/documents/{rev.document.number}/rev/1/sign/", {
        "username": "approver3", "password": password, "outcome": "approved", "significance": "significant"})
    assert r.status_code == 403
    rev.refresh_from_db()
    assert rev.status == Revision.Status.IN_REVIEW and not Decision.objects.exists()


@pytest.mark.django_db
def test_author_posting_approve_gets_403(author, approver, client_for, password):
    rev = make_draft(author).latest_revision
    submit(author, rev, [approver])
    r = client_for(author).post(f"/documents/{rev.document.number}/rev/1/sign/", {
        "username": "author", "password": password, "outcome": "approved", "significance": "significant"})
    assert r.status_code == 403
    rev.refresh_from_db()
    assert rev.status == Revision.Status.IN_REVIEW


@pytest.mark.django_db
def test_signing_with_someone_elses_user_name_is_refused(author, approver, client_for, password):
    rev = make_draft(author).latest_revision
    submit(author, rev, [approver])
    r = client_for(approver).post(f"/documents/{rev.document.number}/rev/1/sign/", {
        "username": "author", "password": password, "outcome": "approved", "significance": "significant"})
    assert r.status_code == 400 and "Sign with your own user name" in r.content.decode()
    rev.refresh_from_db()
    assert rev.status == Revision.Status.IN_REVIEW


@pytest.mark.django_db
def test_wrong_password_in_the_form_is_a_clear_error(author, approver, client_for):
    rev = make_draft(author).latest_revision
    submit(author, rev, [approver])
    r = client_for(approver).post(f"/documents/{rev.document.number}/rev/1/sign/", {
        "username": "approver", "password": "nope", "outcome": "approved", "significance": "significant",
        **shown(rev)})
    assert r.status_code == 400 and "password is not correct" in r.content.decode()
    rev.refresh_from_db()
    assert rev.status == Revision.Status.IN_REVIEW


@pytest.mark.django_db
def test_sign_through_the_form_makes_the_revision_effective(author, approver, client_for, password):
    rev = make_draft(author).latest_revision
    submit(author, rev, [approver])
    r = client_for(approver).post(f"/documents/{rev.document.number}/rev/1/sign/", {
        "username": "approver", "password": password, "outcome": "approved", "significance": "significant",
        "comment": "OK", **shown(rev)})
    assert r.status_code == 302
    rev.refresh_from_db()
    assert rev.status == Revision.Status.EFFECTIVE


@pytest.mark.django_db
def test_submit_through_the_form(author, approver, client_for):
    rev = make_draft(author).latest_revision
    r = client_for(author).post(f"/documents/{rev.document.number}/rev/1/submit/", {
        "step1_kind": "", "step1_mode": "all", "step2_kind": "approve", "step2_mode": "any",
        "step2_users": [approver.pk], "step3_kind": "", "step3_mode": "all"})
    assert r.status_code == 302
    rev.refresh_from_db()
    assert rev.status == Revision.Status.IN_REVIEW
    assert rev.route_steps.get().mode == "any"


@pytest.mark.django_db
def test_submit_without_an_approver_is_a_clear_error(author, staff, client_for):
    rev = make_draft(author).latest_revision
    r = client_for(author).post(f"/documents/{rev.document.number}/rev/1/submit/", {
        "step1_kind": "review", "step1_mode": "all", "step1_users": [staff.pk], "step2_kind": "", "step2_mode": "all",
        "step3_kind": "", "step3_mode": "all"})
    assert r.status_code == 400 and "approval step" in r.content.decode()
    rev.refresh_from_db()
    assert rev.status == Revision.Status.DRAFT


@pytest.mark.django_db
def test_obsolete_form_without_reason(author, approver, client_for):
    doc = make_effective(author, approver)
    r = client_for(author).post(f"/documents/{doc.number}/obsolete/", {"reason": ""})
    assert r.status_code == 400
    doc.refresh_from_db()
    assert doc.effective_revision is not None


@pytest.mark.django_db
def test_new_revision_form_requires_summary_and_reason(author, approver, client_for):
    doc = make_effective(author, approver)
    r = client_for(author).post(f"/documents/{doc.number}/revisions/new/", {"change_summary": "", "change_reason": ""})
    assert r.status_code == 200 and r.content.decode().count("This field is required") == 2
    assert doc.revisions.count() == 1
    r = client_for(author).post(f"/documents/{doc.number}/revisions/new/",
                                {"change_summary": "New torque values", "change_reason": "CAPA-12"})
    assert r.status_code == 302 and doc.revisions.count() == 2


@pytest.mark.django_db
def test_markdown_is_sanitised_on_the_document_page(author, approver, staff, client_for):
    doc = make_effective(author, approver,
                         content="# Title\n<script>alert('x')</script>\n\n[link](javascript:alert(1))\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    body = client_for(staff).get(doc.get_absolute_url()).content.decode()
    assert "<h1>Title</h1>" in body and "<table>" in body
    assert "<script>alert" not in body and "javascript:alert" not in body


@pytest.mark.django_db
def test_preview_renders_sanitised_markdown(author, client_for):
    r = client_for(author).post("/documents/preview/", {"content": "**bold** <img src=x onerror=alert(1)>"})
    body = r.content.decode()
    assert "<strong>bold</strong>" in body and "onerror" not in body


@pytest.mark.django_db
def test_other_author_cannot_add_signers_to_someone_elses_route(author, approver, client_for):
    other = UserFactory(username="author4", roles=[Role.AUTHOR, Role.STAFF])
    rev = make_draft(author).latest_revision
    submit(author, rev, [approver])
    step = rev.route_steps.get()
    r = client_for(other).post(f"/documents/{rev.document.number}/rev/1/signers/", {"step": step.pk, "user": other.pk})
    assert r.status_code == 403
    assert step.signers.count() == 1


@pytest.mark.django_db
def test_add_signer_with_a_step_of_another_revision_is_refused(author, approver, client_for):
    rev_a = make_draft(author, title="A").latest_revision
    rev_b = make_draft(author, title="B").latest_revision
    submit(author, rev_a, [approver])
    submit(author, rev_b, [approver])
    foreign_step = rev_b.route_steps.get()
    r = client_for(author).post(f"/documents/{rev_a.document.number}/rev/1/signers/",
                                {"step": foreign_step.pk, "user": approver.pk})
    assert r.status_code == 302
    assert foreign_step.signers.count() == 1 and rev_a.route_steps.get().signers.count() == 1


@pytest.mark.django_db
def test_admin_lists_documents_but_never_deletes_them(author, approver, client_for):
    admin_user = UserFactory(username="root", is_staff=True, is_superuser=True)
    doc = make_effective(author, approver)
    c = client_for(admin_user)
    assert c.get("/admin/documents/document/").status_code == 200
    assert c.get("/admin/documents/documenttype/").status_code == 200
    assert c.get(f"/admin/documents/document/{doc.pk}/delete/").status_code == 403
    assert Document.objects.filter(pk=doc.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["<script>alert(1)</script>", "SOP/QA/001", "SOP QA 1", "SOP-?-1"])
def test_a_chosen_number_that_cannot_sit_in_a_link_is_a_form_error(quality_manager, client_for, number):
    """Found by tests/qms/test_fuzz_forms.py: a "/" in the number made the redirect to the new document a 500."""
    r = client_for(quality_manager).post("/documents/new/", create_payload(number=number))
    assert r.status_code == 200 and "Use only letters, digits" in r.content.decode()
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_the_service_refuses_a_number_that_cannot_sit_in_a_link(quality_manager):
    from qms.errors import DomainError

    with pytest.raises(DomainError, match="letters, digits"):
        make_draft(quality_manager, number="SOP/QA/9")
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_a_damaged_opened_stamp_on_the_details_form_says_so(author, approver, client_for):
    """Found by tests/qms/test_fuzz_forms.py: the hidden field's error was dropped
    (the page re-rendered with no message and nothing saved)."""
    doc = make_effective(author, approver)
    r = client_for(author).post(f"/documents/{doc.number}/edit/", {
        "title": "New title", "owner": author.pk, "reason": "Typo", "opened": "NaN"})
    assert r.status_code == 200 and "This form is damaged or out of date" in r.content.decode()
    doc.refresh_from_db()
    assert doc.title != "New title"
