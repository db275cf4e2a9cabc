"""Helpers for training tests: everything goes through the services."""

from datetime import timedelta

from django.utils import timezone

from tests.factories import PASSWORD, DepartmentFactory
from training import services
from training.models import Competence


def dept(code="PRD", name="Production"):
    from qms.models import Department

    return Department.objects.filter(code=code).first() or DepartmentFactory(code=code, name=name)


def make_competence(qm, code="CNC-1", *, kind=Competence.Kind.COURSE, validity_months=None, documents=(), name=None):
    return services.competence_save(actor=qm, code=code, name=name or f"Competence {code}", kind=kind,
                                    validity_months=validity_months, documents=documents)


def make_role(qm, code="CNC", competences=(), name=None):
    return services.role_save(actor=qm, code=code, name=name or f"Role {code}", competences=competences)


def make_person(qm, name="Olga Operator", *, roles=(), user=None, department=None):
    return services.person_save(actor=qm, name=name, department=department or dept(), roles=roles, user=user)


def make_record(qm, person, competence, trainer, *, days_ago=10, sign=True, result="competent", trainee_user=None):
    record = services.record_create(actor=qm, person=person, competence=competence,
                                    trained_on=timezone.localdate() - timedelta(days=days_ago), trainer=trainer,
                                    method="classroom", result=result,
                                    effectiveness_method="Supervisor observes the first three jobs")
    if sign:
        record = services.record_sign(actor=trainer, record=record, password=PASSWORD)
        if person.user_id:
            record = services.record_sign(actor=person.user, record=record, password=PASSWORD)
    return record
