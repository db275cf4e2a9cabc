"""Controlled copies are what they claim (issue 11 item 5): a stored base PDF
overwritten with another document's PDF is never issued. Print, manual build
and the weekly check find it by its SHA-256, quarantine it, render it afresh,
record an integrity event on the revision and tell the quality manager."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from documents import manual, renditions
from documents.models import Rendition
from qms import pdf
from qms.integrity import check_files
from qms.models import AuditEvent, Notification
from tests import pdf_helpers as h


@pytest.fixture
def tampered(author, approver):
    """Two effective SOPs; the stored PDF of the first is overwritten with the second's."""
    a = h.revision(h.document(owner=author, number="SOP-QA-501", title="Calibration of gauges"))
    b = h.revision(h.document(owner=author, number="SOP-QA-502", title="Handling of complaints"))
    ra, _ = renditions.ensure_rendition(a)
    rb, _ = renditions.ensure_rendition(b)
    with default_storage.open(rb.file.name, "rb") as fh:
        other = fh.read()
    default_storage.delete(ra.file.name)
    default_storage.save(ra.file.name, ContentFile(other))
    return a, ra, other


def _assert_quarantined(rev, rendition, other, quality_manager):
    event = AuditEvent.objects.get(verb="integrity.changed", object_id=str(rev.pk), data__has_key="found_sha256")
    assert event.data["found_sha256"] == hashlib.sha256(other).hexdigest()
    assert event.data["quarantined_as"].startswith("quarantine/")
    assert Notification.objects.filter(user=quality_manager, title__contains="SOP-QA-501").exists()
    rendition.refresh_from_db()
    with default_storage.open(rendition.file.name, "rb") as fh:
        fresh = fh.read()
    assert hashlib.sha256(fresh).hexdigest() == rendition.sha256
    assert "SOP-QA-501" in pdf.extract_text(fresh)[0]


@pytest.mark.django_db
def test_print_serves_a_fresh_correct_copy_of_a_tampered_rendition(tampered, staff, quality_manager, client_for):
    rev, rendition, other = tampered
    r = client_for(staff).post(f"/documents/revisions/{rev.pk}/print/")
    assert r.status_code == 200, r
    text = pdf.extract_text(r.content)[0]
    assert "SOP-QA-501" in text and "Calibration of gauges" in text
    assert "SOP-QA-502" not in text
    _assert_quarantined(rev, rendition, other, quality_manager)


@pytest.mark.django_db
def test_manual_build_uses_a_fresh_correct_copy_of_a_tampered_rendition(tampered, quality_manager):
    rev, rendition, other = tampered
    build = manual.build_manual(actor=quality_manager)
    with default_storage.open(build.file.name, "rb") as fh:
        text = "\n".join(pdf.extract_text(fh.read()))
    assert text.count("Calibration of gauges") >= 2  # contents line and the document's own pages
    _assert_quarantined(rev, rendition, other, quality_manager)


@pytest.mark.django_db
def test_weekly_check_quarantines_and_renders_again(tampered, quality_manager):
    rev, rendition, other = tampered
    report = check_files()
    assert [(p.model, p.pk) for p in report.problems] == [("documents.Rendition", rendition.pk)]
    _assert_quarantined(rev, rendition, other, quality_manager)
    assert check_files().ok  # nothing left to issue that is not what it claims
    assert Rendition.objects.filter(revision=rev).count() == 1


@pytest.mark.django_db
def test_a_tampered_manual_build_is_never_issued(author, approver, quality_manager, client_for):
    a = h.revision(h.document(owner=author, number="SOP-QA-601", title="Calibration of gauges"))
    renditions.ensure_rendition(a)
    build = manual.build_manual(actor=quality_manager)
    good = client_for(quality_manager).get(f"/documents/manual/{build.manual_revision}/download/")
    assert good.status_code == 200
    with default_storage.open(build.file.name, "rb") as fh:
        original = fh.read()
    default_storage.delete(build.file.name)
    default_storage.save(build.file.name, ContentFile(original[:-200] + b"tampered"))

    bad = client_for(quality_manager).get(f"/documents/manual/{build.manual_revision}/download/")
    assert bad.status_code == 409
    assert "cannot be issued" in bad.content.decode()
    assert b"%PDF" not in bad.content
    event = AuditEvent.objects.get(verb="integrity.changed", object_id=str(build.pk))
    assert event.data["quarantined_as"].startswith("quarantine/")
    assert Notification.objects.filter(user=quality_manager, title__contains="stored file changed").exists()
    assert client_for(quality_manager).get(f"/documents/manual/{build.manual_revision}/download/").status_code == 409


@pytest.mark.django_db
def test_weekly_check_quarantines_a_tampered_manual_build(author, quality_manager):
    a = h.revision(h.document(owner=author, number="SOP-QA-602", title="Deburring"))
    renditions.ensure_rendition(a)
    build = manual.build_manual(actor=quality_manager)
    default_storage.delete(build.file.name)
    default_storage.save(build.file.name, ContentFile(b"%PDF-1.4 not the manual"))
    report = check_files()
    assert [(p.model, p.pk) for p in report.problems] == [("documents.ManualBuild", build.pk)]
    assert report.problems[0].kind == "changed" and "quarantined" in report.problems[0].done
    assert not default_storage.exists(build.file.name)  # nothing left to issue
