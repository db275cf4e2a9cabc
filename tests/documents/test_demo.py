"""The demo set loads through the services with 18 months of history, covers
every state, and is idempotent."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from auditor import asof
from documents import demo
from documents.models import Acknowledgement, Document, PeriodicReview, Revision
from documents.services import add_months
from qms.demo import go_live, months_before, seed_core
from qms.models import AuditEvent, Signature
from tests.factories import ensure_reference_data

S = Revision.Status
pytestmark = pytest.mark.django_db


def _months(a, b) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def test_demo_documents_cover_every_state_with_a_believable_past_and_are_idempotent():
    ensure_reference_data()  # a transactional test before may have flushed the roles and types
    users = seed_core()
    out = io.StringIO()
    demo.seed(users=users, stdout=out)
    today = timezone.localdate()
    count = Document.objects.count()
    assert count == len(demo.DOCS) + len(demo.EXTERNAL)
    statuses = set(Revision.objects.values_list("status", flat=True))
    assert statuses == {S.DRAFT, S.IN_REVIEW, S.EFFECTIVE, S.SUPERSEDED, S.OBSOLETE}
    assert Document.objects.filter(number="FRM-QA-001", title="Nonconformity report").exists()
    assert Document.objects.filter(doc_type__code="EXT", issuer="ISO").count() == 2

    # Released at go-live and revised since: effective dates span at least 15 months, none in the future.
    dates = sorted(Revision.objects.exclude(effective_date=None).values_list("effective_date", flat=True))
    assert dates[0] >= go_live(today) and dates[-1] <= today
    assert _months(dates[0], dates[-1]) >= 15
    assert not AuditEvent.objects.filter(created_at__gt=timezone.now()).exists()
    # Signatures were made when the revisions were approved, not at seeding.
    approval = Signature.objects.filter(meaning="approved").order_by("signed_at").first()
    assert approval.signed_at.date() < months_before(today, 15)

    # The as-of view a year ago: the register as it stood, with the revisions then in force.
    qm = users["qm"]
    year_ago = months_before(today, 12)
    then = list(asof.document_register(qm, year_ago))
    in_force = asof.revisions_in_force([d.id for d in then], year_ago)
    assert len(then) >= 15 and len(in_force) >= 15
    assert not asof.document_register(qm, go_live(today) - timedelta(days=1)).exists()  # before go-live: nothing
    superseded = Revision.objects.filter(status=S.SUPERSEDED).first()
    assert in_force[superseded.document_id].seq == superseded.seq  # a year ago the old revision was in force

    # Periodic reviews: some on time, some late; the overdue ones were released long ago, not today.
    reviews = [(r.reviewed_at.date(), add_months(r.revision.effective_date, r.document.interval_months))
               for r in PeriodicReview.objects.select_related("document__doc_type", "revision")]
    assert any(done <= due for done, due in reviews) and any(done > due for done, due in reviews)
    overdue = list(Document.objects.review_overdue(today).select_related("effective_revision"))
    assert len(overdue) >= 3
    assert all(d.effective_revision.effective_date < months_before(today, 12) for d in overdue)

    # Acknowledgements: most on time, some late, a few overdue now.
    done = list(Acknowledgement.objects.exclude(acknowledged_at=None))
    late = [a for a in done if a.acknowledged_at.date() > a.due_date]
    assert len(done) >= 50 and 0 < len(late) < len(done) // 3
    assert Acknowledgement.objects.filter(acknowledged_at=None, cancelled_at=None, due_date__lt=today).exists()

    demo.seed(users=users, stdout=out)
    assert Document.objects.count() == count
    assert "already present" in out.getvalue()
