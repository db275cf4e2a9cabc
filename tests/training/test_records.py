"""Training records: signatures by trainer and trainee, bad input, lock, effectiveness; who may submit."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from qms.errors import DomainError
from qms.models import AuditEvent, Signature
from qms.qualifications import NotQualified
from tests.factories import PASSWORD
from tests.training.factories import make_competence, make_person, make_record, make_role
from training import matrix, services
from training.models import Competence, TrainingRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(quality_manager, staff):
    c = make_competence(quality_manager, "INSP", name="Incoming inspection", validity_months=12)
    role = make_role(quality_manager, "INS", [c])
    person = make_person(quality_manager, "Sam Lee", roles=[role], user=staff)
    return c, role, person


def _create(qm, person, c, trainer, **kw):
    data = {"trained_on": timezone.localdate() - timedelta(days=1), "method": "on_the_job", "result": "competent",
            "effectiveness_method": "Audit of first ten inspections"}
    data.update(kw)
    return services.record_create(actor=qm, person=person, competence=c, trainer=trainer, **data)


def test_record_is_signed_by_trainer_then_trainee_and_locks(quality_manager, approver, staff, setup):
    c, _, person = setup
    rec = _create(quality_manager, person, c, approver)
    rec = services.record_sign(actor=approver, record=rec, password=PASSWORD)
    assert rec.status == TrainingRecord.Status.DRAFT and rec.trainer_signature.meaning == Signature.Meaning.VERIFIED
    rec = services.record_sign(actor=staff, record=rec, password=PASSWORD)
    assert rec.status == TrainingRecord.Status.SIGNED and rec.trainee_signature.meaning == Signature.Meaning.READ
    assert AuditEvent.objects.filter(verb="training.completed", object_id=rec.pk).exists()
    with pytest.raises(DomainError):
        services.record_sign(actor=approver, record=rec, password=PASSWORD)  # locked, signed once
    assert rec.trainer_signature.is_valid() and rec.trainee_signature.is_valid()


def test_wrong_password_signs_nothing(quality_manager, approver, setup):
    c, _, person = setup
    rec = _create(quality_manager, person, c, approver)
    with pytest.raises(DomainError):
        services.record_sign(actor=approver, record=rec, password="wrong")
    rec.refresh_from_db()
    assert rec.trainer_signature_id is None


def test_a_person_without_login_is_complete_on_the_trainers_signature(quality_manager, approver, setup):
    c, role, _ = setup
    nolog = make_person(quality_manager, "Nora", roles=[role])
    rec = _create(quality_manager, nolog, c, approver)
    rec = services.record_sign(actor=approver, record=rec, password=PASSWORD)
    assert rec.status == TrainingRecord.Status.SIGNED


def test_someone_else_cannot_sign(quality_manager, approver, author, setup):
    c, _, person = setup
    rec = _create(quality_manager, person, c, approver)
    with pytest.raises(DomainError):
        services.record_sign(actor=author, record=rec, password=PASSWORD)


@pytest.mark.parametrize("bad", [
    {"trained_on": timezone.localdate() + timedelta(days=1)},
    {"effectiveness_method": "  "},
    {"method": "telepathy"},
    {"result": "maybe"},
])
def test_bad_input_is_refused_and_changes_nothing(quality_manager, approver, setup, bad):
    c, _, person = setup
    with pytest.raises(DomainError):
        _create(quality_manager, person, c, approver, **bad)
    assert not TrainingRecord.objects.exists()


def test_trainer_cannot_be_the_trainee(quality_manager, staff, setup):
    c, _, person = setup
    with pytest.raises(DomainError, match="trainer cannot be the trainee"):
        _create(quality_manager, person, c, staff)


def test_form_errors_for_future_date_and_self_training(client_for, quality_manager, staff, setup):
    c, _, person = setup
    data = {"person": person.pk, "competence": c.pk, "trained_on": str(timezone.localdate() + timedelta(days=3)),
            "trainer": staff.pk, "method": "classroom", "result": "competent", "effectiveness_method": "Test"}
    r = client_for(quality_manager).post(reverse("training:record-create"), data)
    assert r.status_code == 400
    html = r.content.decode()
    assert "cannot be dated in the future" in html and "trainer cannot be the trainee" in html
    assert not TrainingRecord.objects.exists()


@pytest.mark.parametrize("months", ["0", "-3"])
def test_competence_validity_of_zero_or_negative_is_a_form_error(client_for, quality_manager, months):
    r = client_for(quality_manager).post(reverse("training:competence-create"),
                                         {"code": "X1", "name": "X", "kind": "course", "validity_months": months})
    assert r.status_code == 400 and not Competence.objects.filter(code="X1").exists()
    with pytest.raises(DomainError):
        services.competence_save(actor=quality_manager, code="X2", name="X", kind="course", validity_months=int(months))


def test_sign_through_the_page(client_for, quality_manager, approver, setup):
    c, _, person = setup
    rec = _create(quality_manager, person, c, approver)
    page = client_for(approver).get(rec.get_absolute_url())
    shown = page.context["sign_form"]["shown"].value()
    r = client_for(approver).post(reverse("training:record-sign", args=[rec.pk]),
                                  {"username": approver.username, "password": PASSWORD, "shown": shown})
    assert r.status_code == 302
    rec.refresh_from_db()
    assert rec.trainer_signature_id is not None


def test_effectiveness_not_effective_takes_the_competence_away(quality_manager, approver, staff, setup):
    c, _, person = setup
    rec = make_record(quality_manager, person, c, approver)
    cell = matrix.cells(matrix.Scope(person_ids=(person.pk,)))[(person.pk, c.pk)]
    assert cell.status == matrix.CURRENT
    with pytest.raises(DomainError):  # the trainee never evaluates their own training
        services.record_evaluate(actor=staff, record=rec, password=PASSWORD, result="effective",
                                 checked_on=timezone.localdate())
    with pytest.raises(DomainError):
        services.record_evaluate(actor=approver, record=rec, password=PASSWORD, result="effective",
                                 checked_on=timezone.localdate() + timedelta(days=2))
    services.record_evaluate(actor=approver, record=rec, password=PASSWORD, result="not_effective",
                             checked_on=timezone.localdate(), note="Errors in 3 of 10 inspections")
    rec.refresh_from_db()
    assert rec.effectiveness_signature.meaning == Signature.Meaning.EFFECTIVE
    assert matrix.cells(matrix.Scope(person_ids=(person.pk,)))[(person.pk, c.pk)].status == matrix.MISSING


def test_void_needs_a_reason(quality_manager, approver, setup):
    c, _, person = setup
    rec = make_record(quality_manager, person, c, approver)
    with pytest.raises(DomainError):
        services.record_void(actor=quality_manager, record=rec, reason=" ")
    services.record_void(actor=quality_manager, record=rec, reason="Wrong person")
    rec.refresh_from_db()
    assert rec.status == TrainingRecord.Status.VOID


# ------------------------------------------------------------------ who may do this?
def test_record_type_requires_a_current_competence_of_its_submitter(quality_manager, approver, staff, setup):
    from records import services as record_services
    from tests.records.factories import make_record as make_quality_record
    from tests.records.factories import make_type

    c, _, person = setup
    rt = make_type("INC", verification_required=False, name="Incoming inspection")
    services.qualification_set(actor=quality_manager, record_type=rt, competences=[c])
    draft = make_quality_record(staff, rt, submit=False)
    with pytest.raises(NotQualified, match="INSP Incoming inspection is missing"):
        record_services.record_submit(actor=staff, record=draft)
    rec = make_record(quality_manager, person, c, approver, days_ago=400)  # expired (12 months)
    with pytest.raises(NotQualified, match="expired on"):
        record_services.record_submit(actor=staff, record=draft)
    services.record_void(actor=quality_manager, record=rec, reason="Renewed")
    make_record(quality_manager, person, c, approver, days_ago=5)
    assert record_services.record_submit(actor=staff, record=draft).status == "submitted"


def test_refusal_through_the_page_is_a_clear_403(client_for, quality_manager, staff, setup):
    from tests.records.factories import make_record as make_quality_record
    from tests.records.factories import make_type

    c, _, _ = setup
    rt = make_type("INC", verification_required=False, name="Incoming inspection")
    services.qualification_set(actor=quality_manager, record_type=rt, competences=[c])
    draft = make_quality_record(staff, rt, submit=False)
    r = client_for(staff).post(reverse("records:submit", args=[draft.number]))
    assert r.status_code in (302, 403)
    draft.refresh_from_db()
    assert draft.status == "draft"
