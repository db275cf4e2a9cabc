"""Evidence files chosen on a record form survive a validation error (issue 12):
checked and staged through qms.uploads, shown as attached, removable, and the
record's evidence (same SHA-256) once the form is saved."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from records import staging
from records.models import Evidence, Record, StagedUpload
from tests.records.factories import GOOD, PDF_BYTES, make_record, pdf_upload

pytestmark = pytest.mark.django_db

PDF_SHA = hashlib.sha256(PDF_BYTES).hexdigest()


def _form(**extra):
    return {**GOOD, "sealed": "on", "action": "submit", **extra}


def _staged_tokens(html: str) -> list[str]:
    return re.findall(r'name="staged" value="([0-9a-f-]{36})"', html)


def test_files_survive_a_validation_error_and_become_the_records_evidence(client_for, staff, cal_type, media,
                                                                          django_capture_on_commit_callbacks):
    client = client_for(staff)
    response = client.post("/records/new/CAL/", _form(deviation="99", evidence=[pdf_upload("cal-cert.pdf")]))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Ensure this value is less than or equal to 5" in html
    assert "Files attached (kept from your last attempt)" in html and "cal-cert.pdf" in html
    tokens = _staged_tokens(html)
    assert len(tokens) == 1 and not Record.objects.exists()
    staged = StagedUpload.objects.get()
    assert staged.user == staff and staged.sha256 == PDF_SHA and staged.expires_at > timezone.now()

    with django_capture_on_commit_callbacks(execute=True):  # no file chosen again
        response = client.post("/records/new/CAL/", _form(staged_seen=tokens, staged=tokens))
    assert response.status_code == 302
    record = Record.objects.get()
    assert record.status == "submitted"
    ev = record.evidence.get()
    assert ev.original_name == "cal-cert.pdf" and ev.sha256 == PDF_SHA and ev.uploaded_by == staff
    assert ev.file.startswith(f"records/{record.pk}/")
    with default_storage.open(ev.file, "rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == PDF_SHA
    assert not StagedUpload.objects.exists()
    assert not default_storage.exists(staged.file)  # the staging copy is gone


def test_a_staged_file_answers_a_required_file_field(client_for, staff, media):
    from tests.records.factories import ALL_FIELDS, make_type

    fields = [dict(d, required=True) if d["key"] == "certificate" else d for d in ALL_FIELDS]
    make_type("CRT", fields=fields)
    client = client_for(staff)
    response = client.post("/records/new/CRT/", _form(instrument="", certificate=pdf_upload("cert.pdf")))
    assert response.status_code == 400
    html = response.content.decode()
    assert "cert.pdf" in html and "(for “Certificate”)" in html
    tokens = _staged_tokens(html)
    response = client.post("/records/new/CRT/", _form(staged_seen=tokens, staged=tokens))
    assert response.status_code == 302
    ev = Record.objects.get().evidence.get()
    assert ev.field_key == "certificate" and ev.sha256 == PDF_SHA


def test_unticking_a_staged_file_removes_it(client_for, staff, cal_type, media, django_capture_on_commit_callbacks):
    client = client_for(staff)
    html = client.post("/records/new/CAL/", _form(instrument="", evidence=[pdf_upload("a.pdf"), pdf_upload("b.pdf")])
                       ).content.decode()
    tokens = _staged_tokens(html)
    assert len(tokens) == 2
    removed = StagedUpload.objects.get(original_name="a.pdf")
    keep = [t for t in tokens if t != str(removed.token)]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/records/new/CAL/", _form(instrument="", staged_seen=tokens, staged=keep))
    assert response.status_code == 400  # still invalid: the kept file stays shown, the other is gone
    html = response.content.decode()
    assert "b.pdf" in html and "a.pdf" not in html
    assert list(StagedUpload.objects.values_list("original_name", flat=True)) == ["b.pdf"]
    assert not default_storage.exists(removed.file)
    response = client.post("/records/new/CAL/", _form(staged_seen=keep, staged=keep))
    assert response.status_code == 302
    assert [e.original_name for e in Record.objects.get().evidence.all()] == ["b.pdf"]


def test_a_refused_file_is_not_staged_and_says_why(client_for, staff, cal_type, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("report.pdf", b"<html>not a pdf</html>")
    response = client_for(staff).post("/records/new/CAL/", _form(instrument="", evidence=[fake, pdf_upload("ok.pdf")]))
    html = response.content.decode()
    assert response.status_code == 400 and "does not look like a .pdf" in html
    assert list(StagedUpload.objects.values_list("original_name", flat=True)) == ["ok.pdf"]


def test_someone_elses_staged_file_cannot_be_attached(client_for, staff, author, cal_type, media):
    html = client_for(staff).post("/records/new/CAL/", _form(instrument="", evidence=[pdf_upload()])).content.decode()
    tokens = _staged_tokens(html)
    response = client_for(author).post("/records/new/CAL/", _form(staged_seen=tokens, staged=tokens))
    assert response.status_code == 302
    assert not Evidence.objects.exists()
    assert StagedUpload.objects.get().user == staff  # not removed by the other user's post either


def test_staged_files_are_tied_to_the_session(client_for, staff, cal_type, media):
    html = client_for(staff).post("/records/new/CAL/", _form(instrument="", evidence=[pdf_upload()])).content.decode()
    tokens = _staged_tokens(html)
    other_session = client_for(staff)  # the same user logged in elsewhere
    assert other_session.post("/records/new/CAL/", _form(staged_seen=tokens, staged=tokens)).status_code == 302
    assert not Evidence.objects.exists()


def test_expired_staged_files_are_not_attached_and_are_purged(client_for, staff, cal_type, media,
                                                              django_capture_on_commit_callbacks):
    client = client_for(staff)
    html = client.post("/records/new/CAL/", _form(instrument="", evidence=[pdf_upload()])).content.decode()
    tokens = _staged_tokens(html)
    staged = StagedUpload.objects.get()
    StagedUpload.objects.filter(pk=staged.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert client.post("/records/new/CAL/", _form(staged_seen=tokens, staged=tokens)).status_code == 302
    assert not Evidence.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert staging.purge_expired() == 1
    assert not StagedUpload.objects.exists() and not default_storage.exists(staged.file)


def test_files_kept_while_editing_a_draft(client_for, staff, cal_type, media):
    draft = make_record(staff, cal_type, submit=False)
    client = client_for(staff)
    response = client.post(f"/records/{draft.number}/edit/", _form(result="", evidence=[pdf_upload("draft.pdf")]))
    assert response.status_code == 400
    tokens = _staged_tokens(response.content.decode())
    assert StagedUpload.objects.get().record == draft
    response = client.post(f"/records/{draft.number}/edit/", _form(staged_seen=tokens, staged=tokens))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "submitted" and draft.evidence.get().sha256 == PDF_SHA
