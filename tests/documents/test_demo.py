"""The demo set loads through the services, covers every state, and is idempotent."""

import io

import pytest

from documents import demo
from documents.models import Acknowledgement, Document, Revision
from qms.demo import seed_core

S = Revision.Status


@pytest.mark.django_db
def test_demo_documents_cover_every_state_and_are_idempotent():
    users = seed_core()
    out = io.StringIO()
    demo.seed(users=users, stdout=out)
    count = Document.objects.count()
    assert count == len(demo.DOCS) + len(demo.EXTERNAL)
    statuses = set(Revision.objects.values_list("status", flat=True))
    assert statuses == {S.DRAFT, S.IN_REVIEW, S.EFFECTIVE, S.SUPERSEDED, S.OBSOLETE}
    assert Document.objects.review_overdue(__import__("datetime").date.today()).count() >= 3
    assert Document.objects.filter(number="FRM-QA-001", title="Nonconformity report").exists()
    assert Document.objects.filter(doc_type__code="EXT", issuer="ISO").count() == 2
    assert Acknowledgement.objects.filter(acknowledged_at__isnull=False).exists()
    demo.seed(users=users, stdout=out)
    assert Document.objects.count() == count
