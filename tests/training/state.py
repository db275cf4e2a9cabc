"""Training in the state walk (tests/qms/test_state_walk.py).

A training record is finished when it is void (voided by the quality manager,
here from "awaiting signatures", with its evidence file), and locked once the
trainer and the trainee have signed and its effectiveness has been evaluated
and signed (7.2 c): then signing again, evaluating again and adding evidence
are refused and change nothing. Its one move left is voiding it (a mistake is
voided with a reason, never edited): that is its NEXT_MOVE, and the control
voids such a record. One step earlier (awaiting signatures; signed, not yet
evaluated) the same posts succeed.

Job roles, competences and people are active or not (both editable, an
inactive one may be made active again), and a record type's required
competences have no lifecycle: those routes are in NOT_FINISHED.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.factories import PASSWORD
from tests.records.factories import pdf_upload
from tests.signing import shown
from tests.training.factories import dept, make_competence, make_person
from training import services
from training.models import TrainingRecord

RECORD_ROUTES = ("training:record-sign", "training:record-evaluate", "training:evidence-add", "training:record-void")
FINISHED = ("training_void", "training_evaluated")

ACTORS = {"training": lambda w: [w["staff"], w["approver"]]}  # the trainee, the trainer

NOT_FINISHED = {
    "training:role-edit": "a job role has no lifecycle (active or not, both editable)",
    "training:competence-edit": "a competence is active or retired, and a retired one may be made active again",
    "training:person-edit": "a person is active or not, both editable",
    "training:qualification-edit": "a record type's required competences have no lifecycle",
}

# A signed, evaluated record may still be voided (a mistake is voided with a reason).
NEXT_MOVES = {("training:record-void", "training_evaluated")}


def _today() -> str:
    return timezone.localdate().isoformat()


def _new_record(w, person, competence, *, uploads=()):
    return services.record_create(actor=w["qm"], person=person, competence=competence,
                                  trained_on=timezone.localdate() - timedelta(days=10), trainer=w["approver"],
                                  method="classroom", result="competent",
                                  effectiveness_method="Supervisor observes the first three jobs",
                                  uploads=list(uploads))


def _signed(w, record):
    record = services.record_sign(actor=w["approver"], record=record, password=PASSWORD)  # the trainer
    return services.record_sign(actor=w["staff"], record=record, password=PASSWORD)  # the trainee


def _evaluated(w, record):
    return services.record_evaluate(actor=w["qm"], record=record, password=PASSWORD, result="effective",
                                    checked_on=timezone.localdate(), note="Three jobs observed, all right")


def _people(w):
    person = make_person(w["qm"], name="Stella Staff", user=w["staff"], department=dept())
    competence = make_competence(w["qm"], code="WLK-1", name="Press set-up")
    return person, competence


def build_finished(w):
    person, competence = _people(w)
    void = _new_record(w, person, competence, uploads=[pdf_upload("attendance.pdf")])
    w["training_void"] = services.record_void(actor=w["qm"], record=void, reason="Recorded for the wrong person")
    w["training_evaluated"] = _evaluated(w, _signed(w, _new_record(w, person, competence)))


def finished_objects(w) -> dict:
    objs = {k: w[k] for k in FINISHED}
    for key in FINISHED:
        for i, ev in enumerate(w[key].evidence.order_by("pk")):
            objs[f"{key}_evidence{i}"] = ev
    return objs


def build_earlier(w):
    person, competence = _people(w)
    w["training_draft"] = _new_record(w, person, competence)
    w["training_signed"] = _signed(w, _new_record(w, person, competence))
    w["training_evaluated"] = _evaluated(w, _signed(w, _new_record(w, person, competence)))


def kwargs(obj):
    if isinstance(obj, TrainingRecord):
        return {"pk": obj.pk}
    return None


def targets(route, w):
    if not route.name.startswith("training:"):
        return None
    if route.name in RECORD_ROUTES:
        return [(k, {"pk": w[k].pk}) for k in FINISHED]
    return []  # pages and downloads (GET only); the edit forms are in NOT_FINISHED


def _sign(actor, obj, **extra) -> dict:
    return {"username": actor.username, "password": PASSWORD, "comment": "Signed in the walk", **shown(obj), **extra}


PAYLOADS = {
    "training:record-sign": lambda w, o, a: [_sign(a, o)],
    "training:record-evaluate": lambda w, o, a: [_sign(a, o, result=r, checked_on=_today())
                                                 for r in ("effective", "not_effective")],
    "training:evidence-add": lambda w, o, a: [{"files": pdf_upload("late.pdf")}],
    "training:record-void": lambda w, o, a: [{"reason": "Voided again in the walk"}],
}
CONTROL = {
    "training:record-sign": [("training_draft", "approver", None), ("training_draft", "staff", None)],
    "training:record-evaluate": [("training_signed", "qm", None), ("training_signed", "approver", None)],
    "training:evidence-add": [("training_draft", "qm", None), ("training_draft", "approver", None)],
    "training:record-void": [("training_draft", "qm", None), ("training_signed", "qm", None),
                             ("training_evaluated", "qm", None)],
}
