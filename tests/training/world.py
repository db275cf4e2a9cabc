"""The training app's part of the scope-walk world (tests/auditor/scope_world.py):
one competence, job role, person and signed training record with evidence inside
an 8.5 grant, and the same outside it (clause 7.2, carrying the secret word)."""

from __future__ import annotations

from django.utils import timezone

from qms.models import Clause
from tests.factories import PASSWORD
from tests.records.factories import pdf_upload
from training import services

SECRET = "Zanzibar"


def build(w, *, quality_manager, author, approver, staff, auditor, external_auditor):
    from tests.auditor.scope_world import SECRET as WORD

    dept = w["in"]["doc"].department
    for side, clause, word in (("in", "8.5.1", "Press"), ("out", "7.2", WORD)):
        comp = services.competence_save(actor=quality_manager, code=f"{side.upper()}-C", name=f"{word} competence",
                                        kind="course", validity_months=24, documents=[w[side]["doc"]],
                                        clauses=Clause.objects.filter(number=clause))
        role = services.role_save(actor=quality_manager, code=f"{side.upper()}-R", name=f"{word} role",
                                  competences=[comp])
        person = services.person_save(actor=quality_manager, name=f"{word} Person {side}", department=dept,
                                      roles=[role], employee_number=f"{word}-{side}")
        record = services.record_create(
            actor=quality_manager, person=person, competence=comp, trained_on=timezone.localdate(), trainer=approver,
            method="classroom", result="competent", effectiveness_method=f"{word} check", notes=f"{word} notes",
            uploads=[pdf_upload(f"{word}-attendance.pdf")])
        record = services.record_sign(actor=approver, record=record, password=PASSWORD)
        w[side].update({"competence": comp, "role": role, "person": person, "training_record": record,
                        "training_evidence": record.evidence.get()})
        services.qualification_set(actor=quality_manager, record_type=w[side]["type"], competences=[comp])


def path_kwargs(name, side, w):
    if not name.startswith("training:"):
        return None
    s = w[side]
    if name == "training:matrix-export":
        return {"fmt": "csv"}, True
    if name == "training:qualification-edit":
        return {"code": s["type"].code}, False
    if name.startswith("training:role-"):
        return {"pk": s["role"].pk}, False
    if name.startswith("training:competence-"):
        return {"pk": s["competence"].pk}, False
    if name.startswith("training:person-"):
        return {"pk": s["person"].pk}, False
    if name == "training:evidence-download":
        return {"pk": s["training_evidence"].pk}, False
    if name.startswith("training:record-") or name == "training:evidence-add":
        return {"pk": s["training_record"].pk}, False
    return None


def markers(w):
    out = w["out"]
    return [out["person"].name, out["role"].name, out["competence"].name, out["training_record"].number]


def trail_targets(w, side):
    s = w[side]
    return [s["competence"], s["role"], s["person"], s["training_record"]]
