"""Demo competence and training: 12 job roles, their competences (some resting
on the demo's controlled documents), 60 people (the demo users and people who
never log in) and signed training records over the demo's 18 months, so the
matrix has current, due-soon, expired, missing and out-of-date cells. Idempotent.

Everything goes through the services at its own time on the demo clock.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from documents.models import Document, Revision
from qms.demo import DEMO_PASSWORD, go_live, moving_clock
from qms.models import Department
from training import services
from training.models import Competence, JobRole

K = Competence.Kind
# code, name, kind, validity (months), document number keyword (title fragment) it rests on
COMPETENCES = [
    ("R-DOC", "Control of documented information (read)", K.READ, None, "Control of documented information"),
    ("R-REC", "Control of records (read)", K.READ, None, "Control of records"),
    ("R-PRD", "Production planning and release (read)", K.READ, None, "Production planning"),
    ("R-IA", "Internal audit procedure (read)", K.READ, None, "Internal audit"),
    ("R-PUR", "Supplier evaluation procedure (read)", K.READ, None, "Supplier evaluation"),
    ("R-HR", "Competence and training procedure (read)", K.READ, None, "Competence and training"),
    ("C-CNC", "CNC machining basics", K.COURSE, 36, None),
    ("C-SAF", "Machine safety", K.COURSE, 12, None),
    ("C-FORK", "Forklift driving", K.CERTIFICATE, 24, None),
    ("C-FIRST", "First aid", K.CERTIFICATE, 24, None),
    ("C-ISO", "ISO 9001 awareness", K.COURSE, None, None),
    ("C-AUD", "Internal auditor course (ISO 19011)", K.COURSE, 36, None),
    ("C-MEAS", "Use of measuring instruments", K.ON_THE_JOB, 24, "Production planning"),
    ("C-INSP", "Incoming inspection", K.ON_THE_JOB, 24, None),
    ("C-WELD", "Welding (EN ISO 9606)", K.CERTIFICATE, 24, None),
    ("C-PAINT", "Coating line operation", K.ON_THE_JOB, None, None),
    ("C-CAL", "Calibration of gauges", K.ON_THE_JOB, 24, None),
    ("C-ERP", "ERP purchasing module", K.COURSE, None, None),
    ("C-CUST", "Customer complaint handling", K.COURSE, None, None),
    ("C-DES", "Design review method", K.COURSE, None, None),
]
# code, name, department, competences
ROLES = [
    ("CNC", "CNC operator", "PRD", ["R-PRD", "C-CNC", "C-SAF", "C-MEAS", "C-ISO"]),
    ("ASM", "Assembly operator", "PRD", ["R-PRD", "C-SAF", "C-ISO"]),
    ("WLD", "Welder", "PRD", ["R-PRD", "C-WELD", "C-SAF", "C-ISO"]),
    ("PNT", "Coating line operator", "PRD", ["C-PAINT", "C-SAF", "C-ISO"]),
    ("WH", "Warehouse operator", "PUR", ["C-FORK", "C-SAF", "C-ISO"]),
    ("INS", "Incoming inspector", "QA", ["R-REC", "C-INSP", "C-MEAS", "C-ISO"]),
    ("CALT", "Calibration technician", "QA", ["R-REC", "C-CAL", "C-MEAS"]),
    ("IAUD", "Internal auditor", "QA", ["R-IA", "C-AUD", "R-DOC"]),
    ("BUY", "Buyer", "PUR", ["R-PUR", "C-ERP", "C-ISO"]),
    ("CSR", "Customer service representative", "SAL", ["C-CUST", "C-ISO"]),
    ("ENG", "Design engineer", "ENG", ["C-DES", "R-DOC", "C-ISO"]),
    ("SUP", "Shift supervisor", "PRD", ["R-PRD", "R-HR", "C-SAF", "C-FIRST", "C-ISO"]),
]
# demo user → their roles
USER_ROLES = {"qm": ["IAUD", "SUP"], "author": ["ENG"], "approver": ["SUP", "INS"], "staff": ["CNC", "INS"],
              "auditor": ["IAUD", "BUY"], "auditor2": ["IAUD", "ENG"]}
FIRST = ["Anna", "Bjorn", "Carla", "Dev", "Elif", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Kaja", "Leo", "Maja",
         "Nils", "Olga", "Pavel", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wim", "Yusuf", "Zofia"]
LAST = ["Berg", "Costa", "Dahl", "Eriksen", "Fischer", "Gomez", "Holm", "Ivanova", "Jensen", "Kowalski", "Lund",
        "Moreau", "Novak", "Okafor", "Petrov", "Quist", "Rossi", "Sato", "Tanaka", "Varga"]
PEOPLE = 60
OTHER_ROLES = ["CNC", "CNC", "ASM", "ASM", "WLD", "PNT", "WH", "WH", "INS", "CALT", "BUY", "CSR", "ENG", "SUP"]


def _doc(keyword):
    return (Document.objects.with_effective().filter(title__icontains=keyword).order_by("number").first()
            if keyword else None)


def _baseline(doc) -> Revision | None:
    """The revision a reader must have read (the newest effective-at revision that asked for a re-read)."""
    revs = [r for r in doc.revisions.filter(effective_at__isnull=False).order_by("seq")
            if r.seq == 1 or r.significance != Revision.Significance.EDITORIAL]
    return revs[-1] if revs else None


def seed(*, users, stdout):
    if JobRole.objects.filter(code="CNC").exists():
        stdout.write("training: demo job roles and people present, nothing added")
        return
    qm = users["qm"]
    rng = random.Random(7272)
    today = timezone.localdate()
    start = go_live(today)
    with moving_clock() as clock, transaction.atomic():
        clock.at(start + timedelta(days=3))
        comps = {}
        for code, name, kind, months, keyword in COMPETENCES:
            doc = _doc(keyword)
            comps[code] = services.competence_save(actor=qm, code=code, name=name, kind=kind, validity_months=months,
                                                   documents=[doc] if doc else [])
        depts = {d.code: d for d in Department.objects.all()}
        roles = {}
        for code, name, dept, needs in ROLES:
            roles[code] = services.role_save(actor=qm, code=code, name=name, department=depts.get(dept),
                                             competences=[comps[c] for c in needs])
        people = []
        for username, codes in USER_ROLES.items():
            user = users.get(username)
            if user is None:
                continue
            dept = getattr(user, "department", None) or depts.get("PRD") or next(iter(depts.values()))
            people.append(services.person_save(actor=qm, name=user.display_name, department=dept, user=user,
                                               employee_number=f"E{len(people) + 1:04d}",
                                               roles=[roles[c] for c in codes]))
        names = iter(rng.sample([f"{f} {s}" for f in FIRST for s in LAST], PEOPLE))
        while len(people) < PEOPLE:
            codes = rng.sample(OTHER_ROLES, rng.choice([1, 1, 2]))
            role_list = list({c: roles[c] for c in codes}.values())
            people.append(services.person_save(actor=qm, name=next(names), department=role_list[0].department
                                               or depts["PRD"], employee_number=f"E{len(people) + 1:04d}",
                                               roles=role_list))
        counts = _train(clock, rng, users, people, start, today)
        _acknowledge(clock, rng, people)
        _who_may_submit(qm, comps)
    stdout.write(f"training: {len(ROLES)} job roles, {len(comps)} competences, {len(people)} people, "
                 f"{counts} signed training records")


def _train(clock, rng, users, people, start, today) -> int:
    """Signed training records: most required competences, some long ago (expired), some never (missing)."""
    trainers = [users["approver"], users["qm"]]
    made = 0
    span = (today - start).days
    for person in people:
        for comp in Competence.objects.filter(job_roles__people=person).distinct().order_by("code"):
            roll = rng.random()
            if person.user_id and person.user.username == "staff":
                roll = 0.5  # the demo operator is current on everything: the demo's inspection records are his
            if comp.kind == K.READ and person.user_id:
                continue  # a person who logs in reads and acknowledges it (below)
            if roll < 0.12:
                continue  # missing
            if comp.validity_months and roll < 0.22:
                days_ago = comp.validity_months * 30 + rng.randint(5, 90)  # expired
            elif comp.validity_months and roll < 0.3:
                days_ago = comp.validity_months * 30 - rng.randint(1, 20)  # due soon
            else:
                days_ago = rng.randint(20, max(21, span - 10))
            docs = list(comp.documents.all())
            if docs and roll > 0.8:
                base = _baseline(docs[0])
                if base and base.effective_date and base.seq > 1:
                    days_ago = max(days_ago, (today - base.effective_date).days + 15)  # trained before the revision
            trained_on = today - timedelta(days=days_ago)
            trainer = next(t for t in trainers if t.pk != person.user_id)
            clock.at(trained_on, hour=14)
            method = {K.READ: "self_study", K.COURSE: "classroom", K.ON_THE_JOB: "on_the_job",
                      K.CERTIFICATE: "certificate"}[comp.kind]
            record = services.record_create(
                actor=trainer, person=person, competence=comp, trained_on=trained_on, trainer=trainer, method=method,
                result="competent", provider="Nordic Safety Academy" if comp.kind == K.CERTIFICATE else "",
                effectiveness_method="Supervisor observes the work for two weeks",
                effectiveness_due=trained_on + timedelta(days=30))
            clock.at(trained_on, hour=15)
            record = services.record_sign(actor=trainer, record=record, password=DEMO_PASSWORD)
            if person.user_id:
                services.record_sign(actor=person.user, record=record, password=DEMO_PASSWORD)
            if rng.random() < 0.6 and trained_on + timedelta(days=30) < today:
                clock.at(trained_on + timedelta(days=30), hour=10)
                services.record_evaluate(actor=trainer, record=record, password=DEMO_PASSWORD, result="effective",
                                         checked_on=trained_on + timedelta(days=30))
            made += 1
    return made


def _acknowledge(clock, rng, people) -> None:
    """Demo users read most of the documents their roles need; a few are still to do."""
    from documents.services import acknowledge
    from qms.errors import DomainError

    clock.at(timezone.now() - timedelta(days=2))
    for person in people:
        if not person.user_id:
            continue
        docs = Document.objects.filter(pk__in=Competence.documents.through.objects.filter(
            competence__job_roles__people=person, competence__kind=K.READ).values("document_id")).order_by("number")
        for doc in docs:
            if person.user.username == "staff" or rng.random() < 0.75:
                try:
                    acknowledge(actor=person.user, document=doc, password=DEMO_PASSWORD)
                except DomainError:
                    pass  # nothing open for them on this document


def _who_may_submit(qm, comps) -> None:
    """Only a current incoming inspector submits inspection records."""
    from records.models import RecordType

    inspection = RecordType.objects.filter(code="INS").first()
    if inspection is not None:
        services.qualification_set(actor=qm, record_type=inspection, competences=[comps["C-INSP"]])
