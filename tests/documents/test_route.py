"""Review and approval route: ordered steps, all-of / any-of, groups, signers added
while it runs, rejection back to Draft, every decision an electronic signature."""

import pytest
from django.contrib.auth.models import Group

from documents import selectors, services
from documents.models import Decision, Revision, RouteStep
from documents.services import StepSpec
from qms import dashboard
from qms.errors import DomainError, PermissionRefused, SignatureRefused
from qms.models import AuditEvent, Signature
from qms.permissions import Role
from qms.signatures import signatures_for
from tests.documents.factories import approve, make_draft, submit
from tests.factories import UserFactory

S = Revision.Status


@pytest.fixture
def approver2(db):
    return UserFactory(username="approver2", roles=[Role.APPROVER, Role.STAFF], full_name="Bo Second")


@pytest.mark.django_db
def test_steps_run_in_order(author, approver, staff, password):
    rev = make_draft(author).latest_revision
    submit(author, rev, [approver], reviewers=[staff])
    # The approver is not asked before the review step is done.
    assert not selectors.open_signer_entries(approver, rev)
    with pytest.raises(PermissionRefused):
        approve(approver, rev)
    services.revision_decide(actor=staff, revision=rev, password=password, outcome="reviewed", comment="fine")
    assert selectors.open_signer_entries(approver, rev)
    approve(approver, rev)
    rev.refresh_from_db()
    assert rev.status == S.EFFECTIVE
    meanings = [s.meaning for s in signatures_for(rev)]
    assert meanings == [Signature.Meaning.REVIEWED, Signature.Meaning.APPROVED]


@pytest.mark.django_db
def test_all_of_waits_for_every_signer(author, approver, approver2):
    rev = make_draft(author).latest_revision
    submit(author, rev, [approver, approver2], mode=RouteStep.Mode.ALL)
    approve(approver, rev)
    rev.refresh_from_db()
    assert rev.status == S.IN_REVIEW
    approve(approver2, rev)
    rev.refresh_from_db()
    assert rev.status == S.EFFECTIVE


@pytest.mark.django_db
def test_any_of_needs_one_signer(author, approver, approver2):
    rev = make_draft(author).latest_revision
    submit(author, rev, [approver, approver2], mode=RouteStep.Mode.ANY)
    approve(approver2, rev)
    rev.refresh_from_db()
    assert rev.status == S.EFFECTIVE
    assert not selectors.open_signer_entries(approver, rev)


@pytest.mark.django_db
def test_a_group_is_signed_for_by_any_one_member(author, approver, approver2):
    rev = make_draft(author).latest_revision
    services.revision_submit(actor=author, revision=rev,
                             steps=[StepSpec(kind="approve", groups=[Group.objects.get(name=Role.APPROVER)])])
    assert selectors.open_signer_entries(approver2, rev)
    approve(approver2, rev)
    rev.refresh_from_db()
    assert rev.status == S.EFFECTIVE


@pytest.mark.django_db
def test_signers_can_be_added_while_the_route_runs(author, approver, approver2):
    rev = make_draft(author).latest_revision
    submit(author, rev, [approver])
    step = rev.route_steps.get()
    services.route_add_signer(actor=author, revision=rev, step=step, user=approver2)
    assert AuditEvent.objects.filter(verb="route.signer_added", object_id=str(rev.pk)).exists()
    approve(approver, rev)
    rev.refresh_from_db()
    assert rev.status == S.IN_REVIEW  # all-of: the added signer must sign too
    approve(approver2, rev)
    rev.refresh_from_db()
    assert rev.status == S.EFFECTIVE


@pytest.mark.django_db
def test_author_cannot_be_added_as_approver(author, approver):
    rev = make_draft(author).latest_revision
    submit(author, rev, [approver])
    with pytest.raises(PermissionRefused, match="author"):
        services.route_add_signer(actor=author, revision=rev, step=rev.route_steps.get(), user=author)


@pytest.mark.django_db
def test_user_without_approver_role_cannot_hold_an_approval_step(author, staff):
    rev = make_draft(author).latest_revision
    with pytest.raises(PermissionRefused, match="Approver"):
        submit(author, rev, [staff])


@pytest.mark.django_db
def test_rejection_returns_to_draft_with_comments_visible(author, approver, password, client_for):
    rev = make_draft(author).latest_revision
    submit(author, rev, [approver])
    with pytest.raises(DomainError, match="why"):
        services.revision_decide(actor=approver, revision=rev, password=password, outcome="rejected", comment="")
    services.revision_decide(actor=approver, revision=rev, password=password, outcome="rejected",
                             comment="Section 3 contradicts WI-PRD-004")
    rev.refresh_from_db()
    assert rev.status == S.DRAFT
    assert AuditEvent.objects.get(verb="revision.rejected", object_id=str(rev.pk)).to_state == S.DRAFT
    assert signatures_for(rev).get().meaning == Signature.Meaning.REJECTED
    page = client_for(author).get(rev.get_absolute_url())
    assert "Section 3 contradicts WI-PRD-004" in page.content.decode()
    # The author fixes it and submits again: a new round.
    services.revision_update_draft(actor=author, revision=rev, content="# Fixed")
    submit(author, rev, [approver])
    assert rev.route_steps.filter(round=2).exists()


@pytest.mark.django_db
def test_wrong_password_refuses_the_decision_and_changes_nothing(author, approver):
    rev = make_draft(author).latest_revision
    submit(author, rev, [approver])
    with pytest.raises(SignatureRefused):
        services.revision_decide(actor=approver, revision=rev, password="wrong", outcome="approved",
                                 significance="significant")
    rev.refresh_from_db()
    assert rev.status == S.IN_REVIEW
    assert not Decision.objects.exists()
    assert not signatures_for(rev).exists()
    assert AuditEvent.objects.filter(verb="signature.refused", object_id=str(rev.pk)).exists()


@pytest.mark.django_db
def test_signature_becomes_invalid_when_the_content_changes(author, approver, password):
    rev = make_draft(author).latest_revision
    submit(author, rev, [approver])
    services.revision_decide(actor=approver, revision=rev, password=password, outcome="rejected", comment="no")
    sig = signatures_for(rev).get()
    assert sig.is_valid()
    services.revision_update_draft(actor=author, revision=rev, content="# Changed after signing")
    sig.refresh_from_db()
    assert not sig.is_valid()


@pytest.mark.django_db
def test_approval_asks_significance(author, approver, password):
    rev = make_draft(author).latest_revision
    submit(author, rev, [approver])
    with pytest.raises(DomainError, match="significant or editorial"):
        services.revision_decide(actor=approver, revision=rev, password=password, outcome="approved")


@pytest.mark.django_db
def test_waiting_for_my_signature_on_the_dashboard(author, approver, approver2, staff):
    rev = make_draft(author, title="Incoming inspection").latest_revision
    submit(author, rev, [approver], reviewers=[staff])

    def to_sign(user):
        return next(s for s in dashboard.sections_for(user) if s.key == "documents.to_sign")

    assert [i.label for i in to_sign(staff).items] == [f"{rev.document.number} Incoming inspection"]
    assert to_sign(approver).items == []  # not yet: the review step runs first
    assert to_sign(author).items == []


@pytest.mark.django_db
def test_dashboard_inbox_query_count_does_not_grow(author, approver, django_assert_max_num_queries):
    def make(n):
        for i in range(n):
            submit(author, make_draft(author, title=f"Doc {i}").latest_revision, [approver])

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make(2)
    with CaptureQueriesContext(connection) as ctx:  # every app's sections, not only documents'
        dashboard.sections_for(approver)
    first = len(ctx.captured_queries)
    make(12)
    with django_assert_max_num_queries(first):
        sections = dashboard.sections_for(approver)
    inbox = next(s for s in sections if s.key == "documents.to_sign")
    assert inbox.total == 14 and len(inbox.items) == 10


@pytest.mark.django_db
def test_new_revision_route_defaults_to_the_previous_approvers(author, approver, approver2, client_for):
    from tests.documents.factories import make_effective

    doc = make_effective(author, approver)
    rev2 = services.revision_create_new(actor=author, document=doc, change_summary="s", change_reason="r")
    initial = selectors.previous_route_initial(rev2)
    assert initial["step1_kind"] == "approve" and initial["step1_users"] == [approver.pk]
    assert initial["step2_kind"] == "" and initial["step3_kind"] == ""
    page = client_for(author).get(rev2.get_absolute_url())
    form = page.context["route_form"]
    assert form["step1_users"].value() == [approver.pk]


@pytest.mark.django_db
def test_author_withdraws_a_revision_from_review(author, approver, staff, client_for):
    rev = make_draft(author).latest_revision
    submit(author, rev, [approver])
    assert client_for(staff).post(f"/documents/{rev.document.number}/rev/1/withdraw/", {"reason": "x"}).status_code == 404
    assert client_for(approver).post(f"/documents/{rev.document.number}/rev/1/withdraw/",
                                     {"reason": "x"}).status_code == 403
    r = client_for(author).post(f"/documents/{rev.document.number}/rev/1/withdraw/", {"reason": ""})
    rev.refresh_from_db()
    assert r.status_code == 302 and rev.status == S.IN_REVIEW  # a reason is required
    client_for(author).post(f"/documents/{rev.document.number}/rev/1/withdraw/", {"reason": "Wrong approver"})
    rev.refresh_from_db()
    assert rev.status == S.DRAFT
    assert rev.route_steps.get().status == RouteStep.Status.CANCELLED
    assert AuditEvent.objects.get(verb="revision.withdrawn", object_id=str(rev.pk)).comment == "Wrong approver"
    assert not selectors.waiting_for_signature(approver).exists()


@pytest.mark.django_db
def test_named_signer_who_is_also_in_a_group_satisfies_their_own_line(author, approver, approver2):
    rev = make_draft(author).latest_revision
    services.revision_submit(actor=author, revision=rev, steps=[
        StepSpec(kind="approve", users=[approver], groups=[Group.objects.get(name=Role.APPROVER)])])
    approve(approver, rev)
    rev.refresh_from_db()
    assert rev.status == S.IN_REVIEW  # the group line still needs another member
    approve(approver2, rev)
    rev.refresh_from_db()
    assert rev.status == S.EFFECTIVE
