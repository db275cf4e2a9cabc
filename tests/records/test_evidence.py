"""Evidence files (REC-04): allow-list, size limit, SHA-256 of the stored
bytes, safe names, permission-checked download, never replaced."""

import hashlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from qms.models import AuditEvent
from records.models import Evidence, Record
from tests.records.factories import GOOD, PDF_BYTES, make_record, pdf_upload

pytestmark = pytest.mark.django_db


def _post(client, url, files, action="submit", **extra):
    data = {k: v for k, v in GOOD.items()}
    data.update({"sealed": "on", "action": action, "evidence": files, **extra})
    return client.post(url, data)


def test_upload_with_the_form_stores_hash_of_the_stored_bytes(client_for, staff, cal_type, media):
    response = _post(client_for(staff), "/records/new/CAL/", [pdf_upload("cert-1.pdf"), pdf_upload("cert-2.pdf")])
    assert response.status_code == 302
    record = Record.objects.get()
    assert record.status == "submitted"
    files = list(record.evidence.order_by("original_name"))
    assert [f.original_name for f in files] == ["cert-1.pdf", "cert-2.pdf"]
    for ev in files:
        with default_storage.open(ev.file, "rb") as fh:
            stored = fh.read()
        assert ev.sha256 == hashlib.sha256(stored).hexdigest() == hashlib.sha256(PDF_BYTES).hexdigest()
        assert ev.size == len(PDF_BYTES) and ev.content_type == "application/pdf"
        assert ev.file.startswith(f"records/{record.pk}/") and "cert" not in ev.file  # random storage name


def test_disallowed_type_is_refused_and_nothing_is_created(client_for, staff, cal_type, media):
    bad = SimpleUploadedFile("macro.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = _post(client_for(staff), "/records/new/CAL/", [bad])
    assert response.status_code == 400
    assert ".exe are not accepted" in response.content.decode()
    assert not Record.objects.exists() and not Evidence.objects.exists()


def test_file_pretending_to_be_pdf_is_refused(client_for, staff, cal_type, media):
    fake = SimpleUploadedFile("report.pdf", b"<html>not a pdf</html>")
    response = _post(client_for(staff), "/records/new/CAL/", [fake])
    assert response.status_code == 400 and "does not look like a .pdf" in response.content.decode()
    assert not Record.objects.exists()


def test_oversized_file_is_refused(client_for, staff, cal_type, media, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    response = _post(client_for(staff), "/records/new/CAL/", [pdf_upload(size=4096)])
    assert response.status_code == 400 and "the limit is" in response.content.decode()
    assert not Record.objects.exists() and not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system.pdf", "system.pdf"),
        ("a" * 400 + ".pdf", "a" * 116 + ".pdf"),
        ("Prüfbericht_Ø25_µm_测试_\u202e.pdf", "Prüfbericht_Ø25_µm_测试_.pdf"),
        ("CON:..pdf", "CON..pdf"),
    ],
)
def test_path_trick_names_are_stored_safely(staff, cal_type, media, name, expected):
    record = make_record(staff, cal_type, evidence=[pdf_upload(name)])
    ev = record.evidence.get()
    assert ev.original_name == expected
    assert "/" not in ev.original_name and "\\" not in ev.original_name
    assert ".." not in ev.file and "\\" not in ev.file and len(ev.file.rsplit("/", 1)[-1]) < 60
    assert default_storage.exists(ev.file)
    if hasattr(default_storage, "path") and type(default_storage._wrapped).__name__ == "FileSystemStorage":
        stored_path = (media / ev.file).resolve()  # on disk: inside the media folder
        assert str(stored_path).startswith(str(media.resolve())) and stored_path.exists()


def test_name_of_dots_only_is_refused_with_a_message(staff, cal_type, media):
    from qms.errors import DomainError

    with pytest.raises(DomainError, match="not accepted"):
        make_record(staff, cal_type, evidence=[pdf_upload("....pdf")])
    assert not Evidence.objects.exists()


def test_download_is_permission_checked(client_for, staff, author, auditor, outsider, external_auditor, cal_type, media):
    record = make_record(staff, cal_type, evidence=[pdf_upload()])
    url = f"/records/evidence/{record.evidence.get().pk}/download/"
    ok = client_for(staff).get(url)
    assert ok.status_code == 200 and b"".join(ok.streaming_content) == PDF_BYTES
    assert 'filename="certificate.pdf"' in ok["Content-Disposition"]
    assert client_for(auditor).get(url).status_code == 200
    assert client_for(external_auditor).get(url).status_code == 200
    assert client_for(author).get(url).status_code == 404  # another staff member's record
    assert client_for(outsider).get(url).status_code == 404


def test_evidence_is_only_added_after_submission(client_for, staff, cal_type, media):
    record = make_record(staff, cal_type, evidence=[pdf_upload("first.pdf")])
    client = client_for(staff)
    response = client.post(f"/records/{record.number}/evidence/", {"evidence": [pdf_upload("second.pdf")]})
    assert response.status_code == 302
    assert sorted(record.evidence.values_list("original_name", flat=True)) == ["first.pdf", "second.pdf"]
    assert AuditEvent.objects.filter(verb="record.evidence_added", object_id=str(record.pk)).exists()


def test_other_users_cannot_add_or_supersede_evidence(client_for, staff, author, cal_type, media):
    record = make_record(staff, cal_type, evidence=[pdf_upload()])
    ev = record.evidence.get()
    assert client_for(author).post(f"/records/{record.number}/evidence/", {"evidence": [pdf_upload()]}).status_code == 404
    assert client_for(author).post(f"/records/evidence/{ev.pk}/supersede/", {"reason": "x"}).status_code == 404
    ev.refresh_from_db()
    assert record.evidence.count() == 1 and not ev.is_superseded


def test_supersede_through_the_page(client_for, staff, cal_type, media):
    record = make_record(staff, cal_type, evidence=[pdf_upload()])
    ev = record.evidence.get()
    client = client_for(staff)
    client.post(f"/records/evidence/{ev.pk}/supersede/", {"reason": ""})
    ev.refresh_from_db()
    assert not ev.is_superseded
    client.post(f"/records/evidence/{ev.pk}/supersede/", {"reason": "Blurred scan"})
    ev.refresh_from_db()
    assert ev.is_superseded
    page = client.get(record.get_absolute_url()).content.decode()
    assert "superseded" in page and "Blurred scan" in page


def test_required_file_field_needs_a_file_to_submit(client_for, staff, media):
    from tests.records.factories import make_type

    rt = make_type("CRT", fields=[{"key": "cert", "label": "Certificate", "type": "file", "required": True}])
    client = client_for(staff)
    response = client.post("/records/new/CRT/", {"action": "submit"})
    assert response.status_code == 400 and not Record.objects.exists()
    response = client.post("/records/new/CRT/", {"action": "submit", "cert": pdf_upload("c.pdf")})
    assert response.status_code == 302
    record = Record.objects.get()
    assert record.status == "submitted" and record.evidence.get().field_key == "cert"
    assert rt.pk == record.record_type_id
