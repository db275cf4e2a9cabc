"""Draft → In review → Approved → Effective → Superseded/Obsolete: every move, legal and illegal."""

import threading
from datetime import timedelta

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from freezegun import freeze_time

from documents import selectors, services
from documents.lifecycles import REVISION
from documents.models import Revision
from qms.errors import DomainError, IllegalTransition, PermissionRefused
from qms.models import AuditEvent
from tests.documents.factories import approve, make_draft, make_effective, new_revision, submit

S = Revision.Status
pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL trigger")


def events(obj, verb):
    return AuditEvent.objects.filter(verb=verb, object_id=str(obj.pk))


@pytest.mark.django_db
def test_full_lifecycle_writes_an_audit_event_per_transition(author, approver):
    document = make_draft(author)
    rev = document.latest_revision
    assert rev.status == S.DRAFT and rev.label == "00"
    submit(author, rev, [approver])
    rev.refresh_from_db()
    assert rev.status == S.IN_REVIEW
    assert events(rev, "revision.submitted").get().to_state == S.IN_REVIEW
    approve(approver, rev)
    rev.refresh_from_db()
    assert rev.status == S.EFFECTIVE
    assert events(rev, "revision.approved").get().to_state == S.APPROVED
    assert events(rev, "revision.effective").get().from_state == S.APPROVED
    document.refresh_from_db()
    assert document.effective_revision == rev
    assert document.next_review_date == services.add_months(timezone.localdate(), 24)

    rev2 = new_revision(author, approver, document)
    rev.refresh_from_db()
    assert (rev.status, rev2.status, rev2.label) == (S.SUPERSEDED, S.EFFECTIVE, "01")
    assert events(rev, "revision.superseded").get().to_state == S.SUPERSEDED

    services.document_make_obsolete(actor=author, document=document, reason="Process outsourced")
    rev2.refresh_from_db()
    document.refresh_from_db()
    assert rev2.status == S.OBSOLETE and document.effective_revision is None
    assert events(rev2, "revision.obsolete").get().comment == "Process outsourced"


@pytest.mark.django_db
def test_illegal_moves_are_refused_with_a_clear_message(author, approver):
    document = make_draft(author)
    rev = document.latest_revision
    # Draft cannot be approved, made effective or obsolete directly.
    with pytest.raises(IllegalTransition, match="draft"):
        services.revision_decide(actor=approver, revision=rev, password="correct-horse-battery-9",
                                 outcome="approved", significance="significant")
    with pytest.raises(DomainError):
        services.document_make_obsolete(actor=author, document=document, reason="x")
    submit(author, rev, [approver])
    with pytest.raises(IllegalTransition, match="in review"):
        submit(author, rev, [approver])
    rev.refresh_from_db()
    assert rev.status == S.IN_REVIEW


def test_allowed_dict_matches_the_lifecycle():
    moves = REVISION.moves
    assert moves[S.DRAFT] == {S.IN_REVIEW}
    assert moves[S.IN_REVIEW] == {S.DRAFT, S.APPROVED}
    assert moves[S.APPROVED] == {S.EFFECTIVE}
    assert moves[S.EFFECTIVE] == {S.SUPERSEDED, S.OBSOLETE}
    assert moves[S.SUPERSEDED] == moves[S.OBSOLETE] == set()


@pg_only
@pytest.mark.django_db
def test_database_refuses_an_illegal_status_move_made_through_the_orm(author):
    rev = make_draft(author).latest_revision
    rev.status = S.EFFECTIVE
    with pytest.raises(DatabaseError, match="cannot move"), transaction.atomic():
        rev.save()


@pytest.mark.django_db
def test_author_cannot_approve_own_revision(author, approver, password):
    rev = make_draft(author).latest_revision
    with pytest.raises(PermissionRefused, match="author"):
        submit(author, rev, [author])
    # The author is a member of a group on the approval step, but still cannot approve.
    from django.contrib.auth.models import Group

    from documents.services import StepSpec

    services.revision_submit(actor=author, revision=rev,
                             steps=[StepSpec(kind="approve", groups=[Group.objects.get(name="Author")])])
    with pytest.raises(PermissionRefused, match="author"):
        services.revision_decide(actor=author, revision=rev, password=password, outcome="approved",
                                 significance="significant")
    rev.refresh_from_db()
    assert rev.status == S.IN_REVIEW
    assert not selectors.open_signer_entries(author, rev)


@pytest.mark.django_db
def test_approved_content_is_frozen_in_the_service(author, approver):
    document = make_effective(author, approver)
    rev = document.effective_revision
    with pytest.raises(IllegalTransition, match="frozen"):
        services.revision_update_draft(actor=author, revision=rev, content="changed")
    rev.refresh_from_db()
    assert rev.content.startswith("# Purpose")


@pytest.mark.django_db
def test_in_review_content_is_frozen_too(author, approver):
    rev = make_draft(author).latest_revision
    submit(author, rev, [approver])
    with pytest.raises(IllegalTransition, match="frozen"):
        services.revision_update_draft(actor=author, revision=rev, content="sneaky")


@pg_only
@pytest.mark.django_db
def test_database_trigger_refuses_raw_sql_update_of_frozen_content(author, approver):
    rev = make_effective(author, approver).effective_revision
    with pytest.raises(DatabaseError, match="frozen"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE documents_revision SET content = 'forged' WHERE id = %s", [rev.pk])
    with pytest.raises(DatabaseError, match="frozen"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE documents_revision SET pdf_sha256 = 'x' WHERE id = %s", [rev.pk])
    rev.refresh_from_db()
    assert rev.content.startswith("# Purpose")


@pg_only
@pytest.mark.django_db
def test_raw_delete_of_a_revision_is_refused(author):
    rev = make_draft(author).latest_revision
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM documents_revision WHERE id = %s", [rev.pk])


@pytest.mark.django_db
def test_only_one_effective_revision_is_enforced_by_the_database(author, approver):
    document = make_effective(author, approver)
    with pytest.raises(IntegrityError), transaction.atomic():
        Revision.objects.create(document=document, seq=9, status=S.EFFECTIVE, created_by=author, content="x")
    assert document.revisions.filter(status=S.EFFECTIVE).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_only_one_effective_revision_under_concurrent_release(reference_data, author, approver):
    from tests.documents.factories import doc_type

    doc_type("SOP")
    document = make_effective(author, approver)
    # Two approved revisions with a future date, then released at the same moment by two workers.
    rev2 = services.revision_create_new(actor=author, document=document, change_summary="a", change_reason="b")
    future = timezone.localdate() + timedelta(days=5)
    submit(author, rev2, [approver], effective_date=future)
    approve(approver, rev2)
    rev2.refresh_from_db()
    assert rev2.status == S.APPROVED
    barrier = threading.Barrier(2)
    results = []

    def run():
        from django.db import connection as conn

        try:
            barrier.wait()
            results.append(services.apply_due_effective_dates(on=future))
        finally:
            conn.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 1]
    assert document.revisions.filter(status=S.EFFECTIVE).count() == 1
    assert document.revisions.get(status=S.EFFECTIVE) == rev2


@pytest.mark.django_db
def test_future_effective_date_keeps_previous_revision_in_force_until_that_date(author, approver):
    with freeze_time("2026-03-01"):
        document = make_effective(author, approver)
        rev1 = document.effective_revision
        rev2 = new_revision(author, approver, document, effective_date=timezone.localdate() + timedelta(days=10))
        assert rev2.status == S.APPROVED
        assert selectors.effective_revision(document) == rev1
        assert services.apply_due_effective_dates() == 0
    with freeze_time("2026-03-10"):
        assert services.apply_due_effective_dates() == 0
        assert selectors.effective_revision(document) == rev1
    with freeze_time("2026-03-11"):
        assert services.apply_due_effective_dates() == 1
        assert services.apply_due_effective_dates() == 0  # idempotent
    rev1.refresh_from_db()
    rev2.refresh_from_db()
    assert (rev1.status, rev2.status) == (S.SUPERSEDED, S.EFFECTIVE)
    assert str(rev2.effective_date) == "2026-03-11"
    from datetime import date

    assert selectors.revision_in_force_on(document, date(2026, 3, 5)) == rev1
    assert selectors.revision_in_force_on(document, date(2026, 3, 11)) == rev2
    assert selectors.revision_in_force_on(document, date(2026, 2, 1)) is None
    assert events(rev2, "revision.effective").get().actor is None  # the system switched it


@pytest.mark.django_db
def test_management_command_applies_due_dates(author, approver):
    from io import StringIO

    from django.core.management import call_command

    with freeze_time("2026-05-01"):
        document = make_effective(author, approver)
        new_revision(author, approver, document, effective_date=timezone.localdate() + timedelta(days=1))
    with freeze_time("2026-05-02"):
        out = StringIO()
        call_command("apply_effective_dates", stdout=out)
    assert "1 revision(s) made effective" in out.getvalue()


@pytest.mark.django_db
def test_obsolete_needs_a_reason(author, approver):
    document = make_effective(author, approver)
    with pytest.raises(DomainError, match="reason"):
        services.document_make_obsolete(actor=author, document=document, reason="  ")
    document.refresh_from_db()
    assert document.effective_revision.status == S.EFFECTIVE


@pytest.mark.django_db
def test_staff_cannot_make_obsolete(author, approver, staff):
    document = make_effective(author, approver)
    with pytest.raises(PermissionRefused):
        services.document_make_obsolete(actor=staff, document=document, reason="no")


@pytest.mark.django_db
def test_an_obsolete_documents_details_are_frozen(author, approver, quality_manager, staff, client_for):
    """Issue 10 (state walk): a crafted POST renamed an obsolete document and put people on its distribution."""
    document = make_effective(author, approver, title="Old press set-up")
    services.document_make_obsolete(actor=author, document=document, reason="Press scrapped")
    document.refresh_from_db()
    client = client_for(quality_manager)  # (logging in is an event)
    events_before = AuditEvent.objects.count()
    for actor in (quality_manager, author):  # the quality manager and the owner
        with pytest.raises(PermissionRefused, match="is obsolete: its details no longer change"):
            services.document_update(actor=actor, document=document, reason="Tidy up", title="Renamed",
                                     distribution_users=[staff])
    response = client.post(f"/documents/{document.number}/edit/", {
        "title": "Renamed", "owner": author.pk, "reason": "Tidy up", "distribution_users": [staff.pk]})
    assert response.status_code == 403
    assert f"/documents/{document.number}/edit/" not in client.get(f"/documents/{document.number}/").content.decode()
    document.refresh_from_db()
    assert document.title == "Old press set-up" and not document.distribution_users.exists()
    assert AuditEvent.objects.count() == events_before
    # Before it was withdrawn, the same change was allowed.
    live = make_effective(author, approver, title="New press set-up")
    services.document_update(actor=quality_manager, document=live, reason="Tidy up", title="Renamed")


@pytest.mark.django_db
def test_new_revision_needs_summary_and_reason_and_only_one_open(author, approver):
    document = make_effective(author, approver)
    with pytest.raises(DomainError, match="summary"):
        services.revision_create_new(actor=author, document=document, change_summary="", change_reason="x")
    with pytest.raises(DomainError, match="reason"):
        services.revision_create_new(actor=author, document=document, change_summary="x", change_reason="")
    rev = services.revision_create_new(actor=author, document=document, change_summary="x", change_reason="y")
    assert rev.content == document.effective_revision.content  # starts from the effective one
    with pytest.raises(DomainError, match="finish it first"):
        services.revision_create_new(actor=author, document=document, change_summary="x", change_reason="y")


@pytest.mark.django_db
def test_empty_revision_cannot_be_submitted(author, approver):
    rev = make_draft(author, content="").latest_revision
    with pytest.raises(DomainError, match="empty"):
        submit(author, rev, [approver])


@pytest.mark.django_db
def test_external_document_needs_issuer_and_edition(author):
    with pytest.raises(DomainError, match="issuer"):
        make_draft(author, code="EXT", title="ISO 9001:2015")
    doc = make_draft(author, code="EXT", title="ISO 9001:2015", issuer="ISO", external_reference="5th edition 2015")
    assert doc.number == "EXT-001" and doc.issuer == "ISO"


@pytest.mark.django_db
def test_history_records_user_and_reason(author, approver):
    document = make_effective(author, approver)
    rev = document.effective_revision
    last = rev.history.order_by("-history_date", "-history_id").first()
    assert last.history_user == approver
    assert last.history_change_reason == "Effective"
    assert document.history.filter(history_user=author, history_change_reason="Document created").exists()


@pytest.mark.django_db
def test_decimal_scheme_labels_drafts_and_releases(author, approver, password):
    document = make_draft(author, code="WI")
    rev = document.latest_revision
    assert rev.label == "0.0" or rev.label.startswith("0.")
    submit(author, rev, [approver])
    rev.refresh_from_db()
    assert rev.label == "0.1"
    services.revision_decide(actor=approver, revision=rev, password=password, outcome="rejected", comment="typo")
    submit(author, rev, [approver])
    rev.refresh_from_db()
    assert rev.label == "0.2"
    approve(approver, rev)
    rev.refresh_from_db()
    assert rev.label == "1.0" and rev.status == S.EFFECTIVE
    rev2 = services.revision_create_new(actor=author, document=document, change_summary="s", change_reason="")
    assert rev2.label.startswith("1.")


@pytest.mark.django_db
def test_obsolete_is_refused_while_a_new_revision_is_in_review(author, approver):
    document = make_effective(author, approver)
    rev2 = services.revision_create_new(actor=author, document=document, change_summary="s", change_reason="r")
    submit(author, rev2, [approver])
    with pytest.raises(DomainError, match="withdraw or finish"):
        services.document_make_obsolete(actor=author, document=document, reason="gone")
    document.refresh_from_db()
    assert document.effective_revision.status == S.EFFECTIVE


@pytest.mark.django_db
def test_beat_task_switches_a_revision_on_its_effective_date(author, approver):
    from documents.tasks import apply_effective_dates
    from qms.celery import app

    assert app.conf.beat_schedule["apply-effective-dates"]["task"] == "documents.tasks.apply_effective_dates"
    with freeze_time("2026-06-01"):
        document = make_effective(author, approver)
        rev2 = new_revision(author, approver, document, effective_date=timezone.localdate() + timedelta(days=3))
        assert apply_effective_dates.apply().get() == 0
    with freeze_time("2026-06-04 00:05"):
        assert apply_effective_dates.apply().get() == 1
    rev2.refresh_from_db()
    assert rev2.status == S.EFFECTIVE
