"""Read and understood: tasks on effective, none for editorial changes, overdue with a frozen clock."""

from datetime import date

import pytest
from django.contrib.auth.models import Group
from freezegun import freeze_time

from documents import selectors, services
from documents.models import Acknowledgement, Revision
from qms import dashboard
from qms.errors import DomainError, SignatureRefused
from qms.models import AuditEvent, Signature
from qms.permissions import Role
from tests.documents.factories import make_effective, new_revision
from tests.factories import UserFactory
from tests.signing import stamp_on


@pytest.fixture
def distributed(author, approver, staff):
    """An effective SOP distributed to the Staff group and one named person."""
    extra = UserFactory(username="reader", roles=[])
    with freeze_time("2026-01-05"):
        document = make_effective(author, approver, distribution_users=[extra],
                                  distribution_groups=[Group.objects.get(name=Role.STAFF)])
    return document, extra


@pytest.mark.django_db
def test_tasks_created_on_effective_for_users_and_group_members(distributed, author, approver, staff):
    document, extra = distributed
    acks = Acknowledgement.objects.filter(revision=document.effective_revision)
    assert set(acks.values_list("user__username", flat=True)) == {"reader", "staff", "author", "approver"}
    assert {a.due_date for a in acks} == {date(2026, 1, 19)}  # 14 days
    assert AuditEvent.objects.filter(verb="acknowledgements.assigned").exists()


@pytest.mark.django_db
def test_editorial_change_asks_no_re_read(distributed, author, approver):
    document, _ = distributed
    rev2 = new_revision(author, approver, document, significance=Revision.Significance.EDITORIAL)
    assert rev2.status == Revision.Status.EFFECTIVE
    assert not Acknowledgement.objects.filter(revision=rev2).exists()


@pytest.mark.django_db
def test_significant_change_asks_a_re_read_and_replaces_open_tasks(distributed, author, approver):
    document, extra = distributed
    old = Acknowledgement.objects.get(user=extra)
    rev2 = new_revision(author, approver, document, significance=Revision.Significance.SIGNIFICANT)
    assert Acknowledgement.objects.filter(revision=rev2, user=extra).exists()
    old.refresh_from_db()
    assert old.cancelled_at is not None


@pytest.mark.django_db
def test_acknowledge_is_a_read_signature(distributed, staff, password):
    document, _ = distributed
    with pytest.raises(SignatureRefused):
        services.acknowledge(actor=staff, document=document, password="nope")
    assert Acknowledgement.objects.get(user=staff).acknowledged_at is None
    ack = services.acknowledge(actor=staff, document=document, password=password)
    assert ack.acknowledged_at is not None
    assert ack.signature.meaning == Signature.Meaning.READ
    assert ack.signature.object_id == document.effective_revision.pk
    assert AuditEvent.objects.filter(verb="acknowledgement.signed", actor=staff).exists()
    with pytest.raises(DomainError, match="nothing"):
        services.acknowledge(actor=staff, document=document, password=password)


@pytest.mark.django_db
def test_user_outside_the_distribution_has_nothing_to_acknowledge(distributed, quality_manager, password):
    document, _ = distributed
    with pytest.raises(DomainError, match="nothing"):
        services.acknowledge(actor=quality_manager, document=document, password=password)


@pytest.mark.django_db
def test_overdue_detection_with_a_frozen_clock(distributed, staff, quality_manager, password):
    document, extra = distributed
    with freeze_time("2026-01-19"):
        assert not selectors.overdue_acknowledgements().exists()
    with freeze_time("2026-01-20"):
        overdue = selectors.overdue_acknowledgements()
        assert {a.user.username for a in overdue} == {"reader", "staff", "author", "approver"}
        services.acknowledge(actor=staff, document=document, password=password)
        assert "staff" not in {a.user.username for a in selectors.overdue_acknowledgements()}
        qm_sections = {s.key: s for s in dashboard.sections_for(quality_manager)}
        assert qm_sections["documents.acks_overdue"].total == 3
        to_read = {s.key: s for s in dashboard.sections_for(extra)} if extra.groups.exists() else None
        assert to_read is None  # no role: the reader sees no documents dashboard (but keeps the task)


@pytest.mark.django_db
def test_per_document_and_per_person_status_pages(distributed, staff, quality_manager, approver, password,
                                                   client_for):
    document, _ = distributed
    services.acknowledge(actor=staff, document=document, password=password)
    page = client_for(quality_manager).get(f"/documents/{document.number}/acknowledgements/")
    text = page.content.decode()
    assert page.status_code == 200 and "Sam Lee" in text and "Acknowledged" in text and "Overdue" in text
    mine = client_for(staff).get("/documents/acknowledgements/").content.decode()
    assert document.number in mine and "Acknowledged" in mine
    assert client_for(staff).get(f"/documents/{document.number}/acknowledgements/").status_code == 403


@pytest.mark.django_db
def test_acknowledge_through_the_document_page(distributed, staff, password, client_for):
    document, _ = distributed
    c = client_for(staff)
    response = c.get(document.get_absolute_url())
    page = response.content.decode()
    assert "Please read this revision" in page
    r = c.post(f"/documents/{document.number}/acknowledge/",
               {"username": "staff", "password": password, **stamp_on(response)})
    assert r.status_code == 302
    assert Acknowledgement.objects.get(user=staff).acknowledged_at is not None
    assert "You acknowledged" in c.get(document.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_quality_manager_sees_one_persons_status_but_staff_cannot_pick_a_person(distributed, staff, quality_manager,
                                                                               author, client_for):
    document, _ = distributed
    r = client_for(quality_manager).get("/documents/acknowledgements/", {"user": staff.pk})
    assert r.context["person"] == staff and document.number in r.content.decode()
    r = client_for(author).get("/documents/acknowledgements/", {"user": staff.pk})
    assert r.context["person"] == author  # the parameter is ignored for non-auditors
    assert client_for(quality_manager).get("/documents/acknowledgements/", {"user": "x"}).status_code == 404


@pytest.mark.django_db
def test_staff_cannot_filter_the_register_by_draft_status(distributed, author, approver, staff, client_for):
    document, _ = distributed
    services.revision_create_new(actor=author, document=document, change_summary="s", change_reason="r")
    rows = client_for(staff).get("/documents/", {"status": "draft"}).context["rows"]
    assert [r["status"] for r in rows] == ["effective"]  # the filter is ignored; nothing about the draft shows


@pytest.mark.django_db
def test_people_added_to_the_distribution_get_a_task_for_the_revision_in_force(distributed, author, quality_manager):
    document, extra = distributed
    newcomer = UserFactory(username="newcomer", roles=[Role.STAFF])  # joins the Staff group later
    before = Acknowledgement.objects.count()
    services.document_update(actor=author, document=document, reason="Add QM",
                             distribution_users=[extra, quality_manager])
    acks = Acknowledgement.objects.filter(revision=document.effective_revision)
    assert set(acks.values_list("user__username", flat=True)) >= {"qm", "newcomer", "reader", "staff"}
    assert Acknowledgement.objects.count() == before + 2  # qm and the newcomer; nobody twice
    assert newcomer.acknowledgements.get().due_date > date(2026, 1, 19)


@pytest.mark.django_db
def test_group_member_without_approver_role_is_not_asked_to_approve(author, staff):
    from documents.services import StepSpec
    from tests.documents.factories import make_draft

    rev = make_draft(author).latest_revision
    services.revision_submit(actor=author, revision=rev,
                             steps=[StepSpec(kind="approve", groups=[Group.objects.get(name=Role.STAFF)])])
    assert not selectors.waiting_for_signature(staff).exists()
