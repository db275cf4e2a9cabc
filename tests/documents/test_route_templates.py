"""Approval route templates per document type and department (issue 18.5):
proposed on the submission form, fixed when the author may not edit them;
signer choices never offer the author or an external auditor."""

import re

import pytest
from django.contrib.auth.models import Group

from documents.models import RouteStep, RouteTemplate, RouteTemplateStep
from qms.errors import DomainError
from qms.permissions import Role
from tests.documents.factories import doc_type, make_draft, submit
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def _template(*, code="SOP", department=None, fixed=False, approvers=(), reviewers=(), name="SOP route"):
    t = RouteTemplate.objects.create(doc_type=doc_type(code), department=department, name=name,
                                     author_may_edit=not fixed)
    order = 1
    if reviewers:
        RouteTemplateStep.objects.create(template=t, order=order, kind=RouteStep.Kind.REVIEW).users.set(reviewers)
        order += 1
    RouteTemplateStep.objects.create(template=t, order=order, kind=RouteStep.Kind.APPROVE).users.set(approvers)
    return t


def _selected(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="(\d+)"[^>]*selected', select)


def test_the_template_is_proposed_and_editable(author, approver, staff, client_for):
    _template(approvers=[approver], reviewers=[staff])
    doc = make_draft(author)
    html = client_for(author).get(doc.latest_revision.get_absolute_url()).content.decode()
    assert "Proposed from the route “SOP route”" in html
    assert _selected(html, "step1_users") == [str(staff.pk)] and _selected(html, "step2_users") == [str(approver.pk)]
    # Editable: the author may send it on another route.
    submit(author, doc.latest_revision, [approver])
    doc.latest_revision.refresh_from_db()
    assert doc.latest_revision.status == "in_review"


def test_a_department_template_wins_over_the_type_wide_one(author, approver, quality_manager, client_for):
    qa = DepartmentFactory(code="QA", name="Quality Assurance")
    _template(approvers=[quality_manager], name="Everyone")
    _template(approvers=[approver], department=qa, name="QA route")
    doc = make_draft(author, department=qa)
    html = client_for(author).get(doc.latest_revision.get_absolute_url()).content.decode()
    assert "QA route" in html and _selected(html, "step1_users") == [str(approver.pk)]


def test_a_fixed_route_cannot_be_changed(author, approver, quality_manager, client_for):
    _template(approvers=[approver], fixed=True, name="Fixed SOP route")
    doc = make_draft(author)
    rev = doc.latest_revision
    with pytest.raises(DomainError, match="fixed route"):
        submit(author, rev, [quality_manager])
    c = client_for(author)
    html = c.get(rev.get_absolute_url()).content.decode()
    assert "fixed route “Fixed SOP route”" in html and "disabled" in html
    # Posting other signers through the page: the disabled fields keep the template's route.
    response = c.post(f"/documents/{doc.number}/rev/{rev.seq}/submit/",
                      {"step1_kind": "approve", "step1_mode": "all", "step1_users": [quality_manager.pk]})
    assert response.status_code == 302, re.findall(r"alert[^>]*>(.*?)</div>", response.content.decode(), re.S)
    step = rev.route_steps.get()
    assert list(step.signers.values_list("user_id", flat=True)) == [approver.pk]


def test_signers_exclude_the_author_and_external_auditors(author, approver, external_auditor, client_for):
    html = client_for(author).get(make_draft(author).latest_revision.get_absolute_url()).content.decode()
    options = re.search(r'<select name="step1_users".*?</select>', html, re.S).group(0)
    assert f'value="{approver.pk}"' in options
    assert f'value="{author.pk}"' not in options and f'value="{external_auditor.pk}"' not in options
    ext_group = Group.objects.get(name=Role.EXTERNAL_AUDITOR)
    groups = re.search(r'<select name="step1_groups".*?</select>', html, re.S).group(0)
    assert f'value="{ext_group.pk}"' not in groups


def test_the_service_refuses_an_external_auditor_reviewer(author, approver, external_auditor):
    doc = make_draft(author)
    with pytest.raises(DomainError, match="External auditors"):
        submit(author, doc.latest_revision, [approver], reviewers=[external_auditor])


def test_template_members_who_cannot_sign_are_not_proposed(author, approver, staff, client_for):
    _template(approvers=[approver, staff, author])  # staff hold no approver role; the author may not sign
    html = client_for(author).get(make_draft(author).latest_revision.get_absolute_url()).content.decode()
    assert _selected(html, "step1_users") == [str(approver.pk)]
