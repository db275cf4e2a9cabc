"""Periodic review (DOC-14): signed "no change needed" resets the clock; "revise" opens a draft."""

from datetime import date

import pytest
from freezegun import freeze_time

from documents import selectors, services
from documents.models import PeriodicReview, Revision
from qms import dashboard
from qms.errors import PermissionRefused, SignatureRefused
from qms.models import AuditEvent, Signature
from tests.documents.factories import make_effective


@pytest.fixture
def old_document(author, approver):
    with freeze_time("2023-01-10"):
        return make_effective(author, approver, code="POL", title="Quality policy")  # 24 months


@pytest.mark.django_db
def test_next_review_date_comes_from_the_interval(old_document):
    assert old_document.next_review_date == date(2025, 1, 10)


@pytest.mark.django_db
def test_overdue_list_for_quality_manager_and_owner(old_document, author, quality_manager, staff):
    with freeze_time("2025-01-10"):
        assert not selectors.review_overdue(quality_manager).exists()
    with freeze_time("2025-01-11"):
        assert list(selectors.review_overdue(quality_manager)) == [old_document]
        assert list(selectors.review_overdue(author)) == [old_document]  # the owner
        assert not selectors.review_overdue(staff).exists()
        section = {s.key: s for s in dashboard.sections_for(quality_manager)}["documents.review_overdue"]
        assert section.items[0].overdue and old_document.number in section.items[0].label


@pytest.mark.django_db
def test_no_change_needed_is_signed_and_resets_the_clock(old_document, author, password):
    with freeze_time("2025-02-01"):
        review = services.document_periodic_review(actor=author, document=old_document, password=password,
                                                   outcome="no_change", comment="Still accurate")
    old_document.refresh_from_db()
    assert old_document.next_review_date == date(2027, 2, 1)
    assert review.signature.meaning == Signature.Meaning.PERIODIC_REVIEW
    assert old_document.effective_revision.seq == 1  # the revision is kept
    assert AuditEvent.objects.filter(verb="document.reviewed", object_id=str(old_document.pk)).exists()


@pytest.mark.django_db
def test_revise_opens_a_new_draft(old_document, author, password):
    services.document_periodic_review(actor=author, document=old_document, password=password, outcome="revise",
                                      comment="New ISO edition")
    draft = old_document.revisions.get(status=Revision.Status.DRAFT)
    assert draft.change_reason == "New ISO edition"
    assert PeriodicReview.objects.get().outcome == "revise"


@pytest.mark.django_db
def test_wrong_password_or_wrong_person_changes_nothing(old_document, staff, author):
    with pytest.raises(SignatureRefused):
        services.document_periodic_review(actor=author, document=old_document, password="x", outcome="no_change")
    with pytest.raises(PermissionRefused):
        services.document_periodic_review(actor=staff, document=old_document, password="correct-horse-battery-9",
                                          outcome="no_change")
    old_document.refresh_from_db()
    assert old_document.next_review_date == date(2025, 1, 10)
    assert not PeriodicReview.objects.exists()
