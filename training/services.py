"""Writes for competence and training (ISO 9001 7.2, 7.3). One service per action.

Keyword-only, take `actor`, atomic, check the rule once (qms.rules.require),
set the history user and reason, write an AuditEvent. Training records are
signed by the trainer and the trainee through qms.signatures; once both have
signed the record is locked (a mistake is voided with a reason and recorded
again).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from documents.models import Document
from qms.audit import attribute, record_event
from qms.errors import DomainError
from qms.lifecycle import transition
from qms.models import Clause, Signature
from qms.rules import require
from qms.signatures import authenticate_signer, sign
from qms.uploads import store_upload
from training.lifecycles import RECORD
from training.models import (
    Assignment,
    Competence,
    JobRole,
    Person,
    RecordTypeQualification,
    Requirement,
    TrainingEvidence,
    TrainingRecord,
)

S = TrainingRecord.Status
DEFAULT_CLAUSES = {Competence.Kind.READ: ("7.2", "7.3")}


def _english(display) -> str:
    """A choice label for the audit trail, which stores it: English, whatever the actor's language."""
    with translation.override("en"):
        return str(display())


def _save(obj, actor, reason: str) -> None:
    try:
        obj.full_clean()
    except ValidationError as exc:
        raise DomainError(" ".join(m for msgs in exc.message_dict.values() for m in msgs)) from exc
    attribute(obj, actor, reason)
    obj.save()


def _clean_validity(validity_months) -> int | None:
    if validity_months in (None, ""):
        return None
    try:
        months = int(validity_months)
    except (TypeError, ValueError):
        raise DomainError(gettext("The validity is a whole number of months.")) from None
    if months < 1:
        raise DomainError(gettext("A validity must be at least 1 month; leave it empty if the competence does not expire."))
    return months


def _assign_readers(actor, documents) -> None:
    """People who now need a document get its read-and-understood task (documents/, through qms.readers)."""
    from documents.services import assign_new_readers

    for document in documents:
        assign_new_readers(actor=actor, document=document)


# ------------------------------------------------------------------ competences and roles
@transaction.atomic
def competence_save(*, actor, competence: Competence | None = None, code: str, name: str, kind: str,
                    description: str = "", validity_months=None, documents=(), clauses=None,
                    is_active: bool = True) -> Competence:
    """Define or change a competence: kind, validity (months, ≥ 1, or none) and the documents it rests on."""
    require("training.manage", actor)
    if kind not in Competence.Kind.values:
        raise DomainError(gettext("Choose the kind of competence."))
    created = competence is None
    competence = competence or Competence()
    before = set() if created else set(competence.documents.values_list("pk", flat=True))
    competence.code, competence.name, competence.kind = (code or "").strip(), (name or "").strip(), kind
    competence.description = (description or "").strip()
    competence.validity_months = _clean_validity(validity_months)
    competence.is_active = is_active
    if not competence.code or not competence.name:
        raise DomainError(gettext("A competence needs a code and a name."))
    if Competence.objects.filter(code__iexact=competence.code).exclude(pk=competence.pk).exists():
        raise DomainError(gettext("The code %(code)s is already used.") % {"code": competence.code})
    _save(competence, actor, "Competence defined" if created else "Competence changed")
    documents = list(documents)
    competence.documents.set(documents)
    if clauses is None and created:
        clauses = Clause.objects.filter(number__in=DEFAULT_CLAUSES.get(kind, ("7.2",)))
    if clauses is not None:
        competence.clauses.set(clauses)
    record_event(actor=actor, verb="competence.created" if created else "competence.changed", obj=competence)
    _assign_readers(actor, [d for d in documents if d.pk not in before])
    return competence


@transaction.atomic
def role_save(*, actor, role: JobRole | None = None, code: str, name: str, description: str = "",
              department=None, competences=(), is_active: bool = True) -> JobRole:
    """Define or change a job role and the competences it requires (ISO 9001 7.2 a)."""
    require("training.manage", actor)
    created = role is None
    role = role or JobRole()
    role.code, role.name = (code or "").strip(), (name or "").strip()
    role.description, role.department, role.is_active = (description or "").strip(), department, is_active
    if not role.code or not role.name:
        raise DomainError(gettext("A job role needs a code and a name."))
    if JobRole.objects.filter(code__iexact=role.code).exclude(pk=role.pk).exists():
        raise DomainError(gettext("The code %(code)s is already used.") % {"code": role.code})
    _save(role, actor, "Job role defined" if created else "Job role changed")
    wanted = {c.pk: c for c in competences}
    have = {r.competence_id: r for r in role.requirements.all()} if not created else {}
    for comp_id, req in have.items():
        if comp_id not in wanted:
            attribute(req, actor, "No longer required")
            req.delete()
    added = [c for pk, c in wanted.items() if pk not in have]
    for c in added:
        req = Requirement(role=role, competence=c)
        attribute(req, actor, "Required by the role")
        req.save()
    record_event(actor=actor, verb="jobrole.created" if created else "jobrole.changed", obj=role,
                 data={"competences": sorted(c.code for c in wanted.values())})
    if added and role.is_active:
        docs = Document.objects.filter(pk__in=Competence.documents.through.objects.filter(
            competence__in=added).values("document_id"))
        _assign_readers(actor, docs)
    return role


@transaction.atomic
def person_save(*, actor, person: Person | None = None, name: str, department, employee_number: str = "",
                user=None, roles=(), is_active: bool = True) -> Person:
    """Add or change a person (who need not log in) and the job roles they hold."""
    require("training.manage", actor)
    created = person is None
    person = person or Person()
    person.name, person.department = (name or "").strip(), department
    person.employee_number, person.user, person.is_active = (employee_number or "").strip(), user, is_active
    if not person.name:
        raise DomainError(gettext("A person needs a name."))
    if user is not None and Person.objects.filter(user=user).exclude(pk=person.pk).exists():
        raise DomainError(gettext("%(name)s is already linked to another person.") % {"name": user.display_name})
    _save(person, actor, "Person added" if created else "Person changed")
    wanted = {r.pk: r for r in roles}
    have = {a.role_id: a for a in person.assignments.all()} if not created else {}
    for role_id, a in have.items():
        if role_id not in wanted:
            attribute(a, actor, "Role removed")
            a.delete()
    added = [r for pk, r in wanted.items() if pk not in have]
    for r in added:
        a = Assignment(person=person, role=r, assigned_on=timezone.localdate())
        attribute(a, actor, "Role assigned")
        a.save()
    record_event(actor=actor, verb="person.created" if created else "person.changed", obj=person,
                 data={"roles": sorted(r.code for r in wanted.values())})
    if person.user_id and (added or created):
        docs = Document.objects.filter(pk__in=Competence.documents.through.objects.filter(
            competence__requirements__role__in=list(wanted.values())).values("document_id"))
        _assign_readers(actor, docs)
    return person


@transaction.atomic
def qualification_set(*, actor, record_type, competences) -> list[RecordTypeQualification]:
    """Who may do this? Only a person current on every one of `competences` submits records of `record_type`."""
    require("training.manage", actor)
    wanted = {c.pk: c for c in competences}
    have = {q.competence_id: q for q in RecordTypeQualification.objects.filter(record_type=record_type)}
    for comp_id, q in have.items():
        if comp_id not in wanted:
            attribute(q, actor, "No longer required")
            q.delete()
    for pk, c in wanted.items():
        if pk not in have:
            q = RecordTypeQualification(record_type=record_type, competence=c)
            attribute(q, actor, "Required to submit")
            q.save()
    record_event(actor=actor, verb="training.qualification_set", obj=record_type,
                 comment=", ".join(sorted(c.code for c in wanted.values())) or "none")
    return list(RecordTypeQualification.objects.filter(record_type=record_type))


# ------------------------------------------------------------------ training records
def _check_record_input(person: Person, competence: Competence, trained_on: date, trainer, method: str,
                        result: str, effectiveness_method: str, effectiveness_due: date | None) -> None:
    if trained_on is None:
        raise DomainError(gettext("Give the date of the training."))
    if trained_on > timezone.localdate():
        raise DomainError(gettext("A training record cannot be dated in the future."))
    if trainer is None:
        raise DomainError(gettext("Name the trainer."))
    if person.user_id is not None and person.user_id == trainer.pk:
        raise DomainError(gettext("The trainer cannot be the trainee: a second person confirms the competence."))
    if method not in TrainingRecord.Method.values:
        raise DomainError(gettext("Choose how the training was given."))
    if result not in TrainingRecord.Result.values:
        raise DomainError(gettext("Choose the result."))
    if not (effectiveness_method or "").strip():
        raise DomainError(gettext("Say how the effectiveness of this training will be checked (ISO 9001 7.2 c)."))
    if effectiveness_due is not None and effectiveness_due < trained_on:
        raise DomainError(gettext("The effectiveness check cannot be due before the training."))
    if not person.is_active:
        raise DomainError(gettext("%(name)s is no longer active.") % {"name": person})
    if not competence.is_active:
        raise DomainError(gettext("%(name)s is retired.") % {"name": competence})


def _store_evidence(*, actor, record: TrainingRecord, uploads) -> list[TrainingEvidence]:
    out = []
    for upload in uploads:
        try:
            stored = store_upload(upload, folder=f"training/{record.pk}")
        except ValidationError as exc:
            raise DomainError(" ".join(exc.messages)) from exc
        ev = TrainingEvidence(record=record, file=stored.name, original_name=stored.original_name, size=stored.size,
                              sha256=stored.sha256, content_type=stored.content_type, uploaded_by=actor)
        attribute(ev, actor, "Evidence attached")
        ev.save()
        out.append(ev)
    return out


@transaction.atomic
def record_create(*, actor, person: Person, competence: Competence, trained_on: date, trainer, method: str,
                  result: str, effectiveness_method: str, effectiveness_due: date | None = None,
                  provider: str = "", notes: str = "", uploads=()) -> TrainingRecord:
    """Record a training (7.2 b–d); it counts once the trainer and the trainee have signed."""
    require("training.create_record", actor)
    _check_record_input(person, competence, trained_on, trainer, method, result, effectiveness_method,
                        effectiveness_due)
    record = TrainingRecord(person=person, competence=competence, trained_on=trained_on, trainer=trainer,
                            method=method, result=result, provider=(provider or "").strip(),
                            notes=(notes or "").strip(), effectiveness_method=effectiveness_method.strip(),
                            effectiveness_due=effectiveness_due, created_by=actor)
    _save(record, actor, "Training recorded")
    record_event(actor=actor, verb="training.recorded", obj=record, to_state=record.status,
                 data={"person": person.pk, "competence": competence.code})
    if uploads:
        _store_evidence(actor=actor, record=record, uploads=uploads)
    return record


@transaction.atomic
def evidence_add(*, actor, record: TrainingRecord, uploads) -> list[TrainingEvidence]:
    record = TrainingRecord.objects.select_for_update().get(pk=record.pk)
    require("training.add_evidence", actor, record)
    if not uploads:
        raise DomainError(gettext("Choose at least one file."))
    added = _store_evidence(actor=actor, record=record, uploads=uploads)
    record_event(actor=actor, verb="training.evidence_added", obj=record,
                 comment=", ".join(e.original_name for e in added))
    return added


def record_sign(*, actor, record: TrainingRecord, password: str, comment: str = "") -> TrainingRecord:
    """The trainer signs "verified" (the trainee is competent), the trainee signs "read and understood"
    (they received the training). When every signature it needs is there, the record is signed and locked."""
    authenticate_signer(actor, password, obj=record, meaning=Signature.Meaning.VERIFIED)
    with transaction.atomic():
        record = TrainingRecord.objects.select_for_update().select_related("person", "competence").get(pk=record.pk)
        require("training.sign_record", actor, record)
        as_trainer = record.trainer_id == actor.pk and record.trainer_signature_id is None
        meaning = Signature.Meaning.VERIFIED if as_trainer else Signature.Meaning.READ
        signature = sign(signer=actor, password=password, obj=record, meaning=meaning, comment=comment or "")
        if as_trainer:
            record.trainer_signature = signature
        else:
            record.trainee_signature = signature
        role = "trainer" if as_trainer else "trainee"
        record_event(actor=actor, verb="training.signed", obj=record, comment=role)
        complete = record.trainer_signature_id and (record.trainee_signature_id or not record.trainee_can_sign)
        if complete:
            record.signed_at = timezone.now()
            transition(record, S.SIGNED, actor=actor, verb="training.completed", reason="Signed by trainer and trainee")
        else:
            attribute(record, actor, f"Signed by the {role}")
            record.save()
        return record


def record_evaluate(*, actor, record: TrainingRecord, password: str, result: str, checked_on: date,
                    note: str = "") -> TrainingRecord:
    """7.2 c: how and when the effectiveness was checked, signed ("verified effective").
    "Not effective" takes the competence away again: the person needs training anew."""
    if result not in (TrainingRecord.Effectiveness.EFFECTIVE, TrainingRecord.Effectiveness.NOT_EFFECTIVE):
        raise DomainError(gettext("Choose whether the training was effective."))
    if checked_on is None or checked_on > timezone.localdate():
        raise DomainError(gettext("The effectiveness check cannot be dated in the future."))
    if result == TrainingRecord.Effectiveness.NOT_EFFECTIVE and not (note or "").strip():
        raise DomainError(gettext("Say why the training was not effective."))
    authenticate_signer(actor, password, obj=record, meaning=Signature.Meaning.EFFECTIVE)
    with transaction.atomic():
        record = TrainingRecord.objects.select_for_update().select_related("person").get(pk=record.pk)
        require("training.evaluate_record", actor, record)
        if checked_on < record.trained_on:
            raise DomainError(gettext("The effectiveness check cannot be before the training."))
        record.effectiveness_signature = sign(signer=actor, password=password, obj=record,
                                              meaning=Signature.Meaning.EFFECTIVE, comment=note or "")
        record.effectiveness_result, record.effectiveness_checked_on = result, checked_on
        record.effectiveness_checked_by, record.effectiveness_note = actor, (note or "").strip()
        _save(record, actor, "Effectiveness evaluated")
        record_event(actor=actor, verb="training.evaluated", obj=record, comment=_english(record.get_effectiveness_result_display),
                     data={"checked_on": str(checked_on)})
        return record


@transaction.atomic
def record_void(*, actor, record: TrainingRecord, reason: str) -> TrainingRecord:
    record = TrainingRecord.objects.select_for_update().get(pk=record.pk)
    require("training.void_record", actor, record)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(gettext("Voiding a training record needs a reason."))
    RECORD.check(record, S.VOID)
    record.void_reason = reason
    transition(record, S.VOID, actor=actor, verb="training.voided", reason=reason[:100], comment=reason)
    return record
