"""The import pages: upload → dry-run report → run; bad uploads are form errors; only the QM."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.models import Document
from intake.models import ImportRun
from intake.services import create_run
from tests.intake.files import csv_bytes, row, standard_set, zip_of

pytestmark = pytest.mark.django_db


def _upload(rows, files, name="register.csv"):
    return {"register": SimpleUploadedFile(name, csv_bytes(rows), content_type="text/csv"),
            "files": SimpleUploadedFile("files.zip", zip_of(files), content_type="application/zip")}


def test_upload_dry_run_then_run(quality_manager, qa, client_for, django_capture_on_commit_callbacks):
    c = client_for(quality_manager)
    assert c.get("/intake/").status_code == 200
    assert "Import an existing QMS" in c.get("/").content.decode()  # the menu entry
    rows, files = standard_set()
    r = c.post("/intake/documents/new/", _upload(rows, files))
    assert r.status_code == 302
    run = ImportRun.objects.get()
    page = c.get(r["Location"]).content.decode()
    assert "create document SOP-QA-007, revision 00" in page and "Run the import" in page
    assert not Document.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert c.post(f"/intake/{run.pk}/start/").status_code == 302
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE and Document.objects.count() == 2
    page = c.get(f"/intake/{run.pk}/").content.decode()
    assert "Imported: 2 documents, 4 revisions, 4 signatures" in page
    assert c.post(f"/intake/{run.pk}/start/", follow=True).status_code == 200  # twice: refused with a message


def test_a_blocked_run_shows_its_problems_and_cannot_start(quality_manager, qa, client_for):
    c = client_for(quality_manager)
    c.post("/intake/documents/new/", _upload([row(file="gone.docx")], {}))
    run = ImportRun.objects.get()
    page = c.get(f"/intake/{run.pk}/").content.decode()
    assert "is not in the ZIP file" in page and "Run the import" not in page
    r = c.post(f"/intake/{run.pk}/start/", follow=True)
    assert "problem" in r.content.decode() and not Document.objects.exists()


@pytest.mark.parametrize("name", ["register.exe", "register.docx"])
def test_a_register_that_is_no_table_is_a_form_error(quality_manager, qa, client_for, name):
    c = client_for(quality_manager)
    r = c.post("/intake/documents/new/", _upload([row()], {}, name=name))
    assert r.status_code == 200 and "must be a .csv or .xlsx file" in r.content.decode()
    assert not ImportRun.objects.exists()


def test_files_must_be_a_zip(quality_manager, qa, client_for):
    c = client_for(quality_manager)
    data = _upload([row()], {})
    data["files"] = SimpleUploadedFile("files.rar", b"Rar!", content_type="application/octet-stream")
    r = c.post("/intake/documents/new/", data)
    assert r.status_code == 200 and "must be a .zip file" in r.content.decode()
    data = _upload([row()], {})
    data["files"] = SimpleUploadedFile("files.zip", b"not a zip at all", content_type="application/zip")
    r = c.post("/intake/documents/new/", data)
    run = ImportRun.objects.get()
    assert r.status_code == 302 and "not a valid ZIP file" in " ".join(run.report["errors"])


def test_only_the_quality_manager(author, staff, qa, client_for):
    for user in (author, staff):
        c = client_for(user)
        assert c.get("/intake/").status_code == 403
        assert c.get("/intake/documents/new/").status_code == 403
        assert c.post("/intake/documents/new/", _upload([row()], {})).status_code == 403
    assert not ImportRun.objects.exists()


def test_someone_elses_report_is_403_and_unknown_is_404(quality_manager, author, qa, client_for):
    rows, files = standard_set()
    run = create_run(actor=quality_manager, kind="documents", register_name="r.csv", register_data=csv_bytes(rows),
                     files_name="f.zip", files_data=zip_of(files))
    assert client_for(author).get(f"/intake/{run.pk}/report.csv").status_code == 403
    assert client_for(quality_manager).get("/intake/999999/").status_code == 404


def test_the_list_is_constant_in_queries(quality_manager, qa, client_for, django_assert_max_num_queries):
    c = client_for(quality_manager)
    for i in range(3):
        create_run(actor=quality_manager, kind="people", register_name=f"p{i}.csv", register_data=b"username\nx\n")
    c.get("/intake/")
    with django_assert_max_num_queries(12) as few:
        c.get("/intake/")
    for i in range(20):
        create_run(actor=quality_manager, kind="people", register_name=f"q{i}.csv", register_data=b"username\nx\n")
    with django_assert_max_num_queries(len(few.captured_queries)):
        c.get("/intake/")
