"""The documents' dashboard cards say their details in the reader's language (issue 20)."""

import pytest
from django.utils import timezone

from documents.models import Document
from tests.documents.factories import make_effective

pytestmark = pytest.mark.django_db


def test_a_read_task_and_an_overdue_review_read_in_german(author, approver, staff, quality_manager, client_for):
    doc = make_effective(author, approver, title="Messmittel", distribution_users=[staff, quality_manager])
    Document.objects.filter(pk=doc.pk).update(next_review_date=timezone.localdate() - timezone.timedelta(days=3))
    for user in (staff, quality_manager):
        user.language = "de"
        user.save(update_fields=["language"])
    html = client_for(staff).get("/").content.decode()
    assert f"Revision {doc.effective_revision.label}, fällig am" in html
    assert ", due " not in html
    qm = client_for(quality_manager).get("/").content.decode()
    assert "Überprüfung war fällig am" in qm and "review was due" not in qm
