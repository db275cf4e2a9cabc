"""File integrity check: a stored file whose bytes changed, or that went
missing, is named, recorded on its object's trail and reported to the QM."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from qms.integrity import check_files
from qms.models import AuditEvent, Notification
from qms.tasks import check_file_integrity
from tests.documents.factories import make_draft, pdf_upload
from tests.records.factories import make_record, make_type
from tests.records.factories import pdf_upload as record_pdf


@pytest.mark.django_db
def test_intact_files_pass_and_changed_or_missing_ones_are_flagged(author, staff, quality_manager):
    doc = make_draft(author, pdf=pdf_upload())
    revision = doc.latest_revision
    record = make_record(staff, make_type("CAL", verification_required=False), evidence=[record_pdf("cert.pdf")])
    evidence = record.evidence.get()
    report = check_files()
    assert report.ok and report.checked >= 2
    call_command("verify_files")

    # Someone edits the stored evidence behind the application's back, and deletes the document's PDF.
    default_storage.delete(evidence.file)
    default_storage.save(evidence.file, ContentFile(b"%PDF-1.4 forged certificate"))
    default_storage.delete(revision.pdf_file)
    assert check_file_integrity.apply().get() == 2
    kinds = {(e.verb, e.object_id) for e in AuditEvent.objects.filter(verb__startswith="integrity.")}
    assert kinds == {("integrity.changed", str(evidence.pk)), ("integrity.missing", str(revision.pk))}
    assert Notification.objects.filter(user=quality_manager, title__contains="2 problems").exists()
    with pytest.raises(CommandError):
        call_command("verify_files")


@pytest.mark.django_db
def test_the_notification_reads_in_the_quality_managers_language(author, quality_manager):
    """Issue 20: each line of the report was English ("… missing") whatever the reader's language."""
    from django.utils import translation

    from qms import stored_text

    doc = make_draft(author, pdf=pdf_upload())
    default_storage.delete(doc.latest_revision.pdf_file)
    check_files()
    note = Notification.objects.get(user=quality_manager, title__contains="problem")
    assert note.body.endswith(f"{doc.latest_revision.pdf_file} is missing")  # the English of the record
    with translation.override("de"):
        assert stored_text.display(note, "body").endswith(f"{doc.latest_revision.pdf_file} fehlt")
        assert stored_text.display(note, "title") == "Prüfung der Dateiintegrität: 1 Problem"
