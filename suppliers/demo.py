"""Demo external providers: four weighted criteria, 25 suppliers in every
status with their evaluations, certificates, contacts and monthly on-time
delivery since go-live, a few supplier nonconformities, and incoming-inspection
records that name their supplier (the inspection form gets a Supplier field).
Idempotent: a second run adds nothing.

Everything goes through the services on the demo's moving clock, so
evaluations, approvals and their signatures carry their own dates.
"""

from __future__ import annotations

import random
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from qms.demo import DEMO_PASSWORD, go_live, moving_clock
from suppliers import services
from suppliers.models import Criterion, Evaluation, Supplier

CRITERIA = [("Quality of supplied product", 40, "Conformity at incoming inspection, defect rate"),
            ("Delivery performance", 30, "On time and complete"),
            ("Quality system", 15, "Certification, audit results, corrective action response"),
            ("Communication and service", 15, "Responsiveness, documentation, change notification")]

# name, supplies, criticality, final status
SUPPLIERS = [
    ("Nordic Steel AB", "Steel bar and plate (S355, 42CrMo4)", "critical", "approved"),
    ("Precision Castings Ltd", "Aluminium and iron castings to drawing", "critical", "approved"),
    ("Polymer Works GmbH", "Injection-moulded polymer parts", "major", "approved"),
    ("FastFix Fasteners", "Standard and special fasteners", "minor", "approved"),
    ("CleanPack Oy", "Packaging material and export crates", "minor", "approved"),
    ("Baltic Bearings", "Rolling bearings", "critical", "approved"),
    ("Atlas Electronics", "Control boards and wiring harnesses", "critical", "conditional"),
    ("Delta Coatings", "Powder coating and zinc plating (outsourced process)", "major", "approved"),
    ("Reliable Logistics", "Inbound and outbound transport", "major", "approved"),
    ("Kappa Springs", "Compression and torsion springs", "major", "conditional"),
    ("Helix Heat Treatment", "Case hardening and tempering (outsourced process)", "critical", "approved"),
    ("Metro Calibration Lab", "Calibration of measuring instruments (ISO/IEC 17025)", "critical", "approved"),
    ("Sigma Seals", "O-rings and shaft seals", "major", "approved"),
    ("Orbit Machining", "Subcontract CNC machining", "critical", "suspended"),
    ("Granite Tools", "Cutting tools and inserts", "minor", "approved"),
    ("Vector Hydraulics", "Hydraulic cylinders", "major", "conditional"),
    ("Aurora Labels", "Product labels and nameplates", "minor", "approved"),
    ("Crest Chemicals", "Cutting fluids and cleaning agents", "minor", "approved"),
    ("Summit Gearing", "Gear cutting and grinding", "critical", "disqualified"),
    ("Pioneer Plastics", "Extruded profiles", "major", "suspended"),
    ("Eastline Foundry", "Grey iron castings", "major", "disqualified"),
    ("Lumen Optics", "Sight glasses and lenses", "minor", "prospective"),
    ("Quantum Sensors", "Pressure and temperature sensors", "critical", "prospective"),
    ("Willow Textiles", "Filter fabrics", "minor", "prospective"),
    ("Zenith Motors", "Electric motors 0.37–7.5 kW", "critical", "conditional"),
]
STATUS_REASON = {
    "approved": "Evaluation passed; scope of approval as recorded.",
    "conditional": "Approved with conditions: corrective actions from the evaluation to be closed within 90 days.",
    "suspended": "Repeated late deliveries and an open major nonconformity: no new orders until resolved.",
    "disqualified": "Failed re-evaluation: product nonconformities not corrected.",
}
CONTACT_ROLES = ["Sales manager", "Quality manager", "Key account manager", "Logistics coordinator"]
FIRST = ["Anna", "Lars", "Mikko", "Sofia", "Jonas", "Elin", "Pekka", "Maria", "Tomas", "Ingrid"]
LAST = ["Berg", "Nieminen", "Schmidt", "Larsen", "Novak", "Andersen", "Virtanen", "Keller", "Holm", "Jansen"]


def _criteria(qm) -> list[Criterion]:
    out = []
    for i, (name, weight, description) in enumerate(CRITERIA):
        c = Criterion.objects.filter(name=name).first()
        if c is None:
            c = services.criterion_save(actor=qm, criterion=Criterion(name=name, weight=weight, order=i,
                                                                      description=description))
        out.append(c)
    return out


def _scores(rng, criteria, good: bool) -> dict[int, int]:
    lo, hi = (3, 5) if good else (1, 3)
    return {c.pk: rng.randint(lo, hi) for c in criteria}


def _evaluate(clock, rng, qm, supplier, criteria, when, *, good=True):
    clock.at(when)
    kind = Evaluation.Kind.PERIODIC if supplier.evaluations.exists() else Evaluation.Kind.INITIAL
    decision = "approve" if good else "reject"
    return services.evaluation_create(
        actor=qm, supplier=supplier, kind=kind, evaluated_on=when, scores=_scores(rng, criteria, good),
        decision=decision, password=DEMO_PASSWORD,
        comment=rng.choice(["Document review and questionnaire.", "On-site audit of the process.",
                            "Sample parts inspected; certificate checked.", "Performance data reviewed."]))


def _move(clock, qm, supplier, to, when):
    clock.at(when)
    return services.supplier_set_status(actor=qm, supplier=supplier, to=to, reason=STATUS_REASON[to],
                                        password=DEMO_PASSWORD)


def _inspection_type(qm):
    """The seeded incoming inspection form, with a Supplier field (a new form version)."""
    from records import services as record_services
    from records.models import RecordType

    rt = RecordType.objects.filter(code="INS").first()
    if rt is None:
        return None
    current = record_services.current_form_version(rt)
    if any(d.get("ref_kind") == "supplier" for d in current.fields):
        return rt
    fields = list(current.fields) + [{"key": "supplier", "label": "Supplier", "type": "reference",
                                      "ref_kind": "supplier", "required": False,
                                      "help": "For incoming inspection: who supplied the lot"}]
    record_services.form_version_create(actor=qm, record_type=rt, fields=fields,
                                        note="Supplier field for incoming inspection (8.4.2)")
    return rt


def _inspections(clock, rng, users, suppliers, now):
    from records import services as record_services

    rt = _inspection_type(users["qm"])
    if rt is None:
        return 0
    usable = [s for s in suppliers if s.status in ("approved", "conditional")]
    made = 0
    for i in range(30):
        s = rng.choice(usable)
        clock.at(now - timedelta(days=rng.randint(3, 170), hours=rng.randint(0, 8)))
        result = "Reject" if rng.random() < 0.1 else "Accept"
        record_services.record_create(actor=users["staff"], record_type=rt, submit=True, values={
            "part_number": rng.choice(["HX-200 housing", "SH-42 shaft", "BR-9 bracket", "GE-310 gear"]),
            "lot": f"L{now:%y}-{1000 + i}", "inspection_type": "Incoming", "sample_size": str(rng.choice([5, 8, 13])),
            "defects": "1" if result == "Reject" else "0", "result": result, "supplier": s.code})
        made += 1
    return made


def seed(*, users, stdout):
    rng = random.Random(8401)
    today = timezone.localdate()
    qm = users["qm"]
    if Supplier.objects.count() >= len(SUPPLIERS):
        stdout.write("suppliers: demo suppliers exist, none added")
        return
    with moving_clock() as clock, transaction.atomic():
        now = clock.real_now
        live = go_live(today)
        clock.at(live - timedelta(days=20))
        criteria = _criteria(qm)
        made = []
        for n, (name, supplies, criticality, final) in enumerate(SUPPLIERS):
            start = live + timedelta(days=rng.randint(0, 60) if n < 18 else rng.randint(200, 480))
            clock.at(start)
            s = services.supplier_create(actor=qm, name=name, supplies=supplies, criticality=criticality,
                                         scope_of_approval=f"{supplies}, to our purchase order and drawing.",
                                         owner=users.get("approver") if n % 3 else qm,
                                         website=f"https://www.{name.split()[0].lower()}.example")
            first, last = rng.choice(FIRST), rng.choice(LAST)
            services.contact_add(actor=qm, supplier=s, name=f"{first} {last}", role=rng.choice(CONTACT_ROLES),
                                 email=f"{first.lower()}.{last.lower()}@{name.split()[0].lower()}.example",
                                 phone=f"+46 8 {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}")
            if final == "prospective":
                if n % 2:  # some prospects have had their initial evaluation, awaiting the decision
                    _evaluate(clock, rng, qm, s, criteria, start + timedelta(days=10))
                made.append(s)
                continue
            if rng.random() < 0.75:
                services.certificate_add(actor=qm, supplier=s, standard="ISO 9001:2015", number=f"QMS-{rng.randint(10000, 99999)}",
                                         issuer=rng.choice(["DNV", "Bureau Veritas", "TÜV SÜD", "SGS"]),
                                         valid_until=today + timedelta(days=rng.randint(-40, 900)))
            day = start + timedelta(days=14)
            _evaluate(clock, rng, qm, s, criteria, day)
            s = _move(clock, qm, s, "conditional" if final == "conditional" else "approved", day + timedelta(days=2))
            # Periodic re-evaluations at the criticality's interval, where due before today;
            # a few critical suppliers are left overdue (the task list shows them).
            nxt = day + relativedelta(months=s.interval_months)
            while nxt < today - timedelta(days=20) and not (criticality == "critical" and n % 4 == 1):
                _evaluate(clock, rng, qm, s, criteria, nxt, good=final not in ("disqualified",))
                nxt = nxt + relativedelta(months=s.interval_months)
            if final in ("suspended", "disqualified"):
                when = now.date() - timedelta(days=rng.randint(20, 90))
                if final == "disqualified":
                    _evaluate(clock, rng, qm, Supplier.objects.get(pk=s.pk), criteria, when - timedelta(days=3),
                              good=False)
                s = _move(clock, qm, Supplier.objects.get(pk=s.pk), final, when)
            made.append(Supplier.objects.get(pk=s.pk))
        _deliveries(clock, rng, users, made, live, today)
        capas = _capas(clock, rng, users, made, now)
        inspections = _inspections(clock, rng, users, made, now)
    counts = {}
    for s in Supplier.objects.all():
        counts[s.status] = counts.get(s.status, 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    stdout.write(f"suppliers: {len(made)} suppliers ({summary}), {Evaluation.objects.count()} evaluations, "
                 f"{capas} supplier nonconformities, {inspections} incoming inspections naming their supplier")


def _deliveries(clock, rng, users, suppliers, live, today):
    for s in suppliers:
        if s.status == "prospective":
            continue
        late_prone = s.status in ("suspended", "disqualified", "conditional")
        month = max(live, s.created_at.date()).replace(day=1) + relativedelta(months=1)
        while month < today.replace(day=1):
            delivered = rng.randint(2, 14)
            late = rng.randint(0, max(1, delivered // (2 if late_prone else 6)))
            clock.at(month + relativedelta(months=1, days=2))
            services.delivery_enter(actor=users["staff"], supplier=s, month=month, delivered=delivered,
                                    on_time=max(0, delivered - late))
            month = month + relativedelta(months=1)


def _capas(clock, rng, users, suppliers, now):
    bad = [s for s in suppliers if s.status in ("suspended", "conditional", "disqualified")]
    issues = [("Porosity in castings", "Lot rejected at incoming inspection: porosity on machined faces."),
              ("Late delivery stopped the line", "Delivery 9 days late; line stopped for one shift."),
              ("Wrong material certificate", "Certificate listed another heat number than the bars delivered."),
              ("Coating thickness below spec", "Measured 45 µm against 60–80 µm required.")]
    for i, (title, description) in enumerate(issues):
        s = bad[i % len(bad)]
        clock.at(now - timedelta(days=rng.randint(30, 200)))
        services.supplier_raise_capa(actor=users["qm"], supplier=s, title=title, description=description,
                                     severity="major" if i % 2 else "minor")
    return len(issues)
