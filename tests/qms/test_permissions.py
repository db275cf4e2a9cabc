"""ACC-02: the role predicates as a matrix."""

import pytest

from qms import permissions as p
from qms import rules

PERSONAS = ["quality_manager", "author", "approver", "staff", "auditor", "external_auditor", "outsider"]

MATRIX = {
    # predicate:            qm     author approver staff  auditor external outsider
    "is_quality_manager":  (True, False, False, False, False, False, False),
    "is_auditor":          (False, False, False, False, True, True, False),
    "is_external_auditor": (False, False, False, False, False, True, False),
    "can_read_everything": (True, False, False, False, True, True, False),
    "can_write":           (True, True, True, True, True, False, True),
    "qms.view_trail":      (True, False, False, False, True, True, False),
    "qms.export_trail":    (True, False, False, False, True, True, False),
    "qms.view_clauses":    (True, True, True, True, True, True, True),
}

CASES = [(pred, persona, expected[i]) for pred, expected in MATRIX.items() for i, persona in enumerate(PERSONAS)]


@pytest.mark.django_db
@pytest.mark.parametrize(("predicate", "persona", "expected"), CASES)
def test_role_predicate_matrix(request, predicate, persona, expected):
    user = request.getfixturevalue(persona)
    # Role predicates are functions of qms.permissions; the core's own rules are asked by name.
    assert (rules.allowed(predicate, user) if "." in predicate else getattr(p, predicate)(user)) is expected


@pytest.mark.django_db
def test_inactive_user_has_no_roles_and_cannot_write(quality_manager):
    quality_manager.is_active = False
    quality_manager.save()
    assert not p.is_quality_manager(quality_manager)
    assert not p.can_write(quality_manager)


@pytest.mark.django_db
def test_anonymous_user_has_no_rights():
    from django.contrib.auth.models import AnonymousUser

    anon = AnonymousUser()
    assert not rules.allowed("qms.view_clauses", anon)
    assert not p.can_read_everything(anon)
    assert not p.can_write(anon)
